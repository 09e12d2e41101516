package gorgonia

import (
	"errors"
	"fmt"

	"github.com/tapegrad/tapegrad/tensor"
	gtensor "gorgonia.org/tensor"
)

// ToDense returns a float32 *Dense of t's shape backed by t's memory: writes
// through either are seen by the other, and no values are copied. A scalar
// (shape []) becomes a Dense of gtensor.ScalarShape(). ToDense panics if t is
// nil, and with a *tensor.ShapeError if its data does not fill its shape (the
// zero Tensor).
func ToDense(t *tensor.Tensor) *gtensor.Dense {
	shape, data := t.Shape(), t.Data()
	n := 1
	for _, d := range shape {
		n *= d
	}
	if len(data) != n {
		panic(&tensor.ShapeError{Op: "ToDense", Msg: fmt.Sprintf("%d values do not fill shape %v", len(data), shape)})
	}
	return gtensor.New(
		gtensor.WithBacking(data[:n:n]),
		gtensor.WithShape(append([]int(nil), shape...)...),
	)
}

// FromDense returns a tensor of d's shape holding d's values in row-major
// order. When d is float32 and its values lie in row-major order without gaps
// (a fresh Dense, or a view that is one contiguous block), the tensor shares
// d's memory; otherwise FromDense copies: it gathers transposed (T),
// column-major and strided data, and rounds float64 values to float32. A Dense
// of ScalarShape() becomes a scalar of shape [].
//
// FromDense returns an error if d is nil, masked, not readable from Go, or of
// a dtype other than float32 and float64.
func FromDense(d *gtensor.Dense) (*tensor.Tensor, error) {
	if d == nil {
		return nil, errors.New("gorgonia: FromDense: nil *Dense")
	}
	if !d.IsNativelyAccessible() {
		return nil, errors.New("gorgonia: FromDense: the Dense's memory is not accessible from Go")
	}
	shape := append([]int(nil), d.Shape()...)
	size := 1
	for _, n := range shape {
		size *= n
	}
	if size > 0 && d.IsMasked() { // IsMasked is true of every empty Dense
		return nil, errors.New("gorgonia: FromDense: masked tensors are not supported (ResetMask first)")
	}
	strides, ok := axisStrides(d.Shape(), d.Strides())
	switch dt := d.Dtype(); dt {
	case gtensor.Float32:
		// Float32s (promoted from Gorgonia's storage header) is the storage as
		// a slice, from the view's first element on; unlike Data it works
		// for scalars and empty tensors.
		src := d.Float32s()
		if size == 0 {
			return tensor.New(shape...), nil
		}
		if ok && rowMajor(shape, strides) && len(src) >= size {
			return tensor.FromSlice(src[:size:size], shape...), nil
		}
		return gather(d, src, shape, strides, ok)
	case gtensor.Float64:
		if size == 0 {
			return tensor.New(shape...), nil
		}
		return gather(d, d.Float64s(), shape, strides, ok)
	default:
		return nil, fmt.Errorf("gorgonia: FromDense: dtype %v is not supported (want float32 or float64)", dt)
	}
}

// axisStrides returns one stride per axis of shape, read the way Gorgonia's
// own indexing (Ltoi) reads them: vectors may carry a single stride for all
// their axes. ok is false for patterns it does not understand.
func axisStrides(shape gtensor.Shape, strides []int) (s []int, ok bool) {
	switch {
	case len(strides) == len(shape):
		s = append([]int(nil), strides...)
	case shape.IsVector() && len(strides) == 1:
		s = make([]int, len(shape))
		for i := range s {
			s[i] = strides[0]
		}
	case shape.IsScalarEquiv():
		s = make([]int, len(shape)) // every index is 0
	default:
		return nil, false
	}
	for _, x := range s {
		if x < 0 {
			return nil, false
		}
	}
	return s, true
}

// rowMajor reports whether element (i0, i1, ...) sits at the row-major offset
// of its index. Axes of size 1 never move the offset, so their strides do not
// matter.
func rowMajor(shape, strides []int) bool {
	want := 1
	for i := len(shape) - 1; i >= 0; i-- {
		if shape[i] != 1 && strides[i] != want {
			return false
		}
		want *= shape[i]
	}
	return true
}

// gather copies d's values, in row-major order of its logical index, into a
// new tensor. src is d's storage as the Dense sees it (its first element is
// index 0, ...), strides one stride per axis when ok. Patterns it cannot
// follow go through d.At, one element at a time.
func gather[T float32 | float64](d *gtensor.Dense, src []T, shape, strides []int, ok bool) (*tensor.Tensor, error) {
	out := tensor.New(shape...)
	dst := out.Data()
	last := 0
	for i, n := range shape {
		if ok {
			last += (n - 1) * strides[i]
		}
	}
	if !ok || last >= len(src) {
		return gatherAt(d, out)
	}
	idx := make([]int, len(shape))
	off := 0
	for i := range dst {
		dst[i] = float32(src[off])
		// Advance the index like an odometer, keeping off in step.
		for ax := len(shape) - 1; ax >= 0; ax-- {
			idx[ax]++
			off += strides[ax]
			if idx[ax] < shape[ax] {
				break
			}
			off -= idx[ax] * strides[ax]
			idx[ax] = 0
		}
	}
	return out, nil
}

// gatherAt is gather through Gorgonia's At: slow, but right for any access
// pattern Gorgonia can index.
func gatherAt(d *gtensor.Dense, out *tensor.Tensor) (*tensor.Tensor, error) {
	shape, dst := out.Shape(), out.Data()
	idx := make([]int, len(shape))
	for i := range dst {
		v, err := d.At(idx...)
		if err != nil {
			return nil, fmt.Errorf("gorgonia: FromDense: %w", err)
		}
		switch v := v.(type) {
		case float32:
			dst[i] = v
		case float64:
			dst[i] = float32(v)
		default:
			return nil, fmt.Errorf("gorgonia: FromDense: At returned %T", v)
		}
		for ax := len(shape) - 1; ax >= 0; ax-- {
			idx[ax]++
			if idx[ax] < shape[ax] {
				break
			}
			idx[ax] = 0
		}
	}
	return out, nil
}
