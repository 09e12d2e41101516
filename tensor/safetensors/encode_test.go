package safetensors

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
)

func TestEncodeErrors(t *testing.T) {
	ok := Tensor{Name: "w", DType: "F32", Shape: []int{2}, Data: make([]byte, 8)}
	tests := []struct {
		name    string
		tensors []Tensor
		meta    map[string]string
		want    string
	}{
		{"name/twice", []Tensor{ok, ok}, nil, `tensor "w": name given twice`},
		{"name/twice-other-dtype", []Tensor{ok, {Name: "a", DType: "U8", Data: []byte{1}}, {Name: "w", DType: "U8", Data: []byte{1}}}, nil, "given twice"},
		{"name/reserved", []Tensor{{Name: "__metadata__", DType: "U8", Data: []byte{1}}}, nil, "reserved for the metadata"},
		{"name/utf8", []Tensor{{Name: "w\xff", DType: "U8", Data: []byte{1}}}, nil, "name is not valid UTF-8"},
		{"dtype/unknown", []Tensor{{Name: "w", DType: "FP32", Data: make([]byte, 4)}}, nil, `tensor "w": unknown dtype "FP32"`},
		{"dtype/empty", []Tensor{{Name: "w", Data: make([]byte, 4)}}, nil, `unknown dtype ""`},
		{"shape/negative", []Tensor{{Name: "w", DType: "U8", Shape: []int{2, -1}}}, nil, "negative dimension in shape [2 -1]"},
		{"shape/overflow", []Tensor{{Name: "w", DType: "F64", Shape: []int{math.MaxInt, 2}}}, nil, "overflows"},
		{"data/short", []Tensor{{Name: "w", DType: "F32", Shape: []int{2, 3}, Data: make([]byte, 20)}}, nil, "20 bytes of data; F32 [2 3] needs 24"},
		{"data/scalar", []Tensor{{Name: "w", DType: "I16", Data: nil}}, nil, "0 bytes of data; I16 [] needs 2"},
		{"metadata/utf8", []Tensor{ok}, map[string]string{"k": "\xc3"}, `metadata "k" is not valid UTF-8`},
		{"metadata/key-utf8", nil, map[string]string{"\xc3": ""}, "not valid UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := Encode(&buf, tt.tensors, tt.meta)
			if err == nil {
				t.Fatalf("Encode = nil; want an error")
			}
			checkErr(t, err, tt.want)
			if buf.Len() != 0 {
				t.Errorf("Encode wrote %d bytes before failing; want none", buf.Len())
			}
		})
	}
}

func TestEncodeHeaderTooLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 100 MB header")
	}
	var buf bytes.Buffer
	err := Encode(&buf, nil, map[string]string{"big": strings.Repeat("a", MaxHeaderSize)})
	if err == nil {
		t.Fatal("Encode of a 100 MB metadata value = nil; want an error")
	}
	checkErr(t, err, "exceeds the limit of 100000000")
	if buf.Len() != 0 {
		t.Errorf("Encode wrote %d bytes before failing; want none", buf.Len())
	}
}

type failWriter struct{ left int }

var errDiskFull = errors.New("disk full")

func (w *failWriter) Write(p []byte) (int, error) {
	if len(p) > w.left {
		n := w.left
		w.left = 0
		return n, errDiskFull
	}
	w.left -= len(p)
	return len(p), nil
}

func TestEncodeWriterError(t *testing.T) {
	full := smallFile(t)
	f, err := Decode(full)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{0, 8, len(full) - 1} {
		err := Encode(&failWriter{left: n}, f.Tensors, f.Metadata)
		if !errors.Is(err, errDiskFull) || !strings.HasPrefix(err.Error(), "safetensors: write: ") {
			t.Errorf("Encode to a writer that fails after %d bytes: %v; want safetensors: write: ... disk full", n, err)
		}
	}
}

// TestEncodeOrder checks the order of tensors in the file: by element size,
// the reference's dtype order, then by name; never by the order given.
func TestEncodeOrder(t *testing.T) {
	mk := func(name, dtype string) Tensor {
		size, _ := DTypeSize(dtype)
		return Tensor{Name: name, DType: dtype, Shape: []int{1}, Data: make([]byte, size)}
	}
	tensors := []Tensor{
		mk("b", "U8"), mk("bool", "BOOL"), mk("z", "F32"), mk("a", "F32"), mk("m", "I64"),
		mk("B", "F16"), mk("c", "BF16"), mk("q", "I8"), mk("f8", "F8_E4M3"), mk("d", "F64"),
		mk("u", "U64"), mk("i", "I32"), mk("x", "U32"), mk("h", "I16"), mk("v", "U16"), mk("c64", "C64"),
	}
	want := []string{"u", "m", "d", "c64", "a", "z", "x", "i", "c", "B", "v", "h", "f8", "q", "b", "bool"}
	b := encode(t, tensors, nil)
	f, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, tt := range f.Tensors {
		got = append(got, tt.Name)
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("file order %v; want %v", got, want)
	}
	// Any permutation of the input writes the same bytes.
	for i := range tensors {
		rot := append(append([]Tensor{}, tensors[i:]...), tensors[:i]...)
		if !bytes.Equal(encode(t, rot, nil), b) {
			t.Fatalf("Encode of the tensors rotated by %d writes other bytes", i)
		}
	}
}

// TestEncodeHeaderText checks the header's exact text: compact JSON as the
// reference's serde_json writes it, strings escaped only where JSON needs it,
// metadata first with sorted keys.
func TestEncodeHeaderText(t *testing.T) {
	name := "a\"b\\c\n\t\r\b\f\x01\x1f\x7fé€😀<>&\u2028"
	b := encode(t, []Tensor{
		{Name: name, DType: "U8", Shape: []int{2, 1}, Data: []byte{1, 2}},
		{Name: "s", DType: "I32", Shape: []int{}, Data: []byte{3, 0, 0, 0}},
	}, map[string]string{"z": "1", "a": `{"n_layer":4}`})
	want := `{"__metadata__":{"a":"{\"n_layer\":4}","z":"1"},` +
		`"s":{"dtype":"I32","shape":[],"data_offsets":[0,4]},` +
		`"a\"b\\c\n\t\r\b\f\u0001\u001f` + "\x7fé€😀<>&\u2028" + `":{"dtype":"U8","shape":[2,1],"data_offsets":[4,6]}}`
	n := int(b[0])
	got := string(b[8 : 8+n])
	if strings.TrimRight(got, " ") != want {
		t.Errorf("header\n%s\nwant\n%s", got, want)
	}
	if n%8 != 0 || len(got)-len(want) >= 8 {
		t.Errorf("header of %d bytes for %d of JSON; want padding to a multiple of 8", n, len(want))
	}
	// encoding/json reads the same name back.
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(got), &m); err != nil {
		t.Fatal(err)
	}
	if _, ok := m[name]; !ok {
		t.Errorf("encoding/json does not find %q in the header", name)
	}
}
