package autograd

import (
	"fmt"
	"math"

	"github.com/tapegrad/tapegrad/tensor"
)

// CrossEntropy returns the mean cross-entropy of logits [..., V] against
// targets, one class index per row of logits (len(targets) = numel/V), as a
// scalar. Rows whose target is ignoreIndex count neither in the sum nor in
// the mean (pass -1 to ignore none, or PyTorch's -100); when every row is
// ignored the result is NaN, as in PyTorch. It fuses log-softmax and the
// negative log-likelihood: the gradient is (softmax(logits) − onehot)/count.
// It panics with an *IndexError if a target is out of range.
func (tp *Tape) CrossEntropy(logits *Value, targets []int, ignoreIndex int) *Value {
	v := logits.Data.Dim(-1)
	if rows := logits.Data.Numel() / max(v, 1); rows != len(targets) {
		panic(&tensor.ShapeError{Op: "CrossEntropy", Msg: fmt.Sprintf("%d targets for logits %v (%d rows)", len(targets), logits.Shape(), rows)})
	}
	for i, t := range targets {
		if t != ignoreIndex && (t < 0 || t >= v) {
			panic(&tensor.IndexError{Op: "CrossEntropy", Msg: fmt.Sprintf("target %d at row %d out of range [0, %d)", t, i, v)})
		}
	}
	return tp.Apply("cross_entropy", &crossEntropy{targets: targets, ignore: ignoreIndex}, logits)
}

type crossEntropy struct {
	targets []int
	ignore  int
	lse     []float64 // log Σ exp per row, saved for backward
	count   int
}

func (ce *crossEntropy) Forward(ctx *Context, in []*tensor.Tensor) *tensor.Tensor {
	x := in[0].Data()
	v := in[0].Dim(-1)
	if ctx.Recording() {
		ce.lse = make([]float64, len(ce.targets))
	}
	var total float64
	for r, t := range ce.targets {
		if t == ce.ignore {
			continue
		}
		row := x[r*v : (r+1)*v]
		lse := logSumExp(row)
		if ce.lse != nil {
			ce.lse[r] = lse
		}
		total += lse - float64(row[t])
		ce.count++
	}
	out := ctx.Alloc()
	out.Data()[0] = float32(total / float64(ce.count)) // NaN when count is 0
	return out
}

func (ce *crossEntropy) Backward(ctx *Context, gOut *tensor.Tensor, in []*tensor.Tensor, out *tensor.Tensor, grads []*tensor.Tensor) {
	if ce.count == 0 {
		return
	}
	x, dx := in[0].Data(), grads[0].Data()
	v := in[0].Dim(-1)
	scale := float64(gOut.Data()[0]) / float64(ce.count)
	for r, t := range ce.targets {
		if t == ce.ignore {
			continue
		}
		row, drow := x[r*v:(r+1)*v], dx[r*v:(r+1)*v]
		lse := ce.lse[r]
		for j, xj := range row {
			drow[j] += float32(scale * math.Exp(float64(xj)-lse))
		}
		drow[t] -= float32(scale)
	}
}

// logSumExp returns log Σ exp(x) in float64, stably.
func logSumExp(x []float32) float64 {
	m := float64(x[0])
	for _, v := range x[1:] {
		m = max(m, float64(v))
	}
	var s float64
	for _, v := range x {
		s += math.Exp(float64(v) - m)
	}
	return m + math.Log(s)
}
