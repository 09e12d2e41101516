package autograd

import (
	"math"
	"testing"

	"github.com/tapegrad/tapegrad/tensor"
)

// TestGeluPaths: Gelu gives the same values bit for bit whether it records
// (and saves its derivative) or not, records nothing under NoGrad, and its
// backward is g·GeluErfGrad(x), again bit for bit, when it gives x its
// first gradient, and adds that when x has one already.
func TestGeluPaths(t *testing.T) {
	x := tensor.Scale(tensor.Randn(3, 0, 1, 5, 13), 4)
	g := tensor.Randn(4, 0, 1, 5, 13)
	tp := NewTape()
	var plain *Value
	tp.NoGrad(func() { plain = tp.Gelu(Param(x)) })
	if tp.Len() != 0 || plain.RequiresGrad() {
		t.Fatalf("Gelu under NoGrad: %d records, result requires grad %v; want 0, false", tp.Len(), plain.RequiresGrad())
	}
	w := Param(x)
	h := tp.Mul(w, Const(tensor.Ones(1))) // an intermediate, whose gradient starts at nil
	y := tp.Gelu(h)
	for i, v := range y.Data.Data() {
		if p := plain.Data.Data()[i]; v != p {
			t.Errorf("Gelu(%v) = %v recording, %v under NoGrad", x.Data()[i], v, p)
		}
	}
	tp.BackwardWith(y, g)
	want := tensor.Mul(g, tensor.GeluErfGrad(x))
	for i, v := range w.Grad.Data() {
		if want := want.Data()[i]; v != want {
			t.Errorf("dGelu(%v) = %v; want g·GeluErfGrad(x) = %v", x.Data()[i], v, want)
		}
	}

	// h + Gelu(h): the Add's backward runs first and gives h a gradient.
	tp.Reset()
	w.ZeroGrad()
	h = tp.Mul(w, Const(tensor.Ones(1)))
	tp.BackwardWith(tp.Add(h, tp.Gelu(h)), g)
	for i, v := range w.Grad.Data() {
		gi, gd := float64(g.Data()[i]), float64(want.Data()[i])
		if math.Abs(float64(v)-(gi+gd)) > 2e-7*(math.Abs(gi)+math.Abs(gd)) {
			t.Errorf("d(h + Gelu(h)) at %v = %v; want g + g·GeluErfGrad(x) = %v", x.Data()[i], v, gi+gd)
		}
	}
}
