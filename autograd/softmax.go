package autograd

import (
	"math"

	"github.com/tapegrad/tapegrad/tensor"
)

// Softmax returns the softmax of x over its last axis. With y the result and
// g its gradient, dx = y·(g − Σ g·y) row by row.
func (tp *Tape) Softmax(x *Value) *Value {
	out := tp.result(tp.alloc(x.Shape()...).Softmax(x.Data), tp.needsGrad(x))
	if !out.requiresGrad {
		return out
	}
	tp.record("softmax", out, func(g *tensor.Tensor) {
		n := x.Data.Dim(-1)
		dx, gd, y := tp.gradOf(x).Data(), g.Data(), out.Data.Data()
		for r := 0; r < len(y); r += n {
			var dot float64
			for j := r; j < r+n; j++ {
				dot += float64(gd[j]) * float64(y[j])
			}
			for j := r; j < r+n; j++ {
				dx[j] += y[j] * (gd[j] - float32(dot))
			}
		}
	})
	return out
}

// LogSoftmax returns log(softmax(x)) over the last axis, computed stably.
// dx = g − softmax(x)·Σ g row by row.
func (tp *Tape) LogSoftmax(x *Value) *Value {
	out := tp.result(tp.alloc(x.Shape()...).LogSoftmax(x.Data), tp.needsGrad(x))
	if !out.requiresGrad {
		return out
	}
	tp.record("log_softmax", out, func(g *tensor.Tensor) {
		n := x.Data.Dim(-1)
		dx, gd, y := tp.gradOf(x).Data(), g.Data(), out.Data.Data()
		for r := 0; r < len(y); r += n {
			var sum float64
			for j := r; j < r+n; j++ {
				sum += float64(gd[j])
			}
			for j := r; j < r+n; j++ {
				dx[j] += gd[j] - float32(exp64(y[j])*sum)
			}
		}
	})
	return out
}

func exp64(x float32) float64 { return math.Exp(float64(x)) }
