package autograd

import (
	"fmt"

	"github.com/tapegrad/tapegrad/tensor"
)

// Embedding looks up rows of w [V, C]: for idx of shape idxShape (len(idx)
// is its product) the result is [idxShape..., C]. The gradient of row i of w
// is the sum of the result's gradient over every position holding i. It
// panics with an *IndexError if an index is out of range.
func (tp *Tape) Embedding(w *Value, idx []int, idxShape ...int) *Value {
	if w.Data.Dims() != 2 {
		panic(&tensor.ShapeError{Op: "Embedding", Msg: fmt.Sprintf("table has shape %v; want [V, C]", w.Shape())})
	}
	vocab, c := w.Data.Dim(0), w.Data.Dim(1)
	n := 1
	for _, d := range idxShape {
		n *= d
	}
	if n != len(idx) {
		panic(&tensor.ShapeError{Op: "Embedding", Msg: fmt.Sprintf("%d indices for shape %v", len(idx), idxShape)})
	}
	y := tp.alloc(append(append([]int(nil), idxShape...), c)...)
	yd, wd := y.Data(), w.Data.Data()
	for p, i := range idx {
		if i < 0 || i >= vocab {
			panic(&tensor.IndexError{Op: "Embedding", Msg: fmt.Sprintf("index %d at position %d out of range [0, %d)", i, p, vocab)})
		}
		copy(yd[p*c:(p+1)*c], wd[i*c:(i+1)*c])
	}
	out := tp.result(y, tp.needsGrad(w))
	if !out.requiresGrad {
		return out
	}
	tp.record("embedding", out, func(g *tensor.Tensor) {
		dw, gd := tp.gradOf(w).Data(), g.Data()
		for p, i := range idx {
			dst := dw[i*c : (i+1)*c]
			for j, v := range gd[p*c : (p+1)*c] {
				dst[j] += v
			}
		}
	})
	return out
}
