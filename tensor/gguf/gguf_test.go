package gguf

import (
	"bytes"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func f32Bytes(v ...float32) []byte {
	var b []byte
	for _, x := range v {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(x))
	}
	return b
}

func seq(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + 3)
	}
	return b
}

func sampleMeta() []KV {
	return []KV{
		{"general.architecture", "gpt2"},
		{"u32", uint32(7)},
		{"i32", int32(-3)},
		{"f32", float32(1e-5)},
		{"bool", true},
		{"u8", uint8(200)},
		{"i64", int64(-1 << 40)},
		{"f64", 0.25},
		{"strings", []string{"a", "", "Ġthe", "é"}},
		{"ints", []int32{1, -2, 3}},
		{"floats", []float32{0.5, -1}},
		{"empty", []string{}},
	}
}

func sampleTensors() []Tensor {
	return []Tensor{
		{Name: "bias", Type: F32, Shape: []int{3}, Data: f32Bytes(1, 2, 3)},
		{Name: "w", Type: F32, Shape: []int{2, 3}, Data: f32Bytes(1, 2, 3, 4, 5, 6)},
		{Name: "h", Type: F16, Shape: []int{5}, Data: seq(10)},
		{Name: "q8", Type: Q8_0, Shape: []int{3, 64}, Data: seq(3 * 2 * 34)},
		{Name: "q4", Type: Q4_0, Shape: []int{2, 1, 32}, Data: seq(2 * 18)},
	}
}

func TestRoundTrip(t *testing.T) {
	for _, align := range []uint32{0, 1, 8, 64, 4096} {
		meta := sampleMeta()
		want := DefaultAlignment
		if align != 0 {
			meta = append(meta, KV{KeyAlignment, align})
			want = int(align)
		}
		var buf bytes.Buffer
		if err := Write(&buf, meta, sampleTensors()); err != nil {
			t.Fatalf("align %d: Write: %v", align, err)
		}
		b := buf.Bytes()
		f, err := Read(b)
		if err != nil {
			t.Fatalf("align %d: Read: %v", align, err)
		}
		if f.Alignment != want || f.Version != 3 {
			t.Errorf("align %d: Alignment %d, Version %d; want %d, 3", align, f.Alignment, f.Version, want)
		}
		if diff := cmp.Diff(meta, f.Meta); diff != "" {
			t.Errorf("align %d: metadata (-want +got):\n%s", align, diff)
		}
		if diff := cmp.Diff(sampleTensors(), f.Tensors); diff != "" {
			t.Errorf("align %d: tensors (-want +got):\n%s", align, diff)
		}
		if f.DataOffset%int64(want) != 0 || len(b)%want != 0 {
			t.Errorf("align %d: data at %d, file %d bytes: not aligned", align, f.DataOffset, len(b))
		}
		for i, off := range f.Offsets {
			if off%int64(want) != 0 || !bytes.Equal(b[off:off+int64(len(f.Tensors[i].Data))], f.Tensors[i].Data) {
				t.Errorf("align %d: tensor %s at file offset %d: not aligned or not its data", align, f.Tensors[i].Name, off)
			}
		}
	}
}

// TestLayout checks the bytes of a small file against the spec by hand.
func TestLayout(t *testing.T) {
	var buf bytes.Buffer
	err := Write(&buf, []KV{{"k", uint32(5)}}, []Tensor{{Name: "w", Type: F32, Shape: []int{2, 1}, Data: f32Bytes(1, 2)}})
	if err != nil {
		t.Fatal(err)
	}
	le := binary.LittleEndian
	var want []byte
	want = append(want, "GGUF"...)
	want = le.AppendUint32(want, 3)
	want = le.AppendUint64(want, 1) // tensors
	want = le.AppendUint64(want, 1) // kvs
	want = le.AppendUint64(want, 1)
	want = append(want, 'k')
	want = le.AppendUint32(want, 4) // u32
	want = le.AppendUint32(want, 5)
	want = le.AppendUint64(want, 1)
	want = append(want, 'w')
	want = le.AppendUint32(want, 2) // n_dims
	want = le.AppendUint64(want, 1) // ggml order: {cols, rows}
	want = le.AppendUint64(want, 2)
	want = le.AppendUint32(want, 0) // F32
	want = le.AppendUint64(want, 0) // offset
	want = append(want, make([]byte, 96-len(want))...)
	want = append(want, f32Bytes(1, 2)...)
	want = append(want, make([]byte, 128-len(want))...)
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("Write =\n% x\nwant\n% x", buf.Bytes(), want)
	}
}

func TestWriteErrors(t *testing.T) {
	ok := Tensor{Name: "a", Type: F32, Shape: []int{1}, Data: f32Bytes(1)}
	for _, c := range []struct {
		name    string
		meta    []KV
		tensors []Tensor
		want    string
	}{
		{"dup key", []KV{{"a", true}, {"a", false}}, nil, "repeated"},
		{"empty key", []KV{{"", true}}, nil, "empty"},
		{"bad value", []KV{{"a", 3}}, nil, "int has no GGUF type"},
		{"bad alignment", []KV{{KeyAlignment, uint32(3)}}, nil, "power of two"},
		{"alignment type", []KV{{KeyAlignment, int32(32)}}, nil, "power of two"},
		{"dup tensor", nil, []Tensor{ok, ok}, "repeated"},
		{"long name", nil, []Tensor{{Name: strings.Repeat("x", 64), Type: F32, Shape: []int{1}, Data: f32Bytes(1)}}, "longer"},
		{"no dims", nil, []Tensor{{Name: "a", Type: F32, Data: f32Bytes(1)}}, "0 dimensions"},
		{"five dims", nil, []Tensor{{Name: "a", Type: F32, Shape: []int{1, 1, 1, 1, 1}, Data: f32Bytes(1)}}, "5 dimensions"},
		{"zero dim", nil, []Tensor{{Name: "a", Type: F32, Shape: []int{0}}}, "positive"},
		{"size", nil, []Tensor{{Name: "a", Type: F32, Shape: []int{2}, Data: f32Bytes(1)}}, "is 8 bytes; Data has 4"},
		{"blocks", nil, []Tensor{{Name: "a", Type: Q8_0, Shape: []int{2, 16}, Data: seq(34)}}, "whole blocks"},
		{"type", nil, []Tensor{{Name: "a", Type: 3, Shape: []int{32}, Data: seq(20)}}, "unsupported tensor type type(3)"},
	} {
		var buf bytes.Buffer
		err := Write(&buf, c.meta, c.tensors)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: Write error %v; want %q", c.name, err, c.want)
		}
		if buf.Len() != 0 {
			t.Errorf("%s: Write wrote %d bytes before failing", c.name, buf.Len())
		}
	}
}

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "m.gguf")
	if err := WriteFile(path, sampleMeta(), sampleTensors()); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Read(b); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(path, []KV{{"a", 1}}, nil); err == nil {
		t.Error("WriteFile with a bad value succeeded")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("WriteFile left %d files in the folder; want 1", len(entries))
	}
}

func TestReadErrors(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, sampleMeta(), sampleTensors()); err != nil {
		t.Fatal(err)
	}
	good := buf.Bytes()
	f, _ := Read(good)
	// Every truncation that cuts into a tensor's bytes is an error.
	last := f.Tensors[len(f.Tensors)-1]
	end := int(f.Offsets[len(f.Offsets)-1]) + len(last.Data)
	for n := range end {
		if _, err := Read(good[:n]); err == nil {
			t.Errorf("Read of the first %d of %d bytes succeeded", n, len(good))
		}
	}
	corrupt := func(at int, v ...byte) []byte {
		b := bytes.Clone(good)
		copy(b[at:], v)
		return b
	}
	for _, c := range []struct {
		name string
		data []byte
		want string
	}{
		{"magic", corrupt(0, 'G', 'G', 'U', 'G'), "not a GGUF file"},
		{"version", corrupt(4, 2), "version 2"},
		{"tensor count", corrupt(8, 0xff, 0xff, 0xff), "do not fit"},
		{"tensor type", corrupt(f.infoEnd-12, 3), "unsupported tensor type"},
		{"tensor dims", corrupt(f.infoEnd-12-8*3-4, 5), "5 dimensions"},
		{"kv count", corrupt(16, 0xff, 0xff, 0xff), "do not fit"},
		{"key length", corrupt(24, 0xff, 0xff, 0xff, 0xff), "bytes needed"},
		{"value type", corrupt(24+8+len("general.architecture"), 13), "unknown value type 13"},
		{"array type", corrupt(24+8+len("general.architecture"), 9, 0, 0, 0, 9), "arrays of arrays"},
		{"tensor offset", corrupt(f.infoEnd-8, 1), "alignment"},
		{"tensor past end", good[:end-1], "past its end"},
	} {
		if _, err := Read(c.data); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: Read error %v; want %q", c.name, err, c.want)
		}
	}
}
