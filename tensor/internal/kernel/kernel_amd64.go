//go:build !purego

package kernel

import "golang.org/x/sys/cpu"

// HasAVX2 reports whether the AVX2+FMA kernel can run on this CPU.
var HasAVX2 = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// GemmAVX2 is the AVX2+FMA micro-kernel with the same contract as
// GemmGeneric. It must only be called when HasAVX2 is true.
func GemmAVX2(kc int, a, b, c []float32, ldc int, alpha, beta float32) {
	if kc < 0 || len(a) < kc*MR || len(b) < kc*NR || ldc < NR || len(c) < (MR-1)*ldc+NR {
		panic("kernel: GemmAVX2: slices too short for the tile")
	}
	if kc == 0 {
		GemmGeneric(0, a, b, c, ldc, alpha, beta)
		return
	}
	gemm6x16(kc, &a[0], &b[0], &c[0], ldc, alpha, beta)
}

// gemm6x16 is implemented in kernel_amd64.s. The caller checks the bounds.
//
//go:noescape
func gemm6x16(kc int, a, b, c *float32, ldc int, alpha, beta float32)
