package autograd

import (
	"fmt"

	"github.com/tapegrad/tapegrad/tensor"
)

// Reshape returns x with a new shape (one dimension may be -1), sharing x's
// memory; its gradient is the result's gradient reshaped back.
func (tp *Tape) Reshape(x *Value, shape ...int) *Value {
	out := tp.result(x.Data.Reshape(shape...), tp.needsGrad(x))
	if !out.requiresGrad {
		return out
	}
	tp.record("reshape", out, func(g *tensor.Tensor) { tp.accumulate(x, g) })
	return out
}

// Transpose returns x with axes i and j swapped, as a new tensor.
func (tp *Tape) Transpose(x *Value, i, j int) *Value {
	out := tp.result(tp.alloc(swapped(x.Shape(), i, j)...).Transpose(x.Data, i, j), tp.needsGrad(x))
	if !out.requiresGrad {
		return out
	}
	tp.record("transpose", out, func(g *tensor.Tensor) {
		tmp := tp.pool.GetUninit(x.Shape()...).Transpose(g, i, j)
		dx := tp.gradOf(x)
		dx.Add(dx, tmp)
		tp.pool.Put(tmp)
	})
	return out
}

// Permute returns x with its axes reordered (result axis k is x's axis
// perm[k]), as a new tensor.
func (tp *Tape) Permute(x *Value, perm ...int) *Value {
	shape := make([]int, len(perm))
	inverse := make([]int, len(perm))
	for k, p := range perm {
		shape[k] = x.Data.Dim(p)
		inverse[resolveAxis(p, len(perm))] = k
	}
	out := tp.result(tp.alloc(shape...).Permute(x.Data, perm...), tp.needsGrad(x))
	if !out.requiresGrad {
		return out
	}
	tp.record("permute", out, func(g *tensor.Tensor) {
		tmp := tp.pool.GetUninit(x.Shape()...).Permute(g, inverse...)
		dx := tp.gradOf(x)
		dx.Add(dx, tmp)
		tp.pool.Put(tmp)
	})
	return out
}

// Narrow returns the part of x with indices [start, start+length) along
// axis, as a new tensor; the gradient lands in that part of x's gradient.
func (tp *Tape) Narrow(x *Value, axis, start, length int) *Value {
	shape := x.Shape()
	ax := resolveAxis(axis, len(shape))
	if start < 0 || length < 0 || start+length > shape[ax] {
		panic(&tensor.IndexError{Op: "Narrow", Msg: fmt.Sprintf("[%d:%d] out of range for axis %d of %v", start, start+length, axis, shape)})
	}
	outer, n, inner := tensor.SplitAxis(shape, ax)
	oshape := append([]int(nil), shape...)
	oshape[ax] = length
	y := tp.alloc(oshape...)
	yd, xd := y.Data(), x.Data.Data()
	for o := range outer {
		copy(yd[o*length*inner:(o+1)*length*inner], xd[(o*n+start)*inner:(o*n+start+length)*inner])
	}
	out := tp.result(y, tp.needsGrad(x))
	if !out.requiresGrad {
		return out
	}
	tp.record("narrow", out, func(g *tensor.Tensor) {
		dx, gd := tp.gradOf(x).Data(), g.Data()
		for o := range outer {
			dst := dx[(o*n+start)*inner : (o*n+start+length)*inner]
			for i, v := range gd[o*length*inner : (o+1)*length*inner] {
				dst[i] += v
			}
		}
	})
	return out
}

// Slice returns rows [from, to) of x along its first axis, as a new tensor.
func (tp *Tape) Slice(x *Value, from, to int) *Value { return tp.Narrow(x, 0, from, to-from) }

// Split cuts x along axis into parts of the given sizes, which must add up
// to the axis's length. Each part is a Narrow of x.
func (tp *Tape) Split(x *Value, axis int, sizes ...int) []*Value {
	total := 0
	for _, s := range sizes {
		total += s
	}
	if total != x.Data.Dim(axis) {
		panic(&tensor.ShapeError{Op: "Split", Msg: fmt.Sprintf("sizes %v do not add up to axis %d of %v", sizes, axis, x.Shape())})
	}
	parts := make([]*Value, len(sizes))
	start := 0
	for i, s := range sizes {
		parts[i] = tp.Narrow(x, axis, start, s)
		start += s
	}
	return parts
}

// Concat joins xs along axis; every other dimension must match.
func (tp *Tape) Concat(axis int, xs ...*Value) *Value {
	ts := make([]*tensor.Tensor, len(xs))
	for i, x := range xs {
		ts[i] = x.Data
	}
	shape := append([]int(nil), xs[0].Shape()...)
	ax := resolveAxis(axis, len(shape))
	shape[ax] = 0
	for _, x := range xs {
		shape[ax] += x.Data.Dim(ax)
	}
	out := tp.result(tp.alloc(shape...).Concat(axis, ts...), tp.needsGrad(xs...))
	if !out.requiresGrad {
		return out
	}
	tp.record("concat", out, func(g *tensor.Tensor) {
		outer, n, inner := tensor.SplitAxis(shape, ax)
		gd := g.Data()
		start := 0
		for _, x := range xs {
			length := x.Data.Dim(ax)
			if x.requiresGrad {
				dx := tp.gradOf(x).Data()
				for o := range outer {
					src := gd[(o*n+start)*inner : (o*n+start+length)*inner]
					dst := dx[o*length*inner : (o+1)*length*inner]
					for i, v := range src {
						dst[i] += v
					}
				}
			}
			start += length
		}
	})
	return out
}

// swapped returns shape with axes i and j exchanged.
func swapped(shape []int, i, j int) []int {
	out := append([]int(nil), shape...)
	i, j = resolveAxis(i, len(out)), resolveAxis(j, len(out))
	out[i], out[j] = out[j], out[i]
	return out
}

// Select returns x[i] for x of shape [N, ...]: a view of shape [...] that
// shares x's memory, no copy. Its gradient lands in part i of x's gradient.
func (tp *Tape) Select(x *Value, i int) *Value {
	s := x.Shape()
	if len(s) == 0 || i < 0 || i >= s[0] {
		panic(&tensor.IndexError{Op: "Select", Msg: fmt.Sprintf("index %d out of range for shape %v", i, s)})
	}
	out := tp.result(x.Data.Slice(i, i+1).Reshape(s[1:]...), tp.needsGrad(x))
	if !out.requiresGrad {
		return out
	}
	tp.record("select", out, func(g *tensor.Tensor) {
		part := tp.gradOf(x).Slice(i, i+1).Data()
		for j, v := range g.Data() {
			part[j] += v
		}
	})
	return out
}
