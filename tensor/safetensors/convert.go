package safetensors

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/tapegrad/tapegrad/tensor"
)

// FromFloat32 returns an F32 Tensor called name with a copy of t's shape and
// values as little-endian bytes. t must not be nil.
func FromFloat32(name string, t *tensor.Tensor) Tensor {
	src := t.Data()
	b := make([]byte, 4*len(src))
	for i, v := range src {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(v))
	}
	return Tensor{Name: name, DType: "F32", Shape: append([]int{}, t.Shape()...), Data: b}
}

// Float32 returns the F32 tensor t as a new *tensor.Tensor of its shape (the
// values are copied). It returns an error when t's dtype is not F32 or its
// data does not fill its shape.
func (t Tensor) Float32() (*tensor.Tensor, error) {
	n, err := t.elements("F32")
	if err != nil {
		return nil, err
	}
	v := make([]float32, n)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(t.Data[4*i:]))
	}
	return tensor.FromSlice(v, t.Shape...), nil
}

// FromInt8 returns an I8 Tensor called name of the given shape holding a copy
// of data (shape [] is a scalar). It panics if a dimension is negative or
// len(data) is not the product of shape.
func FromInt8(name string, data []int8, shape ...int) Tensor {
	n := 1
	for _, d := range shape {
		if d < 0 {
			panic(fmt.Sprintf("safetensors: FromInt8: negative dimension in shape %v", shape))
		}
		n *= d
	}
	if n != len(data) {
		panic(fmt.Sprintf("safetensors: FromInt8: %d values do not fill shape %v", len(data), shape))
	}
	b := make([]byte, len(data))
	for i, v := range data {
		b[i] = byte(v)
	}
	return Tensor{Name: name, DType: "I8", Shape: append([]int{}, shape...), Data: b}
}

// Int8 returns a copy of the I8 tensor t's values, row-major. It returns an
// error when t's dtype is not I8 or its data does not fill its shape.
func (t Tensor) Int8() ([]int8, error) {
	n, err := t.elements("I8")
	if err != nil {
		return nil, err
	}
	v := make([]int8, n)
	for i := range v {
		v[i] = int8(t.Data[i])
	}
	return v, nil
}

// elements checks that t has the given dtype and that its data fills its
// shape, and returns its number of elements.
func (t Tensor) elements(dtype string) (int, error) {
	if t.DType != dtype {
		return 0, formatErr(t.Name, -1, "dtype is %s, not %s", t.DType, dtype)
	}
	nb, err := checkTensor(&t)
	if err != nil {
		return 0, err
	}
	return nb / dtypes[dtype].size, nil
}
