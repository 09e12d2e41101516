// Command mlp fits a two-layer perceptron to a toy task — classifying points
// of two interleaved spirals — with nn.Linear layers and optim.AdamW, and
// prints the accuracy on fresh points.
//
//	go run ./examples/mlp
package main

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/tapegrad/tapegrad/autograd"
	"github.com/tapegrad/tapegrad/nn"
	"github.com/tapegrad/tapegrad/optim"
	"github.com/tapegrad/tapegrad/tensor"
)

// MLP is Linear(2→64) → tanh → Linear(64→64) → tanh → Linear(64→2).
type MLP struct{ L1, L2, L3 *nn.Linear }

func NewMLP() *MLP {
	return &MLP{
		L1: nn.NewLinear(nn.LinearConfig{In: 2, Out: 64, Bias: true, Std: 1, Seed: 1}),
		L2: nn.NewLinear(nn.LinearConfig{In: 64, Out: 64, Bias: true, Std: 0.2, Seed: 2}),
		L3: nn.NewLinear(nn.LinearConfig{In: 64, Out: 2, Bias: true, Std: 0.2, Seed: 3}),
	}
}

func (m *MLP) Forward(tp *autograd.Tape, x *autograd.Value) *autograd.Value {
	return m.L3.Forward(tp, tp.Tanh(m.L2.Forward(tp, tp.Tanh(m.L1.Forward(tp, x)))))
}

func (m *MLP) Params() []nn.Param {
	var ps []nn.Param
	for i, l := range []*nn.Linear{m.L1, m.L2, m.L3} {
		for _, p := range l.Params() {
			ps = append(ps, nn.Param{Name: fmt.Sprintf("l%d.%s", i+1, p.Name), Value: p.Value})
		}
	}
	return ps
}

// spirals returns n points [n, 2] on two interleaved spirals and their class.
func spirals(n int, seed uint64) (*tensor.Tensor, []int) {
	r := rand.New(rand.NewPCG(seed, 3))
	x, y := tensor.New(n, 2), make([]int, n)
	for i := range n {
		y[i] = i % 2
		t := 3 * math.Pi * r.Float64()
		rad := t / (3 * math.Pi)
		ang := t + math.Pi*float64(y[i])
		x.Set(float32(rad*math.Cos(ang)+0.03*r.NormFloat64()), i, 0)
		x.Set(float32(rad*math.Sin(ang)+0.03*r.NormFloat64()), i, 1)
	}
	return x, y
}

func train(steps int) float64 {
	m := NewMLP()
	cfg := optim.DefaultAdamW()
	cfg.LR = 1e-2
	opt := optim.NewAdamW(optim.DecayGroups(m.Params(), 0), cfg)
	x, y := spirals(512, 1)
	tp := autograd.NewTape()
	for step := range steps {
		tp.Reset()
		loss := tp.CrossEntropy(m.Forward(tp, autograd.Const(x)), y, -1)
		tp.Backward(loss)
		opt.Step()
		opt.ZeroGrad()
		if step%200 == 0 || step == steps-1 {
			fmt.Printf("step %4d  loss %.4f\n", step, loss.Item())
		}
	}
	tx, ty := spirals(2000, 2)
	tp.Reset()
	var logits *autograd.Value
	tp.NoGrad(func() { logits = m.Forward(tp, autograd.Const(tx)) })
	right := 0
	for i, p := range tensor.Argmax(logits.Data, -1) {
		if p == ty[i] {
			right++
		}
	}
	return float64(right) / float64(len(ty))
}

func main() {
	fmt.Printf("accuracy on 2000 new points: %.1f%%\n", 100*train(1000))
}
