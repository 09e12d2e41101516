package tensor

import (
	"fmt"
	"testing"
)

// The benchmarks in this file choose the GEMM's tuning constants, as
// math/big's calibrate_test.go does. They are not run by default; run
//
//	go test ./tensor -run XXX -bench 'GemmBlocking|GemmThresholds' -calibrate
//
// and set gemmMC, gemmKC (gemm.go) to the fastest pair, gemmDirectMax to the
// largest size where "direct" still wins and gemmParallelMin to the smallest
// where threads=2 wins.

var calibrate = flagBool("calibrate", "run the GEMM calibration benchmarks")

func withTuning(b *testing.B, mc, kc, directMax, parallelMin, threads int) {
	oldMC, oldKC, oldD, oldP := gemmMC, gemmKC, gemmDirectMax, gemmParallelMin
	gemmMC, gemmKC, gemmDirectMax, gemmParallelMin = mc, kc, directMax, parallelMin
	prev := SetMaxThreads(threads)
	b.Cleanup(func() {
		gemmMC, gemmKC, gemmDirectMax, gemmParallelMin = oldMC, oldKC, oldD, oldP
		SetMaxThreads(prev)
	})
}

// BenchmarkGemmBlocking sweeps the cache blocks MC (rows of A kept in L2)
// and KC (depth of every panel) on one core.
func BenchmarkGemmBlocking(b *testing.B) {
	if !*calibrate {
		b.Skip("calibration: run with -calibrate")
	}
	for _, n := range []int{256, 512, 1024} {
		for _, kc := range []int{128, 192, 256, 320, 384} {
			for _, mc := range []int{72, 120, 144, 192, 240} {
				b.Run(fmt.Sprintf("n=%d/kc=%d/mc=%d", n, kc, mc), func(b *testing.B) {
					withTuning(b, mc, kc, gemmDirectMax, gemmParallelMin, 1)
					benchGemm(b, false, false, n, n, n)
				})
			}
		}
	}
}

// BenchmarkGemmThresholds compares the direct loops with the packed path on
// small cubes, and one core with two on medium ones.
func BenchmarkGemmThresholds(b *testing.B) {
	if !*calibrate {
		b.Skip("calibration: run with -calibrate")
	}
	for _, n := range []int{4, 6, 8, 10, 12, 16, 20, 24, 32} {
		for _, path := range []string{"direct", "packed"} {
			b.Run(fmt.Sprintf("n=%d/path=%s", n, path), func(b *testing.B) {
				direct := 0
				if path == "direct" {
					direct = n * n * n
				}
				withTuning(b, gemmMC, gemmKC, direct, gemmParallelMin, 1)
				benchGemm(b, false, true, n, n, n)
			})
		}
	}
	for _, n := range []int{24, 32, 40, 48, 64, 80, 96, 128} {
		for _, threads := range []int{1, 2} {
			b.Run(fmt.Sprintf("n=%d/threads=%d", n, threads), func(b *testing.B) {
				withTuning(b, gemmMC, gemmKC, gemmDirectMax, 0, threads)
				benchGemm(b, false, true, n, n, n)
			})
		}
	}
}
