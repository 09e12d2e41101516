package gguf

import (
	"encoding/binary"
	"fmt"
	"io"

	"github.com/tapegrad/tapegrad/internal/atomicfile"
)

// Write writes a GGUF v3 file with the metadata meta, in order, and the
// tensors, in order, each at an offset that is a multiple of the alignment
// (32, or meta's "general.alignment", which must then be a uint32 power of
// two). It returns an error, before writing anything, for a key or tensor
// name that is empty or repeated, a name longer than MaxNameLen bytes, a
// value of no GGUF type, a tensor whose type is unknown, whose shape has no
// dimension, more than MaxDims or one below 1, whose rows are not whole
// blocks, or whose Data is not the size its type and shape give.
func Write(w io.Writer, meta []KV, tensors []Tensor) error {
	head, offsets, align, err := header(meta, tensors)
	if err != nil {
		return err
	}
	if _, err := w.Write(head); err != nil {
		return err
	}
	zeros := make([]byte, align)
	at := int64(0)
	for i, t := range tensors {
		if _, err := w.Write(zeros[:offsets[i]-at]); err != nil {
			return err
		}
		if _, err := w.Write(t.Data); err != nil {
			return err
		}
		at = offsets[i] + int64(len(t.Data))
	}
	// Pad the end too, as ggml's writer does, so the file is a whole number
	// of aligned chunks.
	_, err = w.Write(zeros[:pad(at, align)])
	return err
}

// header returns the file's bytes up to the data section (padding
// included), each tensor's offset in the data section, and the alignment.
func header(meta []KV, tensors []Tensor) ([]byte, []int64, int64, error) {
	bad := func(format string, args ...any) ([]byte, []int64, int64, error) {
		return nil, nil, 0, fmt.Errorf("gguf: write: "+format, args...)
	}
	align := int64(DefaultAlignment)
	le := binary.LittleEndian
	b := append([]byte(nil), Magic...)
	b = le.AppendUint32(b, Version)
	b = le.AppendUint64(b, uint64(len(tensors)))
	b = le.AppendUint64(b, uint64(len(meta)))
	keys := make(map[string]bool, len(meta))
	for _, kv := range meta {
		if kv.Key == "" || keys[kv.Key] {
			return bad("metadata key %q is empty or repeated", kv.Key)
		}
		keys[kv.Key] = true
		if kv.Key == KeyAlignment {
			a, ok := kv.Value.(uint32)
			if !ok || a == 0 || a&(a-1) != 0 || a > 1<<16 {
				return bad("%s %v (%T): want a uint32 power of two up to 65536", KeyAlignment, kv.Value, kv.Value)
			}
			align = int64(a)
		}
		b = appendString(b, kv.Key)
		var err error
		if b, err = appendValue(b, kv.Value); err != nil {
			return bad("metadata %q: %v", kv.Key, err)
		}
	}
	names := make(map[string]bool, len(tensors))
	offsets := make([]int64, len(tensors))
	at := int64(0)
	for i, t := range tensors {
		if t.Name == "" || names[t.Name] || len(t.Name) > MaxNameLen {
			return bad("tensor name %q is empty, repeated or longer than %d bytes", t.Name, MaxNameLen)
		}
		names[t.Name] = true
		n, err := dataSize(t.Type, t.Shape)
		if err != nil {
			return bad("tensor %s: %v", t.Name, err)
		}
		if int64(len(t.Data)) != n {
			return bad("tensor %s: %v %v is %d bytes; Data has %d", t.Name, t.Type, t.Shape, n, len(t.Data))
		}
		at += pad(at, align)
		offsets[i] = at
		at += n
		b = appendString(b, t.Name)
		b = le.AppendUint32(b, uint32(len(t.Shape)))
		for j := len(t.Shape) - 1; j >= 0; j-- {
			b = le.AppendUint64(b, uint64(t.Shape[j]))
		}
		b = le.AppendUint32(b, uint32(t.Type))
		b = le.AppendUint64(b, uint64(offsets[i]))
	}
	b = append(b, make([]byte, pad(int64(len(b)), align))...)
	return b, offsets, align, nil
}

// WriteFile writes a GGUF file to path (see Write) atomically: to a
// temporary file beside it that is synced and then renamed, so a crash never
// leaves a partial file under path.
func WriteFile(path string, meta []KV, tensors []Tensor) (err error) {
	if _, _, _, err := header(meta, tensors); err != nil {
		return err // nothing created
	}
	err = atomicfile.Write(path, func(w io.Writer) error { return Write(w, meta, tensors) })
	if err != nil {
		return fmt.Errorf("gguf: write %s: %w", path, err)
	}
	return nil
}
