package tensor_test

import (
	"fmt"

	"github.com/tapegrad/tapegrad/tensor"
)

// A bias of shape [C] broadcasts over activations [B, T, C]; the destination
// form writes into an existing tensor, here the activations themselves.
func ExampleTensor_Add() {
	x := tensor.FromSlice([]float32{1, 2, 3, 4, 5, 6}, 1, 2, 3) // [B, T, C]
	bias := tensor.FromSlice([]float32{10, 20, 30}, 3)          // [C]
	x.Add(x, bias)
	fmt.Println(x)
	// The gradient of the bias is the incoming gradient summed back to [C].
	fmt.Println(tensor.SumTo(x, 3))
	// Output:
	// Tensor[1 2 3][11 22 33 14 25 36]
	// Tensor[3][25 47 69]
}

func ExampleSoftmax() {
	logits := tensor.FromSlice([]float32{1000, 1000, 0, 0}, 2, 2)
	fmt.Println(tensor.Softmax(logits))
	fmt.Println(tensor.Argmax(tensor.FromSlice([]float32{0.1, 0.7, 0.2, 0.5, 0.4, 0.1}, 2, 3), -1))
	// Output:
	// Tensor[2 2][0.5 0.5 0.5 0.5]
	// [1 0]
}

// Intermediates go back to a pool after use, and the next request of a
// similar size reuses their memory.
func ExamplePool() {
	var p tensor.Pool
	h := p.Get(4, 16) // [B, C], zero-filled
	p.Put(h)          // h is empty now
	h2 := p.GetUninit(4, 15)
	s := p.Stats()
	fmt.Println(h2.Shape(), s.Hits, s.Misses)
	// Output:
	// [4 15] 1 1
}
