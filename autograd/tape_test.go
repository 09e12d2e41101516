package autograd

import (
	"fmt"
	"math"
	"testing"

	"github.com/tapegrad/tapegrad/tensor"
)

// mlp is a 2-layer perceptron with its parameters, for the tape tests and
// BenchmarkMLPStep: x [B, In] → tanh(x·W1ᵀ + b1) → ·W2ᵀ + b2 → logits [B, Out].
type mlp struct {
	w1, b1, w2, b2 *Value
}

func newMLP(in, hidden, out int) *mlp {
	return &mlp{
		w1: Param(tensor.Randn(1, 0, 0.3, hidden, in)),
		b1: Param(tensor.New(hidden)),
		w2: Param(tensor.Randn(2, 0, 0.3, out, hidden)),
		b2: Param(tensor.New(out)),
	}
}

func (m *mlp) params() []*Value { return []*Value{m.w1, m.b1, m.w2, m.b2} }

func (m *mlp) loss(tp *Tape, x *Value, y []int) *Value {
	h := tp.Tanh(tp.Add(tp.MatMulTrans(x, false, m.w1, true), m.b1))
	logits := tp.Add(tp.MatMulTrans(h, false, m.w2, true), m.b2)
	return tp.CrossEntropy(logits, y, -1)
}

// step runs one training step of plain SGD on a reused tape.
func (m *mlp) step(tp *Tape, x *Value, y []int, lr float32) float32 {
	tp.Reset()
	loss := m.loss(tp, x, y)
	tp.Backward(loss)
	for _, p := range m.params() {
		p.Data.AddScaled(p.Grad, -lr)
		p.ZeroGrad()
	}
	return loss.Item()
}

func toyBatch() (*Value, []int) {
	x := tensor.Randn(3, 0, 1, 32, 8)
	y := make([]int, 32)
	for i := range y {
		if x.At(i, 0)+x.At(i, 1) > 0 {
			y[i] = 1
		}
	}
	return Const(x), y
}

func TestMLPLearns(t *testing.T) {
	m := newMLP(8, 16, 2)
	tp := NewTape()
	x, y := toyBatch()
	first := m.step(tp, x, y, 0.5)
	var last float32
	for range 200 {
		last = m.step(tp, x, y, 0.5)
	}
	if !(last < first/4) {
		t.Errorf("loss %v after 200 steps from %v; want a quarter or less", last, first)
	}
}

// TestStepAllocations: a training step on a reused tape allocates a small
// constant (the op records and tensor headers), and its buffers come from
// the pool: after the first step the pool misses no more.
func TestStepAllocations(t *testing.T) {
	m := newMLP(8, 16, 2)
	tp := NewTape()
	x, y := toyBatch()
	m.step(tp, x, y, 0.1)
	m.step(tp, x, y, 0.1)
	misses := tp.Pool().Stats().Misses
	allocs := testing.AllocsPerRun(50, func() { m.step(tp, x, y, 0.1) })
	if allocs > 64 {
		t.Errorf("a step allocates %v times; want a small constant (≤ 64)", allocs)
	}
	if got := tp.Pool().Stats().Misses; got != misses {
		t.Errorf("the pool missed %d more times after warm-up; want 0 (memory should be flat)", got-misses)
	}
	t.Logf("%v allocations per step", allocs)
}

// TestGradientsAccumulate: two backward passes add up, as for micro-batches.
func TestGradientsAccumulate(t *testing.T) {
	w := Param(tensor.Randn(1, 0, 1, 3, 4))
	x := Const(tensor.Randn(2, 0, 1, 5, 4))
	tp := NewTape()
	run := func() {
		tp.Reset()
		tp.Backward(tp.SumAll(tp.Tanh(tp.MatMulTrans(x, false, w, true))))
	}
	run()
	once := w.Grad.Clone()
	run()
	for i, g := range w.Grad.Data() {
		if math.Abs(float64(g-2*once.Data()[i])) > 1e-5 {
			t.Fatalf("after two passes grad[%d] = %v; want 2·%v", i, g, once.Data()[i])
		}
	}
	w.ZeroGrad()
	for i, g := range w.Grad.Data() {
		if g != 0 {
			t.Fatalf("after ZeroGrad grad[%d] = %v", i, g)
		}
	}
}

// TestNoGrad: nothing is recorded and no gradient is allocated.
func TestNoGrad(t *testing.T) {
	w := Param(tensor.Randn(1, 0, 1, 3, 4))
	tp := NewTape()
	var y *Value
	tp.NoGrad(func() { y = tp.Softmax(tp.Tanh(w)) })
	if tp.Len() != 0 || y.RequiresGrad() || w.Grad != nil {
		t.Errorf("under NoGrad: %d records, result requires grad %v, w.Grad %v; want 0, false, nil", tp.Len(), y.RequiresGrad(), w.Grad)
	}
	if !tp.GradEnabled() {
		t.Error("NoGrad did not restore recording")
	}
	// Ops on constants only record nothing either.
	tp.Tanh(Const(tensor.Ones(2)))
	if tp.Len() != 0 {
		t.Errorf("an op on constants recorded %d entries", tp.Len())
	}
}

// TestRetainGrad: an intermediate's gradient is recycled unless retained.
func TestRetainGrad(t *testing.T) {
	x := Param(tensor.Randn(1, 0, 1, 2, 3))
	tp := NewTape()
	h := tp.Tanh(x)
	h.RetainGrad()
	h2 := tp.Exp(h)
	tp.Backward(tp.SumAll(h2))
	if h.Grad == nil {
		t.Fatal("retained gradient is nil")
	}
	if h2.Grad != nil {
		t.Error("an intermediate's gradient was kept without RetainGrad")
	}
	for i, g := range h.Grad.Data() {
		if want := h2.Data.Data()[i]; math.Abs(float64(g-want)) > 1e-6 {
			t.Fatalf("h.Grad[%d] = %v; want %v", i, g, want)
		}
	}
}

func TestBackwardPanics(t *testing.T) {
	tp := NewTape()
	for name, f := range map[string]func(){
		"non-scalar": func() { tp.Backward(tp.Tanh(Param(tensor.Ones(2)))) },
		"constant":   func() { tp.Backward(tp.SumAll(Const(tensor.Ones(2)))) },
		"bad target": func() { tp.CrossEntropy(Param(tensor.Ones(2, 3)), []int{0, 3}, -1) },
		"bad index":  func() { tp.Embedding(Param(tensor.Ones(2, 3)), []int{2}, 1) },
		"shapes":     func() { tp.Add(Param(tensor.Ones(2, 3)), Param(tensor.Ones(4))) },
	} {
		func() {
			defer func() {
				if _, ok := recover().(error); !ok {
					t.Errorf("%s: did not panic with an error value", name)
				}
			}()
			f()
		}()
	}
}

func BenchmarkMLPStep(b *testing.B) {
	for _, size := range []struct{ batch, in, hidden, out int }{{32, 8, 16, 2}, {256, 128, 512, 64}} {
		b.Run(fmt.Sprintf("batch=%d/hidden=%d", size.batch, size.hidden), func(b *testing.B) {
			m := newMLP(size.in, size.hidden, size.out)
			x := Const(tensor.Randn(3, 0, 1, size.batch, size.in))
			y := make([]int, size.batch)
			for i := range y {
				y[i] = i % size.out
			}
			tp := NewTape()
			b.ReportAllocs()
			for b.Loop() {
				m.step(tp, x, y, 0.01)
			}
		})
	}
}
