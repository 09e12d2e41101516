package tensor_test

import (
	"fmt"

	"github.com/tapegrad/tapegrad/tensor"
)

// A Linear layer's forward pass: x is [B, T, C] and the weight is stored
// [out, in] as in PyTorch, so the product uses the weight transposed — by a
// GEMM flag, not a copy — and runs as one [B·T, C]·[C, out] GEMM.
func ExampleTensor_MatMulTrans() {
	x := tensor.Ones(2, 3, 4)                                                  // [B, T, C]
	w := tensor.FromSlice([]float32{1, 0, 0, 0, 0, 1, 1, 0, 1, 1, 1, 1}, 3, 4) // [out, in]
	y := tensor.New(2, 3, 3)
	y.MatMulTrans(x, false, w, true) // y = x·wᵀ
	fmt.Println(y.Shape(), y.Data()[:3])
	// Output: [2 3 3] [1 2 4]
}

// Gemm works on raw row-major slices with BLAS's conventions: here
// C = 2·A·Bᵀ + C for A [2, 3] and B [2, 3].
func ExampleGemm() {
	a := []float32{1, 2, 3, 4, 5, 6}
	b := []float32{1, 0, 0, 0, 1, 0}
	c := []float32{10, 10, 10, 10}
	tensor.Gemm(false, true, 2, 2, 3, 2, a, 3, b, 3, 1, c, 2)
	fmt.Println(c)
	// Output: [12 14 18 20]
}
