package tensor

import (
	"runtime"
	"sync"
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

// Concurrently runs body(0), …, body(n-1), each on its own goroutine
// (body(0) on the caller's), and returns when all are done. Meanwhile the
// cores are shared out among the bodies: parallel kernels called inside use
// MaxThreads/n threads each (at least one), so n independent pieces of work
// — shards of a batch — run side by side instead of contending for the
// worker pool. The setting is process-wide until Concurrently returns, so
// only one Concurrently may run at a time and nothing else should call
// parallel kernels meanwhile.
func Concurrently(n int, body func(i int)) {
	if n <= 1 {
		if n == 1 {
			body(0)
		}
		return
	}
	prev := SetMaxThreads(max(1, MaxThreads()/n))
	defer SetMaxThreads(prev)
	var wg sync.WaitGroup
	wg.Add(n - 1)
	for i := 1; i < n; i++ {
		go func() {
			defer wg.Done()
			body(i)
		}()
	}
	body(0)
	wg.Wait()
}
