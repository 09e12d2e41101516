package tensor

import (
	"fmt"
	"strings"
)

// Tensor is a float32 dense tensor: a shape and contiguous row-major data.
// The zero value is an empty tensor of shape [] with no data; use New or one
// of the constructors to get a usable one.
type Tensor struct {
	shape []int
	data  []float32
}

// New returns a zero-filled tensor of the given shape. New() is a scalar.
// It panics if a dimension is negative.
func New(shape ...int) *Tensor {
	n := checkedNumel("New", shape)
	return &Tensor{shape: cloneInts(shape), data: make([]float32, n)}
}

// Zeros is New: a zero-filled tensor of the given shape.
func Zeros(shape ...int) *Tensor { return New(shape...) }

// Ones returns a tensor of the given shape filled with 1.
func Ones(shape ...int) *Tensor { return Full(1, shape...) }

// Full returns a tensor of the given shape filled with v.
func Full(v float32, shape ...int) *Tensor {
	t := New(shape...)
	t.Fill(v)
	return t
}

// FromSlice returns a tensor of the given shape that uses data as its storage
// (no copy). It panics if len(data) is not the product of shape.
func FromSlice(data []float32, shape ...int) *Tensor {
	n := checkedNumel("FromSlice", shape)
	if len(data) != n {
		panic(&ShapeError{Op: "FromSlice", Msg: fmt.Sprintf("%d values do not fill shape %v", len(data), shape)})
	}
	return &Tensor{shape: cloneInts(shape), data: data}
}

// Scalar returns a tensor of shape [] holding v.
func Scalar(v float32) *Tensor { return &Tensor{data: []float32{v}} }

// Shape returns the tensor's shape. The caller must not modify it.
func (t *Tensor) Shape() []int { return t.shape }

// Data returns the tensor's storage, row-major. Writes through it change the
// tensor (and every view that shares its memory).
func (t *Tensor) Data() []float32 { return t.data }

// Dims returns the number of dimensions.
func (t *Tensor) Dims() int { return len(t.shape) }

// Dim returns the size of dimension i; negative i counts from the end.
func (t *Tensor) Dim(i int) int { return t.shape[t.axis("Dim", i)] }

// Numel returns the number of elements, the product of the shape.
func (t *Tensor) Numel() int { return len(t.data) }

// Item returns the only value of a one-element tensor. It panics otherwise.
func (t *Tensor) Item() float32 {
	if len(t.data) != 1 {
		panic(&ShapeError{Op: "Item", Msg: fmt.Sprintf("tensor of shape %v has %d elements, not 1", t.shape, len(t.data))})
	}
	return t.data[0]
}

// At returns the element at the given index, one coordinate per dimension.
func (t *Tensor) At(idx ...int) float32 { return t.data[t.offset("At", idx)] }

// Set stores v at the given index, one coordinate per dimension.
func (t *Tensor) Set(v float32, idx ...int) { t.data[t.offset("Set", idx)] = v }

// Fill sets every element to v and returns t.
func (t *Tensor) Fill(v float32) *Tensor {
	if v == 0 {
		clear(t.data)
		return t
	}
	for i := range t.data {
		t.data[i] = v
	}
	return t
}

// Zero sets every element to 0 and returns t.
func (t *Tensor) Zero() *Tensor { return t.Fill(0) }

// Clone returns a copy of t with its own storage.
func (t *Tensor) Clone() *Tensor {
	return &Tensor{shape: cloneInts(t.shape), data: append([]float32(nil), t.data...)}
}

// CopyFrom copies x's values into t and returns t. The shapes must be equal.
func (t *Tensor) CopyFrom(x *Tensor) *Tensor {
	mustSameShape("CopyFrom", t, x)
	copy(t.data, x.data)
	return t
}

// Reshape returns a view of t with a new shape that shares t's memory. One
// dimension may be -1 and is then inferred. It panics if the sizes differ.
func (t *Tensor) Reshape(shape ...int) *Tensor {
	shape = cloneInts(shape)
	infer, known := -1, 1
	for i, d := range shape {
		switch {
		case d == -1 && infer < 0:
			infer = i
		case d < 0:
			panic(&ShapeError{Op: "Reshape", Msg: fmt.Sprintf("bad shape %v", shape)})
		default:
			known *= d
		}
	}
	if infer >= 0 {
		if known == 0 || len(t.data)%known != 0 {
			panic(&ShapeError{Op: "Reshape", Msg: fmt.Sprintf("cannot infer %v from %d elements", shape, len(t.data))})
		}
		shape[infer] = len(t.data) / known
		known *= shape[infer]
	}
	if known != len(t.data) {
		panic(&ShapeError{Op: "Reshape", Msg: fmt.Sprintf("shape %v does not hold %d elements of %v", shape, len(t.data), t.shape)})
	}
	return &Tensor{shape: shape, data: t.data}
}

// Slice returns a view of rows [from, to) along the first axis: for t of
// shape [N, ...] the result is [to-from, ...] and shares t's memory.
func (t *Tensor) Slice(from, to int) *Tensor {
	if len(t.shape) == 0 {
		panic(&ShapeError{Op: "Slice", Msg: "cannot slice a scalar"})
	}
	if from < 0 || to < from || to > t.shape[0] {
		panic(&IndexError{Op: "Slice", Msg: fmt.Sprintf("[%d:%d] out of range for first axis of %v", from, to, t.shape)})
	}
	row := 1
	for _, d := range t.shape[1:] {
		row *= d
	}
	shape := cloneInts(t.shape)
	shape[0] = to - from
	return &Tensor{shape: shape, data: t.data[from*row : to*row : to*row]}
}

// SameShape reports whether t and x have equal shapes.
func (t *Tensor) SameShape(x *Tensor) bool { return equalInts(t.shape, x.shape) }

// String formats the tensor's shape and, for small tensors, its values.
func (t *Tensor) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Tensor%v", t.shape)
	if len(t.data) <= 32 {
		fmt.Fprintf(&b, "%v", t.data)
	} else {
		fmt.Fprintf(&b, "[%v %v %v ... %v]", t.data[0], t.data[1], t.data[2], t.data[len(t.data)-1])
	}
	return b.String()
}

// ShapeError is the panic value of an op given tensors of the wrong shape.
type ShapeError struct {
	Op  string // the op that panicked, e.g. "MatMul"
	Msg string
}

func (e *ShapeError) Error() string { return "tensor: " + e.Op + ": " + e.Msg }

// IndexError is the panic value of an op given an index out of range.
type IndexError struct {
	Op  string
	Msg string
}

func (e *IndexError) Error() string { return "tensor: " + e.Op + ": " + e.Msg }

// axis resolves a possibly negative axis against t's rank.
func (t *Tensor) axis(op string, i int) int {
	n := len(t.shape)
	if i < 0 {
		i += n
	}
	if i < 0 || i >= n {
		panic(&IndexError{Op: op, Msg: fmt.Sprintf("axis %d out of range for shape %v", i, t.shape)})
	}
	return i
}

func (t *Tensor) offset(op string, idx []int) int {
	if len(idx) != len(t.shape) {
		panic(&IndexError{Op: op, Msg: fmt.Sprintf("%d indices for shape %v", len(idx), t.shape)})
	}
	off := 0
	for i, x := range idx {
		if x < 0 || x >= t.shape[i] {
			panic(&IndexError{Op: op, Msg: fmt.Sprintf("index %v out of range for shape %v", idx, t.shape)})
		}
		off = off*t.shape[i] + x
	}
	return off
}

func checkedNumel(op string, shape []int) int {
	n := 1
	for _, d := range shape {
		if d < 0 {
			panic(&ShapeError{Op: op, Msg: fmt.Sprintf("negative dimension in %v", shape)})
		}
		n *= d
	}
	return n
}

func mustSameShape(op string, a, b *Tensor) {
	if !equalInts(a.shape, b.shape) {
		panic(&ShapeError{Op: op, Msg: fmt.Sprintf("shapes %v and %v differ", a.shape, b.shape)})
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func cloneInts(s []int) []int {
	if len(s) == 0 {
		return nil
	}
	return append([]int(nil), s...)
}
