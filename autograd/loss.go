package autograd

import (
	"fmt"

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
	count   int
}

// Forward sums −log softmax(logits)[t] over the rows; the log-softmax of
// every row runs in tensor's vector kernels, into a pooled buffer.
func (ce *crossEntropy) Forward(ctx *Context, in []*tensor.Tensor) *tensor.Tensor {
	v := in[0].Dim(-1)
	ls := ctx.tape.pool.GetUninit(in[0].Shape()...).LogSoftmax(in[0])
	lsd := ls.Data()
	var total float64
	for r, t := range ce.targets {
		if t == ce.ignore {
			continue
		}
		total -= float64(lsd[r*v+t])
		ce.count++
	}
	ctx.tape.pool.Put(ls)
	out := ctx.Alloc()
	out.Data()[0] = float32(total / float64(ce.count)) // NaN when count is 0
	return out
}

// Backward recomputes softmax(logits) (cheaper than keeping it) and adds
// scale·(softmax − onehot) into the rows that count.
func (ce *crossEntropy) Backward(ctx *Context, gOut *tensor.Tensor, in []*tensor.Tensor, out *tensor.Tensor, grads []*tensor.Tensor) {
	if ce.count == 0 {
		return
	}
	p := ctx.tape.pool.GetUninit(in[0].Shape()...).Softmax(in[0])
	pd, dx := p.Data(), grads[0].Data()
	v := in[0].Dim(-1)
	scale := float32(float64(gOut.Data()[0]) / float64(ce.count))
	for r, t := range ce.targets {
		if t == ce.ignore {
			continue
		}
		prow, drow := pd[r*v:(r+1)*v], dx[r*v:(r+1)*v]
		for j, pj := range prow {
			drow[j] += scale * pj
		}
		drow[t] -= scale
	}
	ctx.tape.pool.Put(p)
}
