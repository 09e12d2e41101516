//go:build !amd64 || purego

package kernel

// HasAVX2 is false: this build has no assembly kernels.
const HasAVX2 = false

// GemmAVX2 is not available in this build; it panics.
func GemmAVX2(kc int, a, b, c []float32, ldc int, alpha, beta float32) {
	panic("kernel: GemmAVX2 called in a build without assembly")
}

// PackAAVX2 is not available in this build; it panics.
func PackAAVX2(dst, src []float32, lds, kc int, trans bool) {
	panic("kernel: PackAAVX2 called in a build without assembly")
}

// PackBAVX2 is not available in this build; it panics.
func PackBAVX2(dst, src []float32, lds, kc int, trans bool) {
	panic("kernel: PackBAVX2 called in a build without assembly")
}
