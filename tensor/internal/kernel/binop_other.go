//go:build !amd64 || purego

package kernel

// BinVVAVX2 is not available in this build; it panics.
func BinVVAVX2(op BinOp, z, x, y []float32) { noAVX2("BinVVAVX2") }

// BinVSAVX2 is not available in this build; it panics.
func BinVSAVX2(op BinOp, z, x []float32, s float32) { noAVX2("BinVSAVX2") }

// BinSVAVX2 is not available in this build; it panics.
func BinSVAVX2(op BinOp, z []float32, s float32, y []float32) { noAVX2("BinSVAVX2") }

// AxpyAVX2 is not available in this build; it panics.
func AxpyAVX2(z, x []float32, a float32) { noAVX2("AxpyAVX2") }

// AddMulAVX2 is not available in this build; it panics.
func AddMulAVX2(z, x, y []float32) { noAVX2("AddMulAVX2") }

// ColSumAVX2 is not available in this build; it panics.
func ColSumAVX2(acc []float64, x []float32, rows, ld int) { noAVX2("ColSumAVX2") }
