//go:build !amd64 || purego

package kernel

// HasAVX2 is false: this build has no assembly kernels.
const HasAVX2 = false

// GemmAVX2 is not available in this build; it panics.
func GemmAVX2(kc int, a, b, c []float32, ldc int, alpha, beta float32) {
	panic("kernel: GemmAVX2 called in a build without assembly")
}
