package safetensors

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"io"
	"slices"
	"strconv"
	"unicode/utf8"
)

// Encode writes tensors and metadata to w as a safetensors file. The tensors
// are written in the reference's order (larger element size first, then by
// name), whatever their order in the slice; metadata may be nil, and an empty
// map writes no __metadata__ key. Encode validates everything before it
// writes a byte: it returns a *FormatError, and writes nothing, when a name is
// repeated or is "__metadata__", a name or a metadata string is not valid
// UTF-8, a dtype is unknown, a dimension is negative, len(Data) does not match
// DType and Shape, or the header would exceed MaxHeaderSize. Errors from w are
// returned wrapped.
func Encode(w io.Writer, tensors []Tensor, metadata map[string]string) error {
	h, err := prepare(tensors, metadata)
	if err != nil {
		return err
	}
	if err := h.writeTo(w); err != nil {
		return fmt.Errorf("safetensors: write: %w", err)
	}
	return nil
}

// encoded is a validated file ready to be written: its 8-byte size prefix and
// padded header, and the tensors in data order.
type encoded struct {
	header  []byte
	tensors []*Tensor
}

// prepare validates tensors and metadata and lays out the file.
func prepare(tensors []Tensor, metadata map[string]string) (*encoded, error) {
	order := make([]*Tensor, len(tensors))
	seen := make(map[string]bool, len(tensors))
	for i := range tensors {
		t := &tensors[i]
		if !utf8.ValidString(t.Name) {
			return nil, formatErr(t.Name, -1, "name is not valid UTF-8")
		}
		if seen[t.Name] {
			return nil, formatErr(t.Name, -1, "name given twice")
		}
		seen[t.Name] = true
		if _, err := checkTensor(t); err != nil {
			return nil, err
		}
		order[i] = t
	}
	slices.SortFunc(order, func(a, b *Tensor) int {
		if c := cmp.Compare(dtypes[b.DType].rank, dtypes[a.DType].rank); c != 0 {
			return c
		}
		return cmp.Compare(a.Name, b.Name)
	})
	keys := make([]string, 0, len(metadata))
	for k, v := range metadata {
		if !utf8.ValidString(k) || !utf8.ValidString(v) {
			return nil, formatErr("", -1, "metadata %q is not valid UTF-8", k)
		}
		keys = append(keys, k)
	}
	slices.Sort(keys)

	b := make([]byte, 8, 8+64*(len(order)+1))
	b = append(b, '{')
	if len(keys) > 0 {
		b = appendString(b, metadataKey)
		b = append(b, ":{"...)
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, k)
			b = append(b, ':')
			b = appendString(b, metadata[k])
		}
		b = append(b, '}')
	}
	offset := uint64(0)
	for i, t := range order {
		if i > 0 || len(keys) > 0 {
			b = append(b, ',')
		}
		b = appendString(b, t.Name)
		b = append(b, `:{"dtype":`...)
		b = appendString(b, t.DType)
		b = append(b, `,"shape":[`...)
		for j, d := range t.Shape {
			if j > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendInt(b, int64(d), 10)
		}
		b = append(b, `],"data_offsets":[`...)
		b = strconv.AppendUint(b, offset, 10)
		b = append(b, ',')
		offset += uint64(len(t.Data))
		b = strconv.AppendUint(b, offset, 10)
		b = append(b, "]}"...)
	}
	b = append(b, '}')
	for len(b)%8 != 0 {
		b = append(b, ' ')
	}
	n := len(b) - 8
	if n > MaxHeaderSize {
		return nil, formatErr("", -1, "header of %d bytes exceeds the limit of %d", n, MaxHeaderSize)
	}
	binary.LittleEndian.PutUint64(b[:8], uint64(n))
	return &encoded{header: b, tensors: order}, nil
}

// writeTo writes the file to w; Encode and WriteFile wrap its errors.
func (e *encoded) writeTo(w io.Writer) error {
	if _, err := w.Write(e.header); err != nil {
		return err
	}
	for _, t := range e.tensors {
		if len(t.Data) == 0 {
			continue
		}
		if _, err := w.Write(t.Data); err != nil {
			return fmt.Errorf("tensor %q: %w", t.Name, err)
		}
	}
	return nil
}

// appendString appends s (valid UTF-8) to b as a JSON string, escaped as the
// reference's serde_json does: quote, backslash and control characters only
// (\b \f \n \r \t, others as \u00xx), everything else as is.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\b':
			b = append(b, '\\', 'b')
		case '\f':
			b = append(b, '\\', 'f')
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
