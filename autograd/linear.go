package autograd

import (
	"fmt"

	"github.com/tapegrad/tapegrad/tensor"
)

// Linear returns x·wᵀ + b, the affine map of a PyTorch Linear layer: x is
// [..., In], w is [Out, In] and b is [Out] (or nil); the result is
// [..., Out]. It is one fused op: the forward pass copies b into every row
// of the result and runs one GEMM with beta = 1 (no separate bias pass), and
// the backward pass is two GEMMs and a column sum:
//
//	dx += g·w,  dw += gᵀ·x,  db += Σ_rows g.
func (tp *Tape) Linear(x, w, b *Value) *Value {
	in := x.Data.Dim(-1)
	if w.Data.Dims() != 2 || w.Data.Dim(1) != in {
		panic(&tensor.ShapeError{Op: "Linear", Msg: fmt.Sprintf("input %v and weight %v: want [..., In] and [Out, In]", x.Shape(), w.Shape())})
	}
	if b == nil {
		return tp.Apply("linear", linear{}, x, w)
	}
	if s := b.Shape(); len(s) != 1 || s[0] != w.Data.Dim(0) {
		panic(&tensor.ShapeError{Op: "Linear", Msg: fmt.Sprintf("bias %v for weight %v: want [Out]", s, w.Shape())})
	}
	return tp.Apply("linear", linear{}, x, w, b)
}

type linear struct{}

func (linear) Forward(ctx *Context, in []*tensor.Tensor) *tensor.Tensor {
	x, w := in[0], in[1]
	k, n := w.Dim(1), w.Dim(0)
	rows := x.Numel() / max(k, 1)
	shape := append(append(make([]int, 0, x.Dims()), x.Shape()[:x.Dims()-1]...), n)
	y := ctx.Alloc(shape...)
	yd := y.Data()
	var beta float32
	if len(in) == 3 {
		bias := in[2].Data()
		for r := range rows {
			copy(yd[r*n:(r+1)*n], bias)
		}
		beta = 1
	}
	tensor.Gemm(false, true, rows, n, k, 1, x.Data(), k, w.Data(), k, beta, yd, n)
	return y
}

func (linear) Backward(ctx *Context, g *tensor.Tensor, in []*tensor.Tensor, out *tensor.Tensor, grads []*tensor.Tensor) {
	x, w := in[0], in[1]
	k, n := w.Dim(1), w.Dim(0)
	rows := x.Numel() / max(k, 1)
	gd := g.Data()
	if grads[0] != nil {
		tensor.Gemm(false, false, rows, k, n, 1, gd, n, w.Data(), k, 1, grads[0].Data(), k)
	}
	if grads[1] != nil {
		tensor.Gemm(true, false, n, k, rows, 1, gd, n, x.Data(), k, 1, grads[1].Data(), k)
	}
	if len(grads) == 3 && grads[2] != nil {
		grads[2].AddSumTo(g.Reshape(rows, n))
	}
}
