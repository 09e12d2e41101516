package gguf

import (
	"bytes"
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// FuzzRead checks that Read never panics and that whatever it accepts
// survives Write: Read(Write(Read(x))) has the same metadata and tensors.
func FuzzRead(f *testing.F) {
	var buf bytes.Buffer
	if err := Write(&buf, sampleMeta(), sampleTensors()); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	buf.Reset()
	Write(&buf, []KV{{KeyAlignment, uint32(8)}, {"k", []int32{1}}}, []Tensor{{Name: "w", Type: F32, Shape: []int{1, 2}, Data: f32Bytes(1, 2)}})
	f.Add(buf.Bytes())
	f.Add([]byte("GGUF\x03\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		file, err := Read(b)
		if err != nil {
			return
		}
		var out bytes.Buffer
		if err := Write(&out, file.Meta, file.Tensors); err != nil {
			t.Fatalf("Write of what Read accepted: %v", err)
		}
		again, err := Read(out.Bytes())
		if err != nil {
			t.Fatalf("Read(Write(Read(x))): %v", err)
		}
		if diff := cmp.Diff(file.Meta, again.Meta, cmp.Comparer(sameFloat32), cmp.Comparer(sameFloat64)); diff != "" {
			t.Errorf("metadata changed (-first +second):\n%s", diff)
		}
		if diff := cmp.Diff(file.Tensors, again.Tensors); diff != "" {
			t.Errorf("tensors changed (-first +second):\n%s", diff)
		}
	})
}

// sameFloat32 and sameFloat64 compare bits, so NaNs equal themselves.
func sameFloat32(a, b float32) bool { return math.Float32bits(a) == math.Float32bits(b) }
func sameFloat64(a, b float64) bool { return math.Float64bits(a) == math.Float64bits(b) }
