package autograd

import (
	"fmt"

	"github.com/tapegrad/tapegrad/tensor"
)

// Tape records the operations of a forward pass so that Backward can run
// their gradient rules in reverse. A Tape is reused from step to step:
//
//	tp := autograd.NewTape()
//	for step := range steps {
//		tp.Reset()                          // recycle the last step's memory
//		loss := model.Forward(tp, batch)    // ops append records
//		tp.Backward(loss)                   // gradients accumulate into leaves
//		...                                 // optimizer step, ZeroGrad
//	}
//
// The data of every intermediate and every buffer an op saves for backward
// come from the tape's tensor.Pool and go back to it at Reset, so a loop of
// steps runs in flat memory. A Tape is not safe for concurrent use.
type Tape struct {
	pool    *tensor.Pool
	records []record
	owned   []*tensor.Tensor // buffers to hand back at Reset
	values  []*Value         // intermediates, reused after Reset
	nvalues int
	noGrad  int
}

// record is one op on the tape: its result and the closure that turns the
// result's gradient into its inputs' gradients.
type record struct {
	name     string
	out      *Value
	backward func(gOut *tensor.Tensor)
}

// NewTape returns an empty tape with its own buffer pool.
func NewTape() *Tape { return &Tape{pool: new(tensor.Pool)} }

// Pool returns the tape's buffer pool.
func (tp *Tape) Pool() *tensor.Pool { return tp.pool }

// Len returns the number of ops recorded since the last Reset or Backward.
func (tp *Tape) Len() int { return len(tp.records) }

// Reset forgets every record and hands the memory of all intermediates back
// to the pool. Values the tape returned before are invalid afterwards.
func (tp *Tape) Reset() {
	clear(tp.records)
	tp.records = tp.records[:0]
	for i, t := range tp.owned {
		tp.pool.Put(t)
		tp.owned[i] = nil
	}
	tp.owned = tp.owned[:0]
	for _, v := range tp.values[:tp.nvalues] {
		*v = Value{}
	}
	tp.nvalues = 0
}

// GradEnabled reports whether ops record themselves (they do unless inside
// NoGrad or after SetGradEnabled(false)).
func (tp *Tape) GradEnabled() bool { return tp.noGrad == 0 }

// SetGradEnabled turns recording on or off and returns the previous setting.
// With recording off, ops compute values only: nothing is recorded, no
// result requires a gradient, and nothing is saved for backward.
func (tp *Tape) SetGradEnabled(on bool) (prev bool) {
	prev = tp.noGrad == 0
	if on {
		tp.noGrad = 0
	} else {
		tp.noGrad = 1
	}
	return prev
}

// NoGrad runs fn with recording off, for evaluation and generation.
func (tp *Tape) NoGrad(fn func()) {
	prev := tp.SetGradEnabled(false)
	defer tp.SetGradEnabled(prev)
	fn()
}

// Backward computes the gradient of loss, a one-element value, with respect
// to every value it depends on that requires a gradient, accumulating (+=)
// into their Grad. It consumes the records: a second call needs a new
// forward pass. The data of intermediates stays valid until Reset.
func (tp *Tape) Backward(loss *Value) {
	if loss.Data.Numel() != 1 {
		panic(&tensor.ShapeError{Op: "Backward", Msg: fmt.Sprintf("loss has shape %v; use BackwardWith for a non-scalar", loss.Shape())})
	}
	seed := tp.pool.GetUninit(loss.Shape()...)
	seed.Fill(1)
	tp.BackwardWith(loss, seed)
	tp.pool.Put(seed)
}

// BackwardWith runs the backward pass seeded with grad, d(loss)/d(v), which
// must have v's shape: it computes the gradients of sum(v·grad).
func (tp *Tape) BackwardWith(v *Value, grad *tensor.Tensor) {
	if !grad.SameShape(v.Data) {
		panic(&tensor.ShapeError{Op: "BackwardWith", Msg: fmt.Sprintf("gradient %v for a value of shape %v", grad.Shape(), v.Shape())})
	}
	if !v.requiresGrad {
		panic(&tensor.ShapeError{Op: "Backward", Msg: "the value does not require a gradient (nothing it depends on is a Param, or it was computed under NoGrad)"})
	}
	tp.gradOf(v).Add(v.Grad, grad)
	for i := len(tp.records) - 1; i >= 0; i-- {
		r := &tp.records[i]
		if g := r.out.Grad; g != nil {
			r.backward(g)
			tp.releaseGrad(r.out)
		}
		*r = record{}
	}
	tp.records = tp.records[:0]
}

// releaseGrad hands an intermediate's gradient back to the pool once its
// op has used it, unless the caller asked to keep it.
func (tp *Tape) releaseGrad(v *Value) {
	switch {
	case v.leaf:
	case v.retainGrad:
		tp.owned = append(tp.owned, v.Grad)
	default:
		tp.pool.Put(v.Grad)
		v.Grad = nil
	}
}

// needsGrad reports whether an op on these inputs must record itself.
func (tp *Tape) needsGrad(in ...*Value) bool {
	if tp.noGrad != 0 {
		return false
	}
	for _, v := range in {
		if v.requiresGrad {
			return true
		}
	}
	return false
}

// alloc returns an owned buffer of the given shape with unspecified contents.
func (tp *Tape) alloc(shape ...int) *tensor.Tensor {
	t := tp.pool.GetUninit(shape...)
	tp.owned = append(tp.owned, t)
	return t
}

// zeros returns an owned zero-filled buffer of the given shape.
func (tp *Tape) zeros(shape ...int) *tensor.Tensor {
	t := tp.pool.Get(shape...)
	tp.owned = append(tp.owned, t)
	return t
}

// result wraps data as an intermediate value that requires a gradient when
// rec is true.
func (tp *Tape) result(data *tensor.Tensor, rec bool) *Value {
	if tp.nvalues == len(tp.values) {
		tp.values = append(tp.values, new(Value))
	}
	v := tp.values[tp.nvalues]
	tp.nvalues++
	v.Data, v.requiresGrad = data, rec
	return v
}

// record appends an op to the tape.
func (tp *Tape) record(name string, out *Value, backward func(gOut *tensor.Tensor)) {
	tp.records = append(tp.records, record{name: name, out: out, backward: backward})
}

// accumulate adds g, of v's shape, into v's gradient. The first gradient to
// reach an intermediate is copied into a fresh buffer rather than added to
// zeros, which saves clearing the buffer and reading it back.
func (tp *Tape) accumulate(v *Value, g *tensor.Tensor) {
	if v.Grad == nil && !v.leaf {
		v.Grad = tp.pool.GetUninit(v.Shape()...).CopyFrom(g.Reshape(v.Shape()...))
		return
	}
	dv := tp.gradOf(v)
	dv.Add(dv, g.Reshape(v.Shape()...))
}

// accumulateMul adds g·d, both of v's shape, into v's gradient: the
// gradient rule of an elementwise op with derivative d. Like accumulate, it
// writes the first gradient to reach an intermediate into a fresh buffer.
func (tp *Tape) accumulateMul(v *Value, g, d *tensor.Tensor) {
	if v.Grad == nil && !v.leaf {
		v.Grad = tp.pool.GetUninit(v.Shape()...).Mul(g, d)
		return
	}
	tp.gradOf(v).AddMul(g, d)
}

// gradOf returns v's gradient buffer, creating it zero-filled on first use:
// from the pool for intermediates (back to the pool as soon as their op has
// used it, see releaseGrad), and as a plain tensor for leaves, whose
// gradients outlive the tape's Reset.
func (tp *Tape) gradOf(v *Value) *tensor.Tensor {
	if v.Grad == nil {
		if v.leaf {
			v.Grad = tensor.New(v.Shape()...)
		} else {
			v.Grad = tp.pool.Get(v.Shape()...)
		}
	}
	return v.Grad
}
