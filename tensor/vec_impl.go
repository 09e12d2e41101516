package tensor

import "github.com/tapegrad/tapegrad/tensor/internal/kernel"

// vecAVX2 selects the AVX2 vector math kernels (exp, tanh, sigmoid, SiLU,
// GELU and their derivatives) over their pure-Go twins. It is true where
// the CPU has AVX2 and FMA and the purego tag is off; tests and benchmarks
// flip it to run both. The wrappers below call the kernels directly rather
// than through function values, so that slices on the stack do not escape.
var vecAVX2 = kernel.HasAVX2

func vecExp(dst, src []float32) {
	if vecAVX2 {
		kernel.ExpAVX2(dst, src)
		return
	}
	kernel.ExpGeneric(dst, src)
}

// vecExpShiftSum sets dst[i] = e^(src[i]−shift) and returns Σ dst[i] in
// float64.
func vecExpShiftSum(dst, src []float32, shift float32) float64 {
	if vecAVX2 {
		return kernel.ExpShiftSumAVX2(dst, src, shift)
	}
	return kernel.ExpShiftSumGeneric(dst, src, shift)
}

func vecTanh(dst, src []float32) {
	if vecAVX2 {
		kernel.TanhAVX2(dst, src)
		return
	}
	kernel.TanhGeneric(dst, src)
}

func vecSigmoid(dst, src []float32) {
	if vecAVX2 {
		kernel.SigmoidAVX2(dst, src)
		return
	}
	kernel.SigmoidGeneric(dst, src)
}

func vecSilu(dst, src []float32) {
	if vecAVX2 {
		kernel.SiluAVX2(dst, src)
		return
	}
	kernel.SiluGeneric(dst, src)
}

func vecSiluGrad(dst, src []float32) {
	if vecAVX2 {
		kernel.SiluGradAVX2(dst, src)
		return
	}
	kernel.SiluGradGeneric(dst, src)
}

func vecGeluErf(dst, src []float32) {
	if vecAVX2 {
		kernel.GeluErfAVX2(dst, src)
		return
	}
	kernel.GeluErfGeneric(dst, src)
}

func vecGeluErfGrad(dst, src []float32) {
	if vecAVX2 {
		kernel.GeluErfGradAVX2(dst, src)
		return
	}
	kernel.GeluErfGradGeneric(dst, src)
}

// vecGeluErfAndGrad sets y[i] = GELU(src[i]) and d[i] = GELU′(src[i]).
func vecGeluErfAndGrad(y, d, src []float32) {
	if vecAVX2 {
		kernel.GeluErfAndGradAVX2(y, d, src)
		return
	}
	kernel.GeluErfAndGradGeneric(y, d, src)
}

func vecGeluTanh(dst, src []float32) {
	if vecAVX2 {
		kernel.GeluTanhAVX2(dst, src)
		return
	}
	kernel.GeluTanhGeneric(dst, src)
}

func vecGeluTanhGrad(dst, src []float32) {
	if vecAVX2 {
		kernel.GeluTanhGradAVX2(dst, src)
		return
	}
	kernel.GeluTanhGradGeneric(dst, src)
}

// vecMax returns the largest element of x, NaN if x holds one.
func vecMax(x []float32) float32 {
	if vecAVX2 {
		return kernel.MaxAVX2(x)
	}
	return kernel.MaxGeneric(x)
}

// binVV sets z[i] = x[i] op y[i] for i < len(z).
func binVV(op binOp, z, x, y []float32) {
	if vecAVX2 {
		kernel.BinVVAVX2(kernel.BinOp(op), z, x, y)
		return
	}
	kernel.BinVVGeneric(kernel.BinOp(op), z, x, y)
}

// binVS sets z[i] = x[i] op s for i < len(z).
func binVS(op binOp, z, x []float32, s float32) {
	if vecAVX2 {
		kernel.BinVSAVX2(kernel.BinOp(op), z, x, s)
		return
	}
	kernel.BinVSGeneric(kernel.BinOp(op), z, x, s)
}

// binSV sets z[i] = s op y[i] for i < len(z).
func binSV(op binOp, z []float32, s float32, y []float32) {
	if vecAVX2 {
		kernel.BinSVAVX2(kernel.BinOp(op), z, s, y)
		return
	}
	kernel.BinSVGeneric(kernel.BinOp(op), z, s, y)
}

// vecAxpy sets z[i] += a·x[i] for i < len(z).
func vecAxpy(z, x []float32, a float32) {
	if vecAVX2 {
		kernel.AxpyAVX2(z, x, a)
		return
	}
	kernel.AxpyGeneric(z, x, a)
}

// vecAddMul sets z[i] += x[i]·y[i] for i < len(z).
func vecAddMul(z, x, y []float32) {
	if vecAVX2 {
		kernel.AddMulAVX2(z, x, y)
		return
	}
	kernel.AddMulGeneric(z, x, y)
}

// colSum adds to acc[j] the float64 sum of x[r·ld+j] over rows r < rows.
func colSum(acc []float64, x []float32, rows, ld int) {
	if vecAVX2 {
		kernel.ColSumAVX2(acc, x, rows, ld)
		return
	}
	kernel.ColSumGeneric(acc, x, rows, ld)
}
