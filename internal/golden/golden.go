// Package golden reads the tensors of the golden files that reference
// systems (PyTorch, ggml's rules) computed for the tests: a tensor is
// {"shape": [...], "data": [... row-major ...]} in float64, or in integers
// for indices (../shared/README.md, "Golden file formats").
package golden

import (
	"math"
	"slices"
	"testing"

	"github.com/tapegrad/tapegrad/tensor"
)

// Tensor is a golden tensor as the files hold it.
type Tensor struct {
	Shape []int     `json:"shape"`
	Data  []float64 `json:"data"`
}

// Float32 returns the tensor rounded to float32.
func (g Tensor) Float32() *tensor.Tensor {
	d := make([]float32, len(g.Data))
	for i, v := range g.Data {
		d[i] = float32(v)
	}
	return tensor.FromSlice(d, g.Shape...)
}

// Ints returns the data as integers (for idx, targets and the like).
func (g Tensor) Ints() []int {
	out := make([]int, len(g.Data))
	for i, v := range g.Data {
		out[i] = int(v)
	}
	return out
}

// Compare fails the test unless got has want's shape and every value is
// within rel·|want| + abs of it (a NaN never is).
func Compare(tb testing.TB, what string, got *tensor.Tensor, want Tensor, rel, abs float64) {
	tb.Helper()
	if got == nil {
		tb.Fatalf("%s: nil", what)
	}
	if !slices.Equal(got.Shape(), want.Shape) {
		tb.Fatalf("%s: shape %v; want %v", what, got.Shape(), want.Shape)
	}
	for i, w := range want.Data {
		g := float64(got.Data()[i])
		if math.Abs(g-w) > rel*math.Abs(w)+abs || math.IsNaN(g) {
			tb.Fatalf("%s[%d] = %.8g; want %.8g (diff %.3g)", what, i, g, w, g-w)
		}
	}
}
