package gguf

import (
	"encoding/binary"
	"fmt"
	"math"
)

// File is a decoded GGUF file. Each Tensor's Data aliases the bytes given
// to Read.
type File struct {
	Version    uint32
	Alignment  int
	Meta       []KV
	Tensors    []Tensor
	DataOffset int64   // where the data section starts in the file
	Offsets    []int64 // where each tensor's data starts in the file

	infoEnd int // where the tensor infos end, before the padding
}

// Get returns the value of the metadata key and whether the file has it.
func (f *File) Get(key string) (any, bool) {
	for _, kv := range f.Meta {
		if kv.Key == key {
			return kv.Value, true
		}
	}
	return nil, false
}

// Tensor returns the tensor called name and whether the file has it.
func (f *File) Tensor(name string) (Tensor, bool) {
	for _, t := range f.Tensors {
		if t.Name == name {
			return t, true
		}
	}
	return Tensor{}, false
}

// reader decodes little-endian values from data; the first failure sticks
// in err and every later read returns zero values.
type reader struct {
	data []byte
	off  int
	err  error
}

func (r *reader) fail(format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf("gguf: offset %d: %s", r.off, fmt.Sprintf(format, args...))
	}
}

func (r *reader) left() int { return len(r.data) - r.off }

func (r *reader) bytes(n uint64) []byte {
	if r.err != nil {
		return nil
	}
	if n > uint64(r.left()) {
		r.fail("%d bytes needed, %d left", n, r.left())
		return nil
	}
	b := r.data[r.off : r.off+int(n)]
	r.off += int(n)
	return b
}

func (r *reader) u8() uint8 {
	if b := r.bytes(1); b != nil {
		return b[0]
	}
	return 0
}

func (r *reader) u16() uint16 {
	if b := r.bytes(2); b != nil {
		return binary.LittleEndian.Uint16(b)
	}
	return 0
}

func (r *reader) u32() uint32 {
	if b := r.bytes(4); b != nil {
		return binary.LittleEndian.Uint32(b)
	}
	return 0
}

func (r *reader) u64() uint64 {
	if b := r.bytes(8); b != nil {
		return binary.LittleEndian.Uint64(b)
	}
	return 0
}

func (r *reader) str() string {
	n := r.u64()
	return string(r.bytes(n))
}

// minSize is the fewest bytes a value of type t takes in a file.
func minSize(t valueType) uint64 {
	switch t {
	case typeUint8, typeInt8, typeBool:
		return 1
	case typeUint16, typeInt16:
		return 2
	case typeUint32, typeInt32, typeFloat32:
		return 4
	case typeString, typeUint64, typeInt64, typeFloat64:
		return 8
	}
	return 12 // an array: type and count
}

func (r *reader) scalar(t valueType) any {
	switch t {
	case typeUint8:
		return r.u8()
	case typeInt8:
		return int8(r.u8())
	case typeUint16:
		return r.u16()
	case typeInt16:
		return int16(r.u16())
	case typeUint32:
		return r.u32()
	case typeInt32:
		return int32(r.u32())
	case typeFloat32:
		return math.Float32frombits(r.u32())
	case typeBool:
		switch b := r.u8(); b {
		case 0:
			return false
		case 1:
			return true
		default:
			r.fail("bool %d (want 0 or 1)", b)
			return false
		}
	case typeString:
		return r.str()
	case typeUint64:
		return r.u64()
	case typeInt64:
		return int64(r.u64())
	case typeFloat64:
		return math.Float64frombits(r.u64())
	}
	r.fail("unknown value type %d", t)
	return nil
}

// array reads n elements of type t into a slice of E.
func array[E any](r *reader, t valueType, n uint64) []E {
	s := make([]E, 0, n)
	for range n {
		if r.err != nil {
			return nil
		}
		s = append(s, r.scalar(t).(E))
	}
	return s
}

func (r *reader) value() any {
	t := valueType(r.u32())
	if t != typeArray {
		return r.scalar(t)
	}
	et := valueType(r.u32())
	n := r.u64()
	if r.err != nil {
		return nil
	}
	if et == typeArray {
		r.fail("arrays of arrays are not supported")
		return nil
	}
	if et > typeFloat64 {
		r.fail("unknown array element type %d", et)
		return nil
	}
	if n > uint64(r.left())/minSize(et) {
		r.fail("array of %d elements does not fit in %d bytes", n, r.left())
		return nil
	}
	switch et {
	case typeUint8:
		return array[uint8](r, et, n)
	case typeInt8:
		return array[int8](r, et, n)
	case typeUint16:
		return array[uint16](r, et, n)
	case typeInt16:
		return array[int16](r, et, n)
	case typeUint32:
		return array[uint32](r, et, n)
	case typeInt32:
		return array[int32](r, et, n)
	case typeFloat32:
		return array[float32](r, et, n)
	case typeBool:
		return array[bool](r, et, n)
	case typeString:
		return array[string](r, et, n)
	case typeUint64:
		return array[uint64](r, et, n)
	case typeInt64:
		return array[int64](r, et, n)
	}
	return array[float64](r, et, n)
}

// Read decodes a GGUF v3 file. It checks everything listed in the package
// comment and returns an error for the first problem; it never panics.
func Read(data []byte) (*File, error) {
	r := &reader{data: data}
	if magic := r.bytes(4); r.err == nil && string(magic) != Magic {
		return nil, fmt.Errorf("gguf: not a GGUF file (magic %q)", magic)
	}
	f := &File{Version: r.u32(), Alignment: DefaultAlignment}
	if r.err == nil && f.Version != Version {
		return nil, fmt.Errorf("gguf: version %d (want %d)", f.Version, Version)
	}
	nt, nkv := r.u64(), r.u64()
	// Each tensor info takes at least 8+4+8+4+8 bytes, each KV 8+4+1.
	if r.err == nil && (nt > uint64(r.left())/32 || nkv > uint64(r.left())/13) {
		return nil, fmt.Errorf("gguf: %d tensors and %d metadata entries do not fit in %d bytes", nt, nkv, len(data))
	}
	keys := map[string]bool{}
	for range nkv {
		k := r.str()
		v := r.value()
		if r.err != nil {
			break
		}
		if keys[k] || k == "" {
			r.fail("metadata key %q empty or repeated", k)
			break
		}
		keys[k] = true
		if k == KeyAlignment {
			a, ok := v.(uint32)
			if !ok || a == 0 || a&(a-1) != 0 || a > 1<<16 {
				r.fail("%s %v (%T): want a uint32 power of two up to 65536", KeyAlignment, v, v)
				break
			}
			f.Alignment = int(a)
		}
		f.Meta = append(f.Meta, KV{k, v})
	}
	type info struct {
		size, offset uint64
	}
	var infos []info
	names := map[string]bool{}
	for range nt {
		if r.err != nil {
			break
		}
		t := Tensor{Name: r.str()}
		nd := r.u32()
		if r.err == nil && (nd == 0 || nd > MaxDims) {
			r.fail("tensor %q: %d dimensions (want 1 to %d)", t.Name, nd, MaxDims)
		}
		t.Shape = make([]int, int(min(nd, MaxDims)))
		for j := len(t.Shape) - 1; j >= 0; j-- {
			d := r.u64()
			if r.err == nil && (d == 0 || d > math.MaxInt32) {
				r.fail("tensor %q: dimension %d (want 1 to %d)", t.Name, d, math.MaxInt32)
			}
			t.Shape[j] = int(min(d, math.MaxInt32))
		}
		t.Type = Type(r.u32())
		off := r.u64()
		if r.err != nil {
			break
		}
		if names[t.Name] || t.Name == "" || len(t.Name) > MaxNameLen {
			r.fail("tensor name %q empty, repeated or longer than %d bytes", t.Name, MaxNameLen)
			break
		}
		names[t.Name] = true
		n, err := dataSize(t.Type, t.Shape)
		if err != nil {
			r.fail("tensor %q: %v", t.Name, err)
			break
		}
		if off%uint64(f.Alignment) != 0 {
			r.fail("tensor %q: offset %d is not a multiple of the alignment %d", t.Name, off, f.Alignment)
			break
		}
		f.Tensors = append(f.Tensors, t)
		infos = append(infos, info{uint64(n), off})
	}
	if r.err != nil {
		return nil, r.err
	}
	f.infoEnd = r.off
	start := int64(r.off) + pad(int64(r.off), int64(f.Alignment))
	if start > int64(len(data)) {
		return nil, fmt.Errorf("gguf: data section at %d is past the end (%d bytes)", start, len(data))
	}
	f.DataOffset = start
	body := uint64(int64(len(data)) - start)
	for i, in := range infos {
		if in.offset > body || in.size > body-in.offset {
			return nil, fmt.Errorf("gguf: tensor %q: bytes [%d, %d) of the data section are past its end (%d bytes)",
				f.Tensors[i].Name, in.offset, in.offset+in.size, body)
		}
		f.Offsets = append(f.Offsets, start+int64(in.offset))
		f.Tensors[i].Data = data[uint64(start)+in.offset : uint64(start)+in.offset+in.size : uint64(start)+in.offset+in.size]
	}
	return f, nil
}
