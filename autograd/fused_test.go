package autograd

import (
	"math"
	"testing"

	"github.com/tapegrad/tapegrad/tensor"
)

// The fused ops are checked against the same computation composed of
// primitives: values and gradients of every input must agree.

func composedCrossEntropy(tp *Tape, logits *Value, targets []int) *Value {
	v := logits.Data.Dim(-1)
	onehot := tensor.New(len(targets), v)
	for r, t := range targets {
		onehot.Set(-1/float32(len(targets)), r, t)
	}
	return tp.SumAll(tp.Mul(tp.LogSoftmax(tp.Reshape(logits, -1, v)), Const(onehot)))
}

func composedLayerNorm(tp *Tape, x, w, b *Value, eps float32) *Value {
	mean := tp.Mean(x, -1, true)
	d := tp.Sub(x, mean)
	variance := tp.Mean(tp.Mul(d, d), -1, true)
	rstd := tp.Div(Const(tensor.Ones(1)), tp.Exp(tp.Scale(tp.Log(tp.AddScalar(variance, eps)), 0.5)))
	return tp.Add(tp.Mul(tp.Mul(d, rstd), w), b)
}

func composedRMSNorm(tp *Tape, x, w *Value, eps float32) *Value {
	ms := tp.Mean(tp.Mul(x, x), -1, true)
	rstd := tp.Exp(tp.Scale(tp.Log(tp.AddScalar(ms, eps)), -0.5))
	return tp.Mul(tp.Mul(x, rstd), w)
}

func composedAttention(tp *Tape, q, k, v *Value, scale float32) *Value {
	t := q.Data.Dim(2)
	mask := tensor.New(t, t)
	for i := range t {
		for j := i + 1; j < t; j++ {
			mask.Set(float32(math.Inf(-1)), i, j)
		}
	}
	s := tp.Add(tp.Scale(tp.MatMulTrans(q, false, k, true), scale), Const(mask))
	return tp.MatMul(tp.Softmax(s), v)
}

func TestFusedMatchComposed(t *testing.T) {
	cases := []struct {
		name          string
		shapes        [][]int
		fused, simple func(tp *Tape, in []*Value) *Value
	}{
		{"linear", [][]int{{2, 3, 5}, {4, 5}, {4}},
			func(tp *Tape, in []*Value) *Value { return tp.Linear(in[0], in[1], in[2]) },
			func(tp *Tape, in []*Value) *Value { return tp.Add(tp.MatMulTrans(in[0], false, in[1], true), in[2]) }},
		{"cross_entropy", [][]int{{2, 3, 7}},
			func(tp *Tape, in []*Value) *Value { return tp.CrossEntropy(in[0], targets, -1) },
			func(tp *Tape, in []*Value) *Value { return composedCrossEntropy(tp, in[0], targets) }},
		{"layer_norm", [][]int{{2, 3, 8}, {8}, {8}},
			func(tp *Tape, in []*Value) *Value { return tp.LayerNorm(in[0], in[1], in[2], 1e-5) },
			func(tp *Tape, in []*Value) *Value { return composedLayerNorm(tp, in[0], in[1], in[2], 1e-5) }},
		{"rms_norm", [][]int{{2, 3, 8}, {8}},
			func(tp *Tape, in []*Value) *Value { return tp.RMSNorm(in[0], in[1], 1e-5) },
			func(tp *Tape, in []*Value) *Value { return composedRMSNorm(tp, in[0], in[1], 1e-5) }},
		{"causal_attention", [][]int{{2, 3, 9, 4}, {2, 3, 9, 4}, {2, 3, 9, 4}},
			func(tp *Tape, in []*Value) *Value { return tp.CausalAttention(in[0], in[1], in[2], 0.5) },
			func(tp *Tape, in []*Value) *Value { return composedAttention(tp, in[0], in[1], in[2], 0.5) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			run := func(f func(tp *Tape, in []*Value) *Value) (*tensor.Tensor, []*tensor.Tensor) {
				in := make([]*Value, len(c.shapes))
				for i, s := range c.shapes {
					in[i] = Param(tensor.Randn(uint64(i+1), 0, 1, s...))
				}
				tp := NewTape()
				out := f(tp, in)
				tp.BackwardWith(out, tensor.Randn(99, 0, 1, out.Shape()...))
				grads := make([]*tensor.Tensor, len(in))
				for i, v := range in {
					grads[i] = v.Grad
				}
				return out.Data, grads
			}
			fy, fg := run(c.fused)
			sy, sg := run(c.simple)
			near(t, "value", fy, sy)
			for i := range fg {
				near(t, "grad", fg[i], sg[i])
			}
		})
	}
}

func near(t *testing.T, what string, got, want *tensor.Tensor) {
	t.Helper()
	if !got.SameShape(want) {
		t.Fatalf("%s: shape %v; want %v", what, got.Shape(), want.Shape())
	}
	for i, w := range want.Data() {
		if g := got.Data()[i]; math.Abs(float64(g-w)) > 1e-4*(1+math.Abs(float64(w))) {
			t.Fatalf("%s[%d] = %v; composed %v", what, i, g, w)
		}
	}
}
