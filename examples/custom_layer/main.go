// Command custom_layer defines a new layer with its own backward pass — a
// parametric ReLU with a learnable slope per channel — checks its gradients
// with autograd.CheckGrad, and trains a small network that uses it to
// separate two concentric rings of points.
//
//	go run ./examples/custom_layer
package main

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"

	"github.com/tapegrad/tapegrad/autograd"
	"github.com/tapegrad/tapegrad/tensor"
)

// PReLU is y = x where x > 0 and y = a·x elsewhere, with one learnable slope
// a per channel: x is [N, C] and a is [C].
type PReLU struct {
	Slope *autograd.Value // [C]
}

// NewPReLU returns a PReLU over c channels with every slope at 0.25.
func NewPReLU(c int) *PReLU { return &PReLU{Slope: autograd.Param(tensor.Full(0.25, c))} }

// Forward applies the layer to x [N, C].
func (l *PReLU) Forward(tp *autograd.Tape, x *autograd.Value) *autograd.Value {
	return tp.Apply("prelu", preluOp{}, x, l.Slope)
}

// preluOp is the op itself: a forward and a backward, run by Tape.Apply like
// any built-in.
type preluOp struct{}

func (preluOp) Forward(ctx *autograd.Context, in []*tensor.Tensor) *tensor.Tensor {
	x, a := in[0], in[1].Data()
	c := len(a)
	y := ctx.Alloc(x.Shape()...)
	yd := y.Data()
	for i, v := range x.Data() {
		if v <= 0 {
			v *= a[i%c]
		}
		yd[i] = v
	}
	return y
}

// Backward: dx = g where x > 0 and g·a elsewhere; da = Σ g·x over the rows
// where x ≤ 0. It adds into the gradients it is given (nil ones need none).
func (preluOp) Backward(ctx *autograd.Context, g *tensor.Tensor, in []*tensor.Tensor, out *tensor.Tensor, grads []*tensor.Tensor) {
	x, a, gd := in[0].Data(), in[1].Data(), g.Data()
	c := len(a)
	for i, v := range x {
		if v > 0 {
			if grads[0] != nil {
				grads[0].Data()[i] += gd[i]
			}
			continue
		}
		if grads[0] != nil {
			grads[0].Data()[i] += gd[i] * a[i%c]
		}
		if grads[1] != nil {
			grads[1].Data()[i%c] += gd[i] * v
		}
	}
}

// Net is Linear(2→16) → PReLU → Linear(16→2).
type Net struct {
	W1, B1, W2, B2 *autograd.Value
	Act            *PReLU
}

func NewNet(seed uint64) *Net {
	return &Net{
		W1: autograd.Param(tensor.Randn(seed, 0, 0.5, 16, 2)), B1: autograd.Param(tensor.New(16)),
		W2: autograd.Param(tensor.Randn(seed+1, 0, 0.5, 2, 16)), B2: autograd.Param(tensor.New(2)),
		Act: NewPReLU(16),
	}
}

func (n *Net) Params() []*autograd.Value {
	return []*autograd.Value{n.W1, n.B1, n.W2, n.B2, n.Act.Slope}
}

// Logits maps points x [N, 2] to class scores [N, 2].
func (n *Net) Logits(tp *autograd.Tape, x *autograd.Value) *autograd.Value {
	h := n.Act.Forward(tp, tp.Add(tp.MatMulTrans(x, false, n.W1, true), n.B1))
	return tp.Add(tp.MatMulTrans(h, false, n.W2, true), n.B2)
}

// rings returns n points on two noisy rings (radius 1: class 0, radius 2:
// class 1) as [n, 2] and their labels.
func rings(n int, seed uint64) (*tensor.Tensor, []int) {
	r := rand.New(rand.NewPCG(seed, 7))
	x := tensor.New(n, 2)
	y := make([]int, n)
	for i := range n {
		y[i] = i % 2
		rad := 1 + float64(y[i]) + 0.15*r.NormFloat64()
		ang := 2 * math.Pi * r.Float64()
		x.Set(float32(rad*math.Cos(ang)), i, 0)
		x.Set(float32(rad*math.Sin(ang)), i, 1)
	}
	return x, y
}

// train runs steps of full-batch gradient descent and returns the final loss
// and the accuracy on fresh points.
func train(steps int, log func(step int, loss float32)) (float32, float64) {
	net := NewNet(1)
	x, y := rings(256, 1)
	tp := autograd.NewTape()
	var loss float32
	for step := range steps {
		tp.Reset()
		l := tp.CrossEntropy(net.Logits(tp, autograd.Const(x)), y, -1)
		tp.Backward(l)
		for _, p := range net.Params() {
			p.Data.AddScaled(p.Grad, -0.5)
			p.ZeroGrad()
		}
		loss = l.Item()
		if log != nil && (step%100 == 0 || step == steps-1) {
			log(step, loss)
		}
	}
	tx, ty := rings(1000, 2)
	tp.Reset()
	var logits *autograd.Value
	tp.NoGrad(func() { logits = net.Logits(tp, autograd.Const(tx)) })
	correct := 0
	for i, p := range tensor.Argmax(logits.Data, -1) {
		if p == ty[i] {
			correct++
		}
	}
	return loss, float64(correct) / float64(len(ty))
}

func main() {
	// 1. The hand-written backward agrees with central differences.
	x := tensor.Randn(3, 0, 1, 8, 5)
	a := tensor.Full(0.25, 5)
	errs := autograd.CheckGrad(func(tp *autograd.Tape, in []*autograd.Value) *autograd.Value {
		return tp.Apply("prelu", preluOp{}, in[0], in[1])
	}, x, a)
	fmt.Printf("CheckGrad: worst relative error %.2g (x), %.2g (slope)\n", errs[0], errs[1])
	if errs[0] > 1e-2 || errs[1] > 1e-2 {
		fmt.Fprintln(os.Stderr, "custom_layer: the gradient check failed")
		os.Exit(1)
	}

	// 2. The layer trains like any other.
	loss, acc := train(600, func(step int, loss float32) { fmt.Printf("step %4d  loss %.4f\n", step, loss) })
	fmt.Printf("final loss %.4f, accuracy on 1000 new points %.1f%%\n", loss, 100*acc)
}
