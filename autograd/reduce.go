package autograd

import (
	"github.com/tapegrad/tapegrad/tensor"
)

// Sum returns x summed over axis (negative counts from the end), keeping the
// axis with size 1 when keepdim is true. The gradient broadcasts back.
func (tp *Tape) Sum(x *Value, axis int, keepdim bool) *Value {
	return tp.reduce("sum", x, axis, keepdim, 1)
}

// Mean returns the mean of x over axis.
func (tp *Tape) Mean(x *Value, axis int, keepdim bool) *Value {
	n := x.Data.Dim(axis)
	return tp.reduce("mean", x, axis, keepdim, 1/float32(n))
}

func (tp *Tape) reduce(name string, x *Value, axis int, keepdim bool, scale float32) *Value {
	kept := keptShape(x.Shape(), axis)
	y := tp.alloc(kept...).Sum(x.Data, axis, true)
	if scale != 1 {
		y.Scale(y, scale)
	}
	if !keepdim {
		y = y.Reshape(dropAxis(x.Shape(), axis)...)
	}
	out := tp.result(y, tp.needsGrad(x))
	if !out.requiresGrad {
		return out
	}
	tp.record(name, out, func(g *tensor.Tensor) {
		gk := g.Reshape(kept...)
		dx := tp.gradOf(x)
		if scale == 1 {
			dx.Add(dx, gk)
			return
		}
		tmp := tp.pool.GetUninit(kept...).Scale(gk, scale)
		dx.Add(dx, tmp)
		tp.pool.Put(tmp)
	})
	return out
}

// SumAll returns the sum of every element of x, a scalar (shape []).
func (tp *Tape) SumAll(x *Value) *Value { return tp.reduceAll("sum_all", x, 1) }

// MeanAll returns the mean of every element of x, a scalar (shape []).
func (tp *Tape) MeanAll(x *Value) *Value {
	return tp.reduceAll("mean_all", x, 1/float32(x.Data.Numel()))
}

func (tp *Tape) reduceAll(name string, x *Value, scale float32) *Value {
	y := tp.alloc()
	y.Data()[0] = tensor.SumAll(x.Data) * scale
	out := tp.result(y, tp.needsGrad(x))
	if !out.requiresGrad {
		return out
	}
	tp.record(name, out, func(g *tensor.Tensor) {
		gv := g.Data()[0] * scale
		dx := tp.gradOf(x).Data()
		for i := range dx {
			dx[i] += gv
		}
	})
	return out
}

// keptShape returns shape with the axis set to 1.
func keptShape(shape []int, axis int) []int {
	ax := resolveAxis(axis, len(shape))
	out := append([]int(nil), shape...)
	out[ax] = 1
	return out
}

// dropAxis returns shape without the axis.
func dropAxis(shape []int, axis int) []int {
	ax := resolveAxis(axis, len(shape))
	out := append([]int(nil), shape[:ax]...)
	return append(out, shape[ax+1:]...)
}

func resolveAxis(axis, rank int) int {
	if axis < 0 {
		axis += rank
	}
	if axis < 0 || axis >= rank {
		panic(&tensor.IndexError{Op: "autograd", Msg: "axis out of range"})
	}
	return axis
}
