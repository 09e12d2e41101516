package autograd

import "github.com/tapegrad/tapegrad/tensor"

// Op is a differentiable operation written by its user: a forward and a
// backward. Tape.Apply runs it exactly like a built-in op — recorded on the
// tape, skipped by backward when no input needs a gradient, nothing saved
// under NoGrad, buffers from the tape's pool. tapegrad's own fused ops
// (softmax-cross-entropy, layer norm, RMS norm, attention) are Ops.
//
// An Op value may keep what backward needs in its own fields, so make a
// fresh one per call when it does (as the built-ins do), or use ctx.Save.
type Op interface {
	// Forward computes the result from the inputs' data. It must not modify
	// the inputs. Buffers from ctx.Alloc live until the tape's Reset.
	Forward(ctx *Context, in []*tensor.Tensor) *tensor.Tensor
	// Backward adds (+=) into grads[i] the gradient of the loss with respect
	// to in[i], given gOut, the gradient with respect to the result out.
	// grads[i] is nil when input i needs no gradient: skip it.
	Backward(ctx *Context, gOut *tensor.Tensor, in []*tensor.Tensor, out *tensor.Tensor, grads []*tensor.Tensor)
}

// Func adapts two functions to Op, for ops defined inline.
type Func struct {
	ForwardFunc  func(ctx *Context, in []*tensor.Tensor) *tensor.Tensor
	BackwardFunc func(ctx *Context, gOut *tensor.Tensor, in []*tensor.Tensor, out *tensor.Tensor, grads []*tensor.Tensor)
}

// Forward calls f.ForwardFunc.
func (f Func) Forward(ctx *Context, in []*tensor.Tensor) *tensor.Tensor {
	return f.ForwardFunc(ctx, in)
}

// Backward calls f.BackwardFunc.
func (f Func) Backward(ctx *Context, gOut *tensor.Tensor, in []*tensor.Tensor, out *tensor.Tensor, grads []*tensor.Tensor) {
	f.BackwardFunc(ctx, gOut, in, out, grads)
}

// Context is what an Op sees of the tape during one call.
type Context struct {
	tape      *Tape
	recording bool
	saved     []*tensor.Tensor
}

// Recording reports whether the call is being recorded for backward; when it
// is not (NoGrad, or no input needs a gradient), Forward need not save
// anything.
func (c *Context) Recording() bool { return c.recording }

// Alloc returns a buffer of the given shape with unspecified contents, from
// the tape's pool; it goes back at the tape's Reset.
func (c *Context) Alloc(shape ...int) *tensor.Tensor { return c.tape.alloc(shape...) }

// Zeros is Alloc filled with zeros.
func (c *Context) Zeros(shape ...int) *tensor.Tensor { return c.tape.zeros(shape...) }

// Save keeps tensors for Backward, which reads them back with Saved.
func (c *Context) Save(ts ...*tensor.Tensor) { c.saved = append(c.saved, ts...) }

// Saved returns the i-th tensor given to Save.
func (c *Context) Saved(i int) *tensor.Tensor { return c.saved[i] }

// Apply runs op on the inputs and returns its result, recording the op for
// backward when recording is on and some input requires a gradient. The
// result's data must be a new tensor (from ctx.Alloc, ideally), not one of
// the inputs.
func (tp *Tape) Apply(name string, op Op, in ...*Value) *Value {
	rec := tp.needsGrad(in...)
	ctx := &Context{tape: tp, recording: rec}
	data := make([]*tensor.Tensor, len(in))
	for i, v := range in {
		data[i] = v.Data
	}
	out := tp.result(op.Forward(ctx, data), rec)
	if !rec {
		return out
	}
	tp.record(name, out, func(gOut *tensor.Tensor) {
		grads := make([]*tensor.Tensor, len(in))
		for i, v := range in {
			if v.requiresGrad {
				grads[i] = tp.gradOf(v)
			}
		}
		op.Backward(ctx, gOut, data, out.Data, grads)
	})
	return out
}
