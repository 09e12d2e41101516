package compress_test

import (
	"fmt"

	"github.com/tapegrad/tapegrad/autograd"
	"github.com/tapegrad/tapegrad/compress"
	"github.com/tapegrad/tapegrad/tensor"
)

// Pruning half of a weight twice keeps the quarter of largest magnitude;
// Remove bakes the mask in.
func ExamplePruned() {
	w := tensor.FromSlice([]float32{0.1, -0.5, 0.3, -0.05, 0.9, -0.2, 0.04, 0.6}, 2, 4)
	p := compress.NewPruned(w)
	p.L1Unstructured(compress.Fraction(0.5))
	fmt.Println(p.Mask.Data())
	p.L1Unstructured(compress.Fraction(0.5)) // half of the 4 survivors
	fmt.Println(p.Mask.Data())
	fmt.Println(p.Remove().Data())
	// Output:
	// [0 1 1 0 1 0 0 1]
	// [0 0 0 0 1 0 0 1]
	// [0 -0 0 -0 0.9 -0 0 0.6]
}

// Structured pruning removes whole rows (output neurons) by their L2 norm.
func ExamplePruned_LnStructured() {
	w := tensor.FromSlice([]float32{1, 1, 1, 0.1, 0.2, 0.1, 3, 0, 0, 0.5, 0.5, 0.5}, 4, 3)
	p := compress.NewPruned(w)
	if err := p.LnStructured(compress.Fraction(0.5), 2, 0); err != nil {
		fmt.Println(err)
	}
	fmt.Println(p.Mask.Data())
	// Output: [1 1 1 0 0 0 1 1 1 0 0 0]
}

func ExampleQuantizeInt8() {
	w := tensor.FromSlice([]float32{0.5, -1.27, 0.3, 2.54, 0.1, -0.2, 0, 0, 0}, 3, 3)
	q := compress.QuantizeInt8(w)
	fmt.Println(q.Q, q.Scale)
	fmt.Printf("%.4f\n", q.Dequantize().Data())
	// Output:
	// [50 -127 30 127 5 -10 0 0 0] [0.01 0.02 1]
	// [0.5000 -1.2700 0.3000 2.5400 0.1000 -0.2000 0.0000 0.0000 0.0000]
}

// A block of 32 values is 18 bytes in Q4_0 and 34 in Q8_0, against 128 in
// float32. Q4_0 rounds halves up, as ggml: −3.75/0.5 = −7.5 becomes −7.
func Example_q4_0() {
	x := make([]float32, 32)
	for i := range x {
		x[i] = float32(i-16) / 4
	}
	b, err := compress.AppendQ4_0(nil, x)
	if err != nil {
		fmt.Println(err)
	}
	y, _ := compress.DequantizeQ4_0(nil, b)
	fmt.Printf("%d bytes, d = %v\n", len(b), compress.Float16Value(uint16(b[0])|uint16(b[1])<<8))
	fmt.Println(x[:6])
	fmt.Println(y[:6])
	// Output:
	// 18 bytes, d = 0.5
	// [-4 -3.75 -3.5 -3.25 -3 -2.75]
	// [-4 -3.5 -3.5 -3 -3 -2.5]
}

func ExampleFloat16Bits() {
	for _, f := range []float32{1, 65504, 65519, 65520, 1e-8, 0.1} {
		h := compress.Float16Bits(f)
		fmt.Printf("%g → %#04x → %g\n", f, h, compress.Float16Value(h))
	}
	// Output:
	// 1 → 0x3c00 → 1
	// 65504 → 0x7bff → 65504
	// 65519 → 0x7bff → 65504
	// 65520 → 0x7c00 → +Inf
	// 1e-08 → 0x0000 → 0
	// 0.1 → 0x2e66 → 0.099975586
}

// The student's logits get the gradient of Hinton's loss (PyTorch:
// loss 0.2761531, grad [0.2075, -0.2481, 0.0407]).
func ExampleDistillLoss() {
	student := autograd.Param(tensor.FromSlice([]float32{1, 2, 0.5}, 1, 3))
	teacher := tensor.FromSlice([]float32{0.5, 2.5, 1}, 1, 3)
	tp := autograd.NewTape()
	loss := compress.DistillLoss(tp, student, teacher, []int{1}, 2, 0.5)
	tp.Backward(loss)
	fmt.Printf("loss %.5f, grad %.4f\n", loss.Item(), student.Grad.Data())
	// Output: loss 0.27615, grad [0.2075 -0.2481 0.0407]
}
