package gguf

import (
	"fmt"
	"math/bits"
)

// Magic starts every GGUF file; Version is the version Write writes and
// Read reads.
const (
	Magic   = "GGUF"
	Version = 3
)

// DefaultAlignment is the alignment of the data section and of each
// tensor's offset when the metadata has no "general.alignment".
const DefaultAlignment = 32

// KeyAlignment is the metadata key that sets the alignment (a uint32).
const KeyAlignment = "general.alignment"

// MaxDims is the most dimensions a tensor may have (GGML_MAX_DIMS).
const MaxDims = 4

// MaxNameLen is the longest tensor name, in bytes (GGML_MAX_NAME − 1).
const MaxNameLen = 63

// Type is a ggml tensor type.
type Type uint32

// The tensor types this package knows, with ggml's ids.
const (
	F32  Type = 0
	F16  Type = 1
	Q4_0 Type = 2
	Q8_0 Type = 8
)

// blockLen and blockBytes describe the block formats: values per block and
// bytes per block.
func (t Type) block() (values, size int, ok bool) {
	switch t {
	case F32:
		return 1, 4, true
	case F16:
		return 1, 2, true
	case Q4_0:
		return 32, 18, true
	case Q8_0:
		return 32, 34, true
	}
	return 0, 0, false
}

// String returns ggml's name of t ("F32", "Q8_0"), or "type(N)".
func (t Type) String() string {
	switch t {
	case F32:
		return "F32"
	case F16:
		return "F16"
	case Q4_0:
		return "Q4_0"
	case Q8_0:
		return "Q8_0"
	}
	return fmt.Sprintf("type(%d)", uint32(t))
}

// Tensor is a named tensor of a GGUF file. Shape is row-major, as tapegrad
// holds tensors (ggml's dims reversed); Data is its bytes in Type's layout.
type Tensor struct {
	Name  string
	Type  Type
	Shape []int
	Data  []byte
}

// KV is one metadata entry; see the package comment for Value's types.
type KV struct {
	Key   string
	Value any
}

// dataSize returns the bytes of a tensor of type t and row-major shape, or
// an error: an unknown type, no dimension or more than MaxDims, a dimension
// below 1, rows that are not whole blocks, a size that overflows.
func dataSize(t Type, shape []int) (int64, error) {
	per, size, ok := t.block()
	if !ok {
		return 0, fmt.Errorf("unsupported tensor type %v", t)
	}
	if len(shape) == 0 || len(shape) > MaxDims {
		return 0, fmt.Errorf("%d dimensions (want 1 to %d)", len(shape), MaxDims)
	}
	n := uint64(1)
	for _, d := range shape {
		if d < 1 {
			return 0, fmt.Errorf("shape %v: dimensions must be positive", shape)
		}
		hi, lo := bits.Mul64(n, uint64(d))
		if hi != 0 || lo > 1<<56 {
			return 0, fmt.Errorf("shape %v: too many values", shape)
		}
		n = lo
	}
	if row := shape[len(shape)-1]; row%per != 0 {
		return 0, fmt.Errorf("shape %v: %v rows of %d values are not whole blocks of %d", shape, t, row, per)
	}
	return int64(n / uint64(per) * uint64(size)), nil
}

// pad returns how many bytes bring n to a multiple of align.
func pad(n int64, align int64) int64 {
	return (align - n%align) % align
}
