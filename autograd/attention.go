package autograd

import (
	"math"

	"github.com/tapegrad/tapegrad/tensor"
)

// CausalAttentionNaive is the reference for CausalAttention: the same
// result, softmax(q·kᵀ·scale + causal mask)·v for q, k, v [B, H, T, D], by
// the simple method, kept for tests and benchmarks. It is one fused op on
// batched GEMMs over the B·H heads that materialises and saves the attention
// probabilities [B·H, T, T] for backward, so its memory is O(T²) per head:
//
//	dV += Pᵀ·dO,  dP = dO·vᵀ,  dS = P∘(dP − rowsum(dP∘P)),
//	dQ += scale·dS·k,  dK += scale·dSᵀ·q.
func (tp *Tape) CausalAttentionNaive(q, k, v *Value, scale float32) *Value {
	checkAttention("CausalAttentionNaive", q, k, v)
	return tp.Apply("causal_attention_naive", &causalAttention{scale: scale}, q, k, v)
}

type causalAttention struct {
	scale float32
	p     *tensor.Tensor // [B·H, T, T] probabilities, 0 above the diagonal
}

func (a *causalAttention) Forward(ctx *Context, in []*tensor.Tensor) *tensor.Tensor {
	q, k, v := in[0], in[1], in[2]
	s := q.Shape()
	bh, t, d := s[0]*s[1], s[2], s[3]
	p := ctx.Alloc(bh, t, t)
	pd := p.Data()
	tensor.GemmBatched(false, true, bh, t, t, d, a.scale, q.Data(), d, t*d, k.Data(), d, t*d, 0, pd, t, t*t)
	for r := 0; r < bh*t; r++ {
		i := r % t
		causalSoftmax(pd[r*t:(r+1)*t], i)
	}
	o := ctx.Alloc(s...)
	tensor.GemmBatched(false, false, bh, t, d, t, 1, pd, t, t*t, v.Data(), d, t*d, 0, o.Data(), d, t*d)
	a.p = p
	return o
}

// causalSoftmax turns row[0..i] into its softmax and zeroes row[i+1..].
func causalSoftmax(row []float32, i int) {
	m := row[0]
	for _, x := range row[1 : i+1] {
		m = max(m, x)
	}
	var sum float64
	for j := 0; j <= i; j++ {
		e := math.Exp(float64(row[j] - m))
		row[j] = float32(e)
		sum += e
	}
	inv := float32(1 / sum)
	for j := 0; j <= i; j++ {
		row[j] *= inv
	}
	clear(row[i+1:])
}

func (a *causalAttention) Backward(ctx *Context, gOut *tensor.Tensor, in []*tensor.Tensor, out *tensor.Tensor, grads []*tensor.Tensor) {
	q, k, v := in[0], in[1], in[2]
	s := q.Shape()
	bh, t, d := s[0]*s[1], s[2], s[3]
	pd, g := a.p.Data(), gOut.Data()
	if grads[2] != nil {
		tensor.GemmBatched(true, false, bh, t, d, t, 1, pd, t, t*t, g, d, t*d, 1, grads[2].Data(), d, t*d)
	}
	if grads[0] == nil && grads[1] == nil {
		return
	}
	ds := ctx.tape.pool.GetUninit(bh, t, t)
	dsd := ds.Data()
	tensor.GemmBatched(false, true, bh, t, t, d, 1, g, d, t*d, v.Data(), d, t*d, 0, dsd, t, t*t)
	for r := 0; r < bh*t; r++ {
		prow, drow := pd[r*t:(r+1)*t], dsd[r*t:(r+1)*t]
		var dot float64
		for j, pj := range prow {
			dot += float64(pj) * float64(drow[j])
		}
		for j, pj := range prow {
			drow[j] = pj * (drow[j] - float32(dot))
		}
	}
	if grads[0] != nil {
		tensor.GemmBatched(false, false, bh, t, d, t, a.scale, dsd, t, t*t, k.Data(), d, t*d, 1, grads[0].Data(), d, t*d)
	}
	if grads[1] != nil {
		tensor.GemmBatched(true, false, bh, t, d, t, a.scale, dsd, t, t*t, q.Data(), d, t*d, 1, grads[1].Data(), d, t*d)
	}
	ctx.tape.pool.Put(ds)
}
