package tensor

import (
	"runtime"
	"sync/atomic"
)

var maxThreads atomic.Int32

// MaxThreads returns how many cores parallel kernels may use: by default
// GOMAXPROCS at the first call.
func MaxThreads() int {
	if n := maxThreads.Load(); n > 0 {
		return int(n)
	}
	return runtime.GOMAXPROCS(0)
}

// SetMaxThreads sets how many cores parallel kernels may use and returns the
// previous setting; n < 1 restores the default (GOMAXPROCS).
func SetMaxThreads(n int) int {
	prev := MaxThreads()
	if n < 1 {
		n = 0
	}
	maxThreads.Store(int32(n))
	return prev
}
