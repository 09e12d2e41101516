package autograd

import (
	"fmt"
	"math"
	"testing"

	"github.com/tapegrad/tapegrad/tensor"
)

// gradTol is the worst CheckGrad error every op must stay under: well below
// the 1e-2 that a gradient wrong by 1% scores.
const gradTol = 3e-3

// scaledTanh is tanh with a gradient deliberately off by the given factor.
func scaledTanh(factor float32) Op {
	return Func{
		ForwardFunc: func(ctx *Context, in []*tensor.Tensor) *tensor.Tensor {
			return ctx.Alloc(in[0].Shape()...).Tanh(in[0])
		},
		BackwardFunc: func(ctx *Context, g *tensor.Tensor, in []*tensor.Tensor, out *tensor.Tensor, grads []*tensor.Tensor) {
			y, gd, dx := out.Data(), g.Data(), grads[0].Data()
			for i := range dx {
				dx[i] += factor * gd[i] * (1 - y[i]*y[i])
			}
		},
	}
}

// TestCheckGradCatchesWrongGradient: a gradient wrong by 1% must score
// above the tolerance the op tests use, and the correct one below it.
func TestCheckGradCatchesWrongGradient(t *testing.T) {
	for _, c := range []struct {
		factor float32
		bad    bool
	}{{1, false}, {1.01, true}, {0.99, true}, {-1, true}, {0, true}} {
		x := tensor.Randn(1, 0, 1, 4, 5)
		errs := CheckGrad(func(tp *Tape, in []*Value) *Value {
			return tp.Apply("scaled_tanh", scaledTanh(c.factor), in[0])
		}, x)
		if got := errs[0] > gradTol; got != c.bad {
			t.Errorf("CheckGrad of tanh with gradient ×%v = %.2g; caught = %v, want %v", c.factor, errs[0], got, c.bad)
		}
	}
}

// TestCheckGradCatchesOneWrongElement: an error in a single element of the
// gradient is caught too.
func TestCheckGradCatchesOneWrongElement(t *testing.T) {
	op := Func{
		ForwardFunc: func(ctx *Context, in []*tensor.Tensor) *tensor.Tensor {
			return ctx.Alloc(in[0].Shape()...).Scale(in[0], 2)
		},
		BackwardFunc: func(ctx *Context, g *tensor.Tensor, in []*tensor.Tensor, out *tensor.Tensor, grads []*tensor.Tensor) {
			for i, v := range g.Data() {
				grads[0].Data()[i] += 2 * v
			}
			grads[0].Data()[3] += 0.03 * g.Data()[3] // 1.5% off in one place
		},
	}
	errs := CheckGrad(func(tp *Tape, in []*Value) *Value { return tp.Apply("twice", op, in[0]) }, tensor.Ones(3, 3))
	if errs[0] <= gradTol {
		t.Errorf("one wrong element: CheckGrad = %.2g; want > %v", errs[0], gradTol)
	}
}

// gradCase is one op under CheckGrad: f applied to inputs of the given
// shapes, drawn from N(0, 1) and then passed through prep (to keep them off
// kinks and poles).
type gradCase struct {
	name   string
	shapes [][]int
	prep   func(x []float32)
	f      func(tp *Tape, in []*Value) *Value
}

func awayFromZero(x []float32) {
	for i, v := range x {
		if math.Abs(float64(v)) < 0.1 {
			x[i] = v + float32(math.Copysign(0.2, float64(v)))
		}
	}
}

func positive(x []float32) {
	for i, v := range x {
		x[i] = float32(math.Abs(float64(v))) + 0.5
	}
}

var (
	targets = []int{0, 3, 5, 2, 6, 1}
	indices = []int{1, 4, 1, 0, 2, 4}
)

func gradCases() []gradCase {
	one := func(shape ...int) [][]int { return [][]int{shape} }
	two := func(a, b []int) [][]int { return [][]int{a, b} }
	return []gradCase{
		{"add/broadcast", two([]int{2, 3, 4}, []int{3, 1}), nil, func(tp *Tape, in []*Value) *Value { return tp.Add(in[0], in[1]) }},
		{"sub/broadcast", two([]int{4}, []int{2, 3, 4}), nil, func(tp *Tape, in []*Value) *Value { return tp.Sub(in[0], in[1]) }},
		{"mul/broadcast", two([]int{2, 3, 4}, []int{4}), nil, func(tp *Tape, in []*Value) *Value { return tp.Mul(in[0], in[1]) }},
		{"div/broadcast", two([]int{2, 3}, []int{2, 1}), positive, func(tp *Tape, in []*Value) *Value { return tp.Div(in[0], in[1]) }},
		{"scale", one(3, 4), nil, func(tp *Tape, in []*Value) *Value { return tp.Scale(in[0], -1.5) }},
		{"add_scalar", one(3, 4), nil, func(tp *Tape, in []*Value) *Value { return tp.AddScalar(in[0], 2) }},
		{"exp", one(3, 4), nil, func(tp *Tape, in []*Value) *Value { return tp.Exp(in[0]) }},
		{"log", one(3, 4), positive, func(tp *Tape, in []*Value) *Value { return tp.Log(in[0]) }},
		{"tanh", one(3, 4), nil, func(tp *Tape, in []*Value) *Value { return tp.Tanh(in[0]) }},
		{"sigmoid", one(3, 4), nil, func(tp *Tape, in []*Value) *Value { return tp.Sigmoid(in[0]) }},
		{"relu", one(3, 4), awayFromZero, func(tp *Tape, in []*Value) *Value { return tp.Relu(in[0]) }},
		{"silu", one(3, 4), nil, func(tp *Tape, in []*Value) *Value { return tp.Silu(in[0]) }},
		{"gelu", one(3, 4), nil, func(tp *Tape, in []*Value) *Value { return tp.Gelu(in[0]) }},
		{"gelu_tanh", one(3, 4), nil, func(tp *Tape, in []*Value) *Value { return tp.GeluTanh(in[0]) }},
		{"sum/axis=1", one(2, 3, 4), nil, func(tp *Tape, in []*Value) *Value { return tp.Sum(in[0], 1, false) }},
		{"mean/axis=-1/keepdim", one(2, 3, 4), nil, func(tp *Tape, in []*Value) *Value { return tp.Mean(in[0], -1, true) }},
		{"sum_all", one(2, 3), nil, func(tp *Tape, in []*Value) *Value { return tp.SumAll(in[0]) }},
		{"mean_all", one(2, 3), nil, func(tp *Tape, in []*Value) *Value { return tp.MeanAll(in[0]) }},
		{"softmax", one(3, 5), nil, func(tp *Tape, in []*Value) *Value { return tp.Softmax(in[0]) }},
		{"log_softmax", one(3, 5), nil, func(tp *Tape, in []*Value) *Value { return tp.LogSoftmax(in[0]) }},
		{"matmul", two([]int{3, 5}, []int{5, 4}), nil, func(tp *Tape, in []*Value) *Value { return tp.MatMul(in[0], in[1]) }},
		{"matmul/batched", two([]int{2, 3, 5}, []int{2, 5, 4}), nil, func(tp *Tape, in []*Value) *Value { return tp.MatMul(in[0], in[1]) }},
		{"matmul/shared", two([]int{2, 3, 5}, []int{5, 4}), nil, func(tp *Tape, in []*Value) *Value { return tp.MatMul(in[0], in[1]) }},
		{"matmul/linear", two([]int{2, 3, 5}, []int{4, 5}), nil, func(tp *Tape, in []*Value) *Value { return tp.MatMulTrans(in[0], false, in[1], true) }},
		{"matmul/TN", two([]int{5, 3}, []int{5, 4}), nil, func(tp *Tape, in []*Value) *Value { return tp.MatMulTrans(in[0], true, in[1], false) }},
		{"matmul/TT", two([]int{2, 5, 3}, []int{2, 4, 5}), nil, func(tp *Tape, in []*Value) *Value { return tp.MatMulTrans(in[0], true, in[1], true) }},
		{"matmul/shared-TN", two([]int{2, 5, 3}, []int{5, 4}), nil, func(tp *Tape, in []*Value) *Value { return tp.MatMulTrans(in[0], true, in[1], false) }},
		{"matmul/shared-TT", two([]int{2, 5, 3}, []int{4, 5}), nil, func(tp *Tape, in []*Value) *Value { return tp.MatMulTrans(in[0], true, in[1], true) }},
		{"linear", [][]int{{2, 3, 5}, {4, 5}, {4}}, nil, func(tp *Tape, in []*Value) *Value { return tp.Linear(in[0], in[1], in[2]) }},
		{"linear/no-bias", [][]int{{3, 5}, {4, 5}}, nil, func(tp *Tape, in []*Value) *Value { return tp.Linear(in[0], in[1], nil) }},
		{"reshape", one(2, 3, 4), nil, func(tp *Tape, in []*Value) *Value { return tp.Exp(tp.Reshape(in[0], 4, -1)) }},
		{"transpose", one(2, 3, 4), nil, func(tp *Tape, in []*Value) *Value { return tp.Transpose(in[0], 0, 2) }},
		{"permute", one(2, 3, 4), nil, func(tp *Tape, in []*Value) *Value { return tp.Permute(in[0], 1, 2, 0) }},
		{"slice", one(4, 3), nil, func(tp *Tape, in []*Value) *Value { return tp.Slice(in[0], 1, 3) }},
		{"select", one(3, 2, 4), nil, func(tp *Tape, in []*Value) *Value { return tp.Mul(tp.Select(in[0], 1), tp.Select(in[0], 2)) }},
		{"narrow", one(2, 5, 3), nil, func(tp *Tape, in []*Value) *Value { return tp.Narrow(in[0], 1, 1, 3) }},
		{"split", one(2, 6), nil, func(tp *Tape, in []*Value) *Value {
			p := tp.Split(in[0], -1, 2, 3, 1)
			return tp.Concat(1, tp.Exp(p[2]), p[0], tp.Tanh(p[1]))
		}},
		{"concat", two([]int{2, 3}, []int{2, 2}), nil, func(tp *Tape, in []*Value) *Value { return tp.Concat(1, in[0], in[1], in[0]) }},
		{"cross_entropy", one(6, 7), nil, func(tp *Tape, in []*Value) *Value { return tp.CrossEntropy(in[0], targets, -1) }},
		{"cross_entropy/ignore", one(2, 3, 7), nil, func(tp *Tape, in []*Value) *Value { return tp.CrossEntropy(in[0], targets, 2) }},
		{"layer_norm", [][]int{{2, 3, 8}, {8}, {8}}, nil, func(tp *Tape, in []*Value) *Value { return tp.LayerNorm(in[0], in[1], in[2], 1e-5) }},
		{"layer_norm/no-bias", [][]int{{4, 6}, {6}}, nil, func(tp *Tape, in []*Value) *Value { return tp.LayerNorm(in[0], in[1], nil, 1e-5) }},
		{"rms_norm", [][]int{{2, 3, 8}, {8}}, nil, func(tp *Tape, in []*Value) *Value { return tp.RMSNorm(in[0], in[1], 1e-5) }},
		{"embedding", one(5, 3), nil, func(tp *Tape, in []*Value) *Value { return tp.Embedding(in[0], indices, 2, 3) }},
		{"rope", one(2, 2, 5, 4), nil, func(tp *Tape, in []*Value) *Value { return tp.RoPE(in[0], 10000, 0) }},
		{"rope/offset", one(1, 2, 3, 6), nil, func(tp *Tape, in []*Value) *Value { return tp.RoPE(in[0], 10000, 7) }},
		{"causal_attention", [][]int{{2, 2, 5, 4}, {2, 2, 5, 4}, {2, 2, 5, 4}}, nil, func(tp *Tape, in []*Value) *Value {
			return tp.CausalAttention(in[0], in[1], in[2], 0.5)
		}},
		{"dropout", one(4, 5), nil, func(tp *Tape, in []*Value) *Value { return tp.Dropout(in[0], 0.3, 42) }},
	}
}

// TestOpsCheckGrad runs every op through the gradient checker.
func TestOpsCheckGrad(t *testing.T) {
	for i, c := range gradCases() {
		t.Run(c.name, func(t *testing.T) {
			inputs := make([]*tensor.Tensor, len(c.shapes))
			for j, s := range c.shapes {
				inputs[j] = tensor.Randn(uint64(100*i+j), 0, 1, s...)
				if c.prep != nil {
					c.prep(inputs[j].Data())
				}
			}
			errs := CheckGrad(c.f, inputs...)
			t.Logf("errors %.2g", errs)
			for j, e := range errs {
				if e > gradTol {
					t.Errorf("CheckGrad(%s): input %d (shape %v) error %.3g > %v", c.name, j, c.shapes[j], e, gradTol)
				}
			}
		})
	}
}

func ExampleCheckGrad() {
	x := tensor.Randn(1, 0, 1, 3, 4)
	errs := CheckGrad(func(tp *Tape, in []*Value) *Value { return tp.Softmax(tp.Tanh(in[0])) }, x)
	fmt.Println(errs[0] < 1e-3)
	// Output: true
}
