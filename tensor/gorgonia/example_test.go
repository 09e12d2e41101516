package gorgonia_test

import (
	"fmt"

	"github.com/tapegrad/tapegrad/tensor"
	"github.com/tapegrad/tapegrad/tensor/gorgonia"
	gtensor "gorgonia.org/tensor"
)

// Hand a tapegrad tensor to Gorgonia without copying, let Gorgonia change it
// in place, then bring a transposed view back (which FromDense materialises).
func Example() {
	x := tensor.FromSlice([]float32{1, 2, 3, 4, 5, 6}, 2, 3)

	d := gorgonia.ToDense(x) // shares x's memory
	if _, err := gtensor.Mul(d, float32(10), gtensor.UseUnsafe()); err != nil {
		panic(err)
	}
	fmt.Println(x) // Gorgonia's in-place Mul wrote into x

	if err := d.T(); err != nil { // a lazy transpose: only strides change
		panic(err)
	}
	y, err := gorgonia.FromDense(d) // gathers the transposed values into new memory
	if err != nil {
		panic(err)
	}
	fmt.Println(y)

	// Output:
	// Tensor[2 3][10 20 30 40 50 60]
	// Tensor[3 2][10 40 20 50 30 60]
}
