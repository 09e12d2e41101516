package tensor

import "fmt"

// Concat sets z to the tensors xs joined along axis and returns z. Every x
// must have the rank and shape of xs[0] except along axis (negative counts
// from the end), and z has that shape with the axis sizes summed: joining
// [B, T, 2] and [B, T, 3] along −1 gives z [B, T, 5]. z must not share memory
// with any x. Concat panics with a *ShapeError if xs is empty or a shape does
// not fit, and an *IndexError if axis is out of range.
func (z *Tensor) Concat(axis int, xs ...*Tensor) *Tensor {
	ax, total := mustConcat("Concat", xs, axis)
	ok := len(z.shape) == len(xs[0].shape)
	for i := 0; ok && i < len(z.shape); i++ {
		ok = z.shape[i] == xs[0].shape[i] || (i == ax && z.shape[i] == total)
	}
	if !ok {
		panic(&ShapeError{Op: "Concat", Msg: fmt.Sprintf("result has shape %v; joining along axis %d gives %v",
			z.shape, axis, concatShape(xs[0].shape, ax, total))})
	}
	outer, _, inner := SplitAxis(z.shape, ax)
	off := 0
	for o := range outer {
		for _, x := range xs {
			run := x.shape[ax] * inner
			off += copy(z.data[off:off+run], x.data[o*run:(o+1)*run])
		}
	}
	return z
}

// Concat returns the tensors xs joined along axis in a new tensor; see the
// method form.
func Concat(axis int, xs ...*Tensor) *Tensor {
	ax, total := mustConcat("Concat", xs, axis)
	return New(concatShape(xs[0].shape, ax, total)...).Concat(axis, xs...)
}

// mustConcat checks that xs agree in every axis but axis, and returns the
// resolved axis and the sum of the sizes along it.
func mustConcat(op string, xs []*Tensor, axis int) (ax, total int) {
	if len(xs) == 0 {
		panic(&ShapeError{Op: op, Msg: "no tensors"})
	}
	ax = xs[0].axis(op, axis)
	for _, x := range xs {
		ok := len(x.shape) == len(xs[0].shape)
		for i := 0; ok && i < len(x.shape); i++ {
			ok = i == ax || x.shape[i] == xs[0].shape[i]
		}
		if !ok {
			panic(&ShapeError{Op: op, Msg: fmt.Sprintf("shapes %v and %v differ outside axis %d", xs[0].shape, x.shape, axis)})
		}
		total += x.shape[ax]
	}
	return ax, total
}

func concatShape(shape []int, ax, size int) []int {
	out := cloneInts(shape)
	out[ax] = size
	return out
}

// Split cuts x along axis into pieces of the given sizes, which must sum to
// x's size on that axis, and returns them as new tensors: splitting
// [B, T, 3C] along −1 into (C, C, C) gives three [B, T, C]. The pieces are
// copies, not views (a piece of a non-leading axis is not contiguous), so
// writing to them leaves x alone. Split panics with a *ShapeError if the
// sizes do not fit and an *IndexError if axis is out of range.
func Split(x *Tensor, axis int, sizes ...int) []*Tensor {
	ax := x.axis("Split", axis)
	zs := make([]*Tensor, len(sizes))
	for i, s := range sizes {
		if s < 0 {
			panic(&ShapeError{Op: "Split", Msg: fmt.Sprintf("negative size in %v", sizes)})
		}
		zs[i] = New(concatShape(x.shape, ax, s)...)
	}
	SplitInto(x, axis, zs...)
	return zs
}

// SplitInto copies x, cut along axis, into zs, which must have x's shape
// except along axis, where their sizes must sum to x's: the inverse of
// z.Concat(axis, zs...). No z may share memory with x. SplitInto panics with
// a *ShapeError if the shapes do not fit and an *IndexError if axis is out of
// range.
func SplitInto(x *Tensor, axis int, zs ...*Tensor) {
	ax := x.axis("Split", axis)
	total := 0
	for _, z := range zs {
		ok := len(z.shape) == len(x.shape)
		for i := 0; ok && i < len(x.shape); i++ {
			ok = i == ax || z.shape[i] == x.shape[i]
		}
		if !ok {
			panic(&ShapeError{Op: "Split", Msg: fmt.Sprintf("piece of shape %v does not fit %v along axis %d", z.shape, x.shape, axis)})
		}
		total += z.shape[ax]
	}
	if total != x.shape[ax] {
		panic(&ShapeError{Op: "Split", Msg: fmt.Sprintf("pieces sum to %d along axis %d of %v", total, axis, x.shape)})
	}
	outer, _, inner := SplitAxis(x.shape, ax)
	off := 0
	for o := range outer {
		for _, z := range zs {
			run := z.shape[ax] * inner
			off += copy(z.data[o*run:(o+1)*run], x.data[off:off+run])
		}
	}
}
