package safetensors

import (
	"fmt"
	"math"
	"strconv"
)

// MaxHeaderSize is the largest JSON header, in bytes, that Decode accepts and
// Encode writes: 100 MB, the reference implementation's limit.
const MaxHeaderSize = 100_000_000

// metadataKey is the header key that holds the file's string metadata.
const metadataKey = "__metadata__"

// Tensor is one named tensor of a file: its element type, its shape and its
// raw little-endian bytes, row-major. len(Data) must be the product of Shape
// (1 for a scalar, Shape []) times the size of DType.
type Tensor struct {
	Name  string
	DType string // "F32", "I8", "U8", ...; see DTypeSize
	Shape []int
	Data  []byte // little-endian raw bytes
}

// File is the decoded content of a safetensors file.
type File struct {
	// Metadata is the header's __metadata__ object; nil when the file has none.
	Metadata map[string]string
	// Tensors are in file order: by offset in the data buffer.
	Tensors []Tensor
}

// Get returns the tensor called name and true, or the zero Tensor and false
// when the file has none of that name.
func (f *File) Get(name string) (Tensor, bool) {
	for _, t := range f.Tensors {
		if t.Name == name {
			return t, true
		}
	}
	return Tensor{}, false
}

// FormatError reports a malformed file, or tensors that cannot be written:
// what is wrong and where.
type FormatError struct {
	Path   string // the file, when known (ReadFile, WriteFile)
	Tensor string // the tensor concerned, if any
	Offset int64  // the file offset where the problem was found, or -1
	Msg    string
}

func (e *FormatError) Error() string {
	s := "safetensors: "
	if e.Path != "" {
		s += e.Path + ": "
	}
	if e.Tensor != "" {
		s += "tensor " + strconv.Quote(e.Tensor) + ": "
	}
	s += e.Msg
	if e.Offset >= 0 {
		s += " (at file offset " + strconv.FormatInt(e.Offset, 10) + ")"
	}
	return s
}

// formatErr returns a *FormatError with a formatted message.
func formatErr(tensor string, offset int64, format string, args ...any) *FormatError {
	return &FormatError{Tensor: tensor, Offset: offset, Msg: fmt.Sprintf(format, args...)}
}

// numBytes returns the number of bytes of a tensor of the given dtype size
// and shape, computed as the reference does (a left fold of checked
// multiplications), with ok false on overflow. dims must not be negative.
func numBytes(size uint64, dims []uint64) (n uint64, ok bool) {
	n = 1
	for _, d := range dims {
		if d != 0 && n > math.MaxUint64/d {
			return 0, false
		}
		n *= d
	}
	if size != 0 && n > math.MaxUint64/size {
		return 0, false
	}
	return n * size, true
}

// checkTensor validates t for writing and returns its size in bytes.
func checkTensor(t *Tensor) (int, error) {
	if t.Name == metadataKey {
		return 0, formatErr(t.Name, -1, "the name %s is reserved for the metadata", metadataKey)
	}
	d, ok := dtypes[t.DType]
	if !ok {
		return 0, formatErr(t.Name, -1, "unknown dtype %q", t.DType)
	}
	dims := make([]uint64, len(t.Shape))
	for i, v := range t.Shape {
		if v < 0 {
			return 0, formatErr(t.Name, -1, "negative dimension in shape %v", t.Shape)
		}
		dims[i] = uint64(v)
	}
	n, ok := numBytes(uint64(d.size), dims)
	if !ok || n > math.MaxInt {
		return 0, formatErr(t.Name, -1, "shape %v of %s overflows", t.Shape, t.DType)
	}
	if uint64(len(t.Data)) != n {
		return 0, formatErr(t.Name, -1, "%d bytes of data; %s %v needs %d", len(t.Data), t.DType, t.Shape, n)
	}
	return int(n), nil
}
