package autograd

import (
	"fmt"
	"math/rand/v2"

	"github.com/tapegrad/tapegrad/tensor"
)

// Dropout zeroes each element of x with probability p and scales the rest by
// 1/(1−p), with a mask drawn from a PCG generator seeded with seed: the same
// seed gives the same mask, so a run is reproducible and resumable. With
// p = 0 it returns x itself. It panics unless 0 ≤ p < 1.
func (tp *Tape) Dropout(x *Value, p float32, seed uint64) *Value {
	if p < 0 || p >= 1 {
		panic(&tensor.ShapeError{Op: "Dropout", Msg: fmt.Sprintf("probability %v not in [0, 1)", p)})
	}
	if p == 0 {
		return x
	}
	mask := tp.alloc(x.Shape()...)
	md := mask.Data()
	r := rand.New(rand.NewPCG(seed, seed^0xda3e39cb94b95bdb))
	keep := 1 / (1 - p)
	for i := range md {
		if r.Float32() < p {
			md[i] = 0
		} else {
			md[i] = keep
		}
	}
	y := tp.alloc(x.Shape()...).Mul(x.Data, mask)
	out := tp.result(y, tp.needsGrad(x))
	if !out.requiresGrad {
		return out
	}
	tp.record("dropout", out, func(g *tensor.Tensor) { tp.accumulateMul(x, g, mask) })
	return out
}
