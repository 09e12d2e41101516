package nn

import (
	"math"

	"github.com/tapegrad/tapegrad/autograd"
)

// MultiHeadAttention is causal self-attention: c_attn projects x [B, T, C]
// to q, k, v (in that order along the last axis), each is split into H heads
// [B, H, T, D], q and k are rotated by RoPE when enabled, the heads attend
// causally (one fused op, softmax(q·kᵀ/√D)·v), and c_proj mixes the heads.
// H·D is C in a GPT-2 layer; a pruned layer keeps D and has fewer heads, so
// c_attn is [3·H·D, C] and c_proj [C, H·D].
type MultiHeadAttention struct {
	CAttn     *Linear // [3·H·D, C]
	CProj     *Linear // [C, H·D]
	NHead     int     // H
	RoPE      bool
	RoPEBase  float64
	ResidDrop *Dropout
}

// NewMultiHeadAttention returns the attention of a block of c with c.NHead
// heads; c_proj's weights are drawn with projStd.
func NewMultiHeadAttention(c Config, projStd float32, next func() uint64) *MultiHeadAttention {
	return newAttention(c, c.NHead, projStd, next)
}

// newAttention returns an attention of c with h heads of size c.HeadSize().
func newAttention(c Config, h int, projStd float32, next func() uint64) *MultiHeadAttention {
	inner := h * c.HeadSize()
	return &MultiHeadAttention{
		CAttn:     NewLinear(LinearConfig{In: c.NEmbd, Out: 3 * inner, Bias: c.Bias, Seed: next()}),
		CProj:     NewLinear(LinearConfig{In: inner, Out: c.NEmbd, Bias: c.Bias, Std: projStd, Seed: next()}),
		NHead:     h,
		RoPE:      c.RoPE,
		RoPEBase:  c.RoPEBase,
		ResidDrop: &Dropout{P: c.Dropout, Seed: next()},
	}
}

// HeadSize returns D, the width of one head (c_attn's rows over 3·H).
func (a *MultiHeadAttention) HeadSize() int { return a.CAttn.Weight.Data.Dim(0) / (3 * a.NHead) }

// Forward maps x [B, T, C] to [B, T, C]; positions start at pos0.
func (a *MultiHeadAttention) Forward(tp *autograd.Tape, x *autograd.Value, pos0 int) *autograd.Value {
	s := x.Shape()
	b, t := s[0], s[1]
	hd := a.HeadSize()
	q, k, v := a.heads(tp, a.CAttn.Forward(tp, x), pos0)
	y := tp.CausalAttention(q, k, v, float32(1/math.Sqrt(float64(hd))))
	// [B, T, H, D] → [B, T, H·D]: head h in columns h·D … h·D+D−1 of
	// c_proj's input (what a Probe on CProj sees).
	y = tp.Reshape(tp.Permute(y, 0, 2, 1, 3), b, t, a.NHead*hd)
	return a.ResidDrop.Forward(tp, a.CProj.Forward(tp, y))
}

// heads splits qkv [B, T, 3·H·D] into q, k, v [B, H, T, D], RoPE applied to
// q and k at positions pos0….
func (a *MultiHeadAttention) heads(tp *autograd.Tape, qkv *autograd.Value, pos0 int) (q, k, v *autograd.Value) {
	s := qkv.Shape()
	b, t := s[0], s[1]
	h := a.NHead
	hd := s[2] / (3 * h)
	// One copy: [B, T, 3, H, D] → [3, B, H, T, D], then views of its three parts.
	qkvh := tp.Permute(tp.Reshape(qkv, b, t, 3, h, hd), 2, 0, 3, 1, 4)
	q, k, v = tp.Select(qkvh, 0), tp.Select(qkvh, 1), tp.Select(qkvh, 2)
	if a.RoPE {
		q, k = tp.RoPE(q, a.RoPEBase, pos0), tp.RoPE(k, a.RoPEBase, pos0)
	}
	return q, k, v
}

// Params returns c_attn and c_proj parameters.
func (a *MultiHeadAttention) Params() []Param {
	return append(prefixed("c_attn", a.CAttn), prefixed("c_proj", a.CProj)...)
}
