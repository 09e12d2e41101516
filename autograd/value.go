package autograd

import "github.com/tapegrad/tapegrad/tensor"

// Value is a tensor in a differentiable computation: its data, its gradient,
// and whether gradients flow to it.
//
// Leaves — parameters and inputs — are made by Param and Const and live as
// long as the caller keeps them; their Grad persists and accumulates across
// backward passes until ZeroGrad. Values returned by a Tape's ops are
// intermediates: the tape owns their memory, and they are valid until the
// tape's next Reset.
type Value struct {
	// Data is the value, of any shape.
	Data *tensor.Tensor
	// Grad has Data's shape and holds d(loss)/d(Data) after a backward pass;
	// it is nil until a gradient reaches the value.
	Grad *tensor.Tensor

	requiresGrad bool
	leaf         bool // made by Param or Const, not by a tape
	retainGrad   bool // keep an intermediate's Grad after backward
}

// Param returns a leaf that requires a gradient: a parameter or an input to
// differentiate. It uses t as its data (no copy).
func Param(t *tensor.Tensor) *Value { return &Value{Data: t, requiresGrad: true, leaf: true} }

// Const returns a leaf that needs no gradient. It uses t as its data.
func Const(t *tensor.Tensor) *Value { return &Value{Data: t, leaf: true} }

// RequiresGrad reports whether gradients flow to v.
func (v *Value) RequiresGrad() bool { return v.requiresGrad }

// Shape returns the shape of v's data.
func (v *Value) Shape() []int { return v.Data.Shape() }

// Item returns the only element of a one-element value, such as a loss.
func (v *Value) Item() float32 { return v.Data.Item() }

// ZeroGrad sets v's gradient to zero, keeping its buffer, so that the next
// backward pass starts from nothing instead of accumulating.
func (v *Value) ZeroGrad() {
	if v.Grad != nil {
		v.Grad.Zero()
	}
}

// RetainGrad asks the tape to keep v's gradient after the backward pass even
// though v is an intermediate (whose gradient is otherwise recycled as soon
// as it has been used). It is valid until the tape's next Reset.
func (v *Value) RetainGrad() { v.retainGrad = true }
