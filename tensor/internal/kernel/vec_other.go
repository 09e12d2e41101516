//go:build !amd64 || purego

package kernel

// The AVX2 vector kernels are not available in this build; they panic.

func noAVX2(name string) { panic("kernel: " + name + " called in a build without assembly") }

// ExpAVX2 is not available in this build; it panics.
func ExpAVX2(dst, src []float32) { noAVX2("ExpAVX2") }

// ExpShiftSumAVX2 is not available in this build; it panics.
func ExpShiftSumAVX2(dst, src []float32, shift float32) float64 {
	noAVX2("ExpShiftSumAVX2")
	return 0
}

// TanhAVX2 is not available in this build; it panics.
func TanhAVX2(dst, src []float32) { noAVX2("TanhAVX2") }

// SigmoidAVX2 is not available in this build; it panics.
func SigmoidAVX2(dst, src []float32) { noAVX2("SigmoidAVX2") }

// SiluAVX2 is not available in this build; it panics.
func SiluAVX2(dst, src []float32) { noAVX2("SiluAVX2") }

// SiluGradAVX2 is not available in this build; it panics.
func SiluGradAVX2(dst, src []float32) { noAVX2("SiluGradAVX2") }

// GeluErfAVX2 is not available in this build; it panics.
func GeluErfAVX2(dst, src []float32) { noAVX2("GeluErfAVX2") }

// GeluErfGradAVX2 is not available in this build; it panics.
func GeluErfGradAVX2(dst, src []float32) { noAVX2("GeluErfGradAVX2") }

// GeluErfAndGradAVX2 is not available in this build; it panics.
func GeluErfAndGradAVX2(y, d, src []float32) { noAVX2("GeluErfAndGradAVX2") }

// GeluTanhAVX2 is not available in this build; it panics.
func GeluTanhAVX2(dst, src []float32) { noAVX2("GeluTanhAVX2") }

// GeluTanhGradAVX2 is not available in this build; it panics.
func GeluTanhGradAVX2(dst, src []float32) { noAVX2("GeluTanhGradAVX2") }

// MaxAVX2 is not available in this build; it panics.
func MaxAVX2(x []float32) float32 {
	noAVX2("MaxAVX2")
	return 0
}
