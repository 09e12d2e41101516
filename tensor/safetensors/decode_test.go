package safetensors

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// file returns a safetensors file: the size of header, header and data.
func file(header string, data ...byte) []byte {
	b := binary.LittleEndian.AppendUint64(nil, uint64(len(header)))
	b = append(b, header...)
	return append(b, data...)
}

// entry returns the header entry of one tensor.
func ent(name, dtype, shape, offsets string) string {
	return `"` + name + `":{"dtype":"` + dtype + `","shape":` + shape + `,"data_offsets":` + offsets + `}`
}

func TestDecodeErrors(t *testing.T) {
	f32 := ent("w", "F32", "[3]", "[0,12]")
	d12 := make([]byte, 12)
	tests := []struct {
		name string
		file []byte
		want string // in the error message
	}{
		{"short/0", nil, "file of 0 bytes is too short"},
		{"short/7", make([]byte, 7), "file of 7 bytes is too short"},
		{"header/too-large", binary.LittleEndian.AppendUint64(nil, MaxHeaderSize+1), "header size 100000001 exceeds the limit"},
		{"header/huge", binary.LittleEndian.AppendUint64(nil, 1<<63), "exceeds the limit"},
		{"header/past-end", file("{}")[:9], "truncated: header size 2 needs 10 bytes, the file has 9"},
		{"header/utf8", file("{\"a\xc3\":1}"), "header is not valid UTF-8 (at file offset 11)"},
		{"header/empty", file(""), "header is not valid JSON: unexpected end"},
		{"header/unclosed", file(`{"w":{"dtype":"F32"`), "unexpected end"},
		{"header/syntax", file(`{"w" 1}`), "header is not valid JSON"},
		{"header/array", file(`[]`), "header is not a JSON object, found '['"},
		{"header/null", file(`null`), "header is not a JSON object, found null"},
		{"header/after", file(`{} {}`), "header has '{' after its JSON object (at file offset 11)"},
		{"header/garbage", file(`{}  x`), "header has data after its JSON object"},
		{"header/nul-pad", file("{}\x00\x00\x00\x00\x00\x00"), "after its JSON object"},
		{"name/twice", file(`{`+f32+`,`+ent("w", "I8", "[0]", "[12,12]")+`}`, d12...), `tensor "w": name given twice`},
		{"metadata/twice", file(`{"__metadata__":{},"__metadata__":{}}`), "given twice"},
		{"metadata/key-twice", file(`{"__metadata__":{"a":"1","a":"2"}}`), `__metadata__ key "a" given twice`},
		{"metadata/number", file(`{"__metadata__":{"step":100}}`), `__metadata__ value of "step" is number 100, not a string`},
		{"metadata/nested", file(`{"__metadata__":{"cfg":{}}}`), `value of "cfg" is '{', not a string`},
		{"metadata/array", file(`{"__metadata__":["a"]}`), "__metadata__ is '[', not an object of strings"},
		{"entry/not-object", file(`{"w":[1,2]}`), `tensor "w": entry is not an object, found '['`},
		{"entry/field-twice", file(`{"w":{"dtype":"F32","dtype":"F32","shape":[],"data_offsets":[0,4]}}`, 0, 0, 0, 0), `tensor "w": field "dtype" given twice`},
		{"entry/no-dtype", file(`{"w":{"shape":[3],"data_offsets":[0,12]}}`, d12...), `tensor "w": entry has no dtype`},
		{"entry/no-shape", file(`{"w":{"dtype":"F32","data_offsets":[0,12]}}`, d12...), "entry has no shape"},
		{"entry/no-offsets", file(`{"w":{"dtype":"F32","shape":[3]}}`, d12...), "entry has no data_offsets"},
		{"dtype/unknown", file(`{`+ent("w", "F33", "[3]", "[0,12]")+`}`, d12...), `unknown dtype "F33"`},
		{"dtype/lower-case", file(`{`+ent("w", "f32", "[3]", "[0,12]")+`}`, d12...), `unknown dtype "f32"`},
		{"dtype/sub-byte", file(`{`+ent("w", "F4", "[2]", "[0,1]")+`}`, 0), `unknown dtype "F4"`},
		{"dtype/number", file(`{"w":{"dtype":4,"shape":[3],"data_offsets":[0,12]}}`, d12...), "dtype is number 4, not a string"},
		{"shape/negative", file(`{`+ent("w", "F32", "[-3]", "[0,12]")+`}`, d12...), "shape holds -3, not an integer in [0, 2^64)"},
		{"shape/fraction", file(`{`+ent("w", "F32", "[3.0]", "[0,12]")+`}`, d12...), "shape holds 3.0, not an integer"},
		{"shape/exponent", file(`{`+ent("w", "F32", "[3e0]", "[0,12]")+`}`, d12...), "not an integer"},
		{"shape/2^64", file(`{`+ent("w", "F32", "[18446744073709551616]", "[0,12]")+`}`, d12...), "not an integer"},
		{"shape/string", file(`{`+ent("w", "F32", `["3"]`, "[0,12]")+`}`, d12...), `shape holds string "3", not a number`},
		{"shape/nested", file(`{`+ent("w", "F32", `[[3]]`, "[0,12]")+`}`, d12...), `shape holds '[', not a number`},
		{"shape/null", file(`{`+ent("w", "F32", `null`, "[0,12]")+`}`, d12...), "shape is null, not an array"},
		{"offsets/one", file(`{`+ent("w", "F32", "[3]", "[12]")+`}`, d12...), "data_offsets hold 1 numbers, not 2"},
		{"offsets/three", file(`{`+ent("w", "F32", "[3]", "[0,12,12]")+`}`, d12...), "not 2"},
		{"offsets/negative", file(`{`+ent("w", "F32", "[3]", "[-1,11]")+`}`, d12...), "data_offsets holds -1"},
		{"size/mismatch", file(`{`+ent("w", "F32", "[3]", "[0,8]")+`}`, d12[:8]...), `tensor "w": data_offsets [0, 8] hold 8 bytes; F32 [3] needs 12`},
		{"size/scalar", file(`{`+ent("w", "F64", "[]", "[0,4]")+`}`, 0, 0, 0, 0), "hold 4 bytes; F64 [] needs 8"},
		{"size/zero-dim", file(`{`+ent("w", "F32", "[3,0]", "[0,12]")+`}`, d12...), "hold 12 bytes; F32 [3 0] needs 0"},
		{"size/overflow", file(`{` + ent("w", "U8", "[4294967296,4294967296]", "[0,0]") + `}`), "shape [4294967296 4294967296] of U8 overflows"},
		{"size/dim-too-large", file(`{` + ent("w", "U8", "[0,9223372036854775808]", "[0,0]") + `}`), "dimension 9223372036854775808 of shape [0 9223372036854775808] is too large"},
		{"offsets/start", file(`{`+ent("w", "F32", "[3]", "[4,16]")+`}`, make([]byte, 16)...), `tensor "w": data_offsets [4, 16] leave a gap: the data before them ends at 0`},
		{"offsets/gap", file(`{`+ent("a", "F32", "[1]", "[0,4]")+`,`+ent("b", "F32", "[1]", "[8,12]")+`}`, d12...), `tensor "b": data_offsets [8, 12] leave a gap: the data before them ends at 4`},
		{"offsets/overlap", file(`{`+ent("a", "F32", "[2]", "[0,8]")+`,`+ent("b", "F32", "[2]", "[4,12]")+`}`, d12...), `tensor "b": data_offsets [4, 12] overlap the previous tensor, which ends at 8`},
		{"offsets/same", file(`{`+ent("a", "F32", "[3]", "[0,12]")+`,`+ent("b", "F32", "[3]", "[0,12]")+`}`, d12...), "overlap the previous tensor"},
		{"offsets/backwards", file(`{`+ent("a", "F32", "[3]", "[0,12]")+`,`+ent("b", "F32", "[1]", "[12,8]")+`}`, d12...), `tensor "b": data_offsets [12, 8] end before they begin`},
		{"data/trailing", file(`{`+f32+`}`, make([]byte, 13)...), "1 trailing bytes after the last tensor (at file offset"},
		{"data/trailing-empty", file(`{}`, 0), "1 trailing bytes after the last tensor (at file offset 10)"},
		{"data/truncated", file(`{`+f32+`}`, d12[:11]...), "truncated: the tensors need 12 bytes of data, the file has 11"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Decode(tt.file)
			if err == nil {
				t.Fatalf("Decode = %+v, nil; want an error", f)
			}
			checkErr(t, err, tt.want)
		})
	}
}

// TestDecodeErrorWhere checks the offset and tensor of an error in the
// middle of a header.
func TestDecodeErrorWhere(t *testing.T) {
	hdr := `{` + ent("a", "F32", "[1]", "[0,4]") + `, ` + ent("b", "F99", "[1]", "[4,8]") + `}`
	_, err := Decode(file(hdr, make([]byte, 8)...))
	var fe *FormatError
	if !errors.As(err, &fe) {
		t.Fatalf("Decode error %v is not a *FormatError", err)
	}
	want := int64(8 + strings.Index(hdr, `"F99"`))
	if fe.Tensor != "b" || fe.Offset != want {
		t.Errorf("Decode error at tensor %q, offset %d; want %q, %d (%v)", fe.Tensor, fe.Offset, "b", want, err)
	}
	// Problems found after parsing point at the tensor's name.
	hdr = `{` + ent("a", "F32", "[1]", "[0,4]") + `, ` + ent("b", "F32", "[1]", "[8,12]") + `}`
	_, err = Decode(file(hdr, make([]byte, 12)...))
	if !errors.As(err, &fe) {
		t.Fatalf("Decode error %v is not a *FormatError", err)
	}
	if want := int64(8 + strings.Index(hdr, `"b"`)); fe.Tensor != "b" || fe.Offset != want {
		t.Errorf("Decode error at tensor %q, offset %d; want %q, %d (%v)", fe.Tensor, fe.Offset, "b", want, err)
	}
}

// TestDecodeAccepts covers valid files beyond the reference's vectors.
func TestDecodeAccepts(t *testing.T) {
	tests := []struct {
		name string
		file []byte
		want *File
	}{
		{
			name: "header-order-is-not-data-order",
			file: file(`{`+ent("b", "U8", "[2]", "[1,3]")+`,`+ent("a", "I8", "[1]", "[0,1]")+`}`, 1, 2, 3),
			want: &File{Tensors: []Tensor{
				{Name: "a", DType: "I8", Shape: []int{1}, Data: []byte{1}},
				{Name: "b", DType: "U8", Shape: []int{2}, Data: []byte{2, 3}},
			}},
		},
		{
			name: "zero-size-tensors-share-offsets", // ties keep header order
			file: file(`{`+ent("z2", "F32", "[0]", "[4,4]")+`,`+ent("z1", "F32", "[0,7]", "[0,0]")+`,`+ent("x", "F32", "[]", "[0,4]")+`}`, 0, 0, 128, 63),
			want: &File{Tensors: []Tensor{
				{Name: "z1", DType: "F32", Shape: []int{0, 7}, Data: []byte{}},
				{Name: "x", DType: "F32", Shape: []int{}, Data: f32le(1)},
				{Name: "z2", DType: "F32", Shape: []int{0}, Data: []byte{}},
			}},
		},
		{
			name: "metadata-null",
			file: file(`{"__metadata__":null}`),
			want: &File{Tensors: []Tensor{}},
		},
		{
			name: "metadata-escapes",
			file: file(`{"__metadata__":{"a\"b":"\u00e9\n\ud83d\ude00","":""}}`),
			want: &File{Metadata: map[string]string{"a\"b": "é\n😀", "": ""}},
		},
		{
			name: "unknown-fields-ignored",
			file: file(`{"w":{"dtype":"BOOL","extra":{"x":[1,{}]},"shape":[1],"data_offsets":[0,1],"more":null}}`, 1),
			want: &File{Tensors: []Tensor{{Name: "w", DType: "BOOL", Shape: []int{1}, Data: []byte{1}}}},
		},
		{
			name: "whitespace-everywhere",
			file: file("\t{ \"w\" :\n{ \"dtype\" : \"U16\" , \"shape\" : [ 1 ] , \"data_offsets\" : [ 0 , 2 ] } }\r\n", 1, 2),
			want: &File{Tensors: []Tensor{{Name: "w", DType: "U16", Shape: []int{1}, Data: []byte{1, 2}}}},
		},
		{
			name: "every-dtype",
			file: func() []byte {
				var ts []Tensor
				for name, d := range dtypes {
					ts = append(ts, Tensor{Name: name, DType: name, Shape: []int{1}, Data: make([]byte, d.size)})
				}
				return encode(t, ts, nil)
			}(),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Decode(tt.file)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if tt.want == nil {
				return
			}
			if diff := cmp.Diff(tt.want, f, tensorOpts); diff != "" {
				t.Errorf("Decode (-want +got):\n%s", diff)
			}
		})
	}
}

// smallFile is a valid file with metadata and tensors of three dtypes.
func smallFile(t testing.TB) []byte {
	return encode(t, []Tensor{
		{Name: "w", DType: "F32", Shape: []int{2, 2}, Data: f32le(1, 2, 3, 4)},
		{Name: "w.q", DType: "I8", Shape: []int{3}, Data: []byte{1, 0xff, 7}},
		{Name: "step", DType: "I64", Shape: []int{}, Data: []byte{42, 0, 0, 0, 0, 0, 0, 0}},
		{Name: "empty", DType: "U8", Shape: []int{0}, Data: nil},
	}, map[string]string{"format": "tapegrad/1"})
}

// TestDecodeTruncated decodes every prefix of a small file, and the file with
// one byte more: each is an error, never a panic.
func TestDecodeTruncated(t *testing.T) {
	full := smallFile(t)
	if _, err := Decode(full); err != nil {
		t.Fatalf("Decode(full file): %v", err)
	}
	for n := range len(full) {
		if f, err := Decode(full[:n:n]); err == nil {
			t.Fatalf("Decode(first %d of %d bytes) = %+v, nil; want an error", n, len(full), f)
		} else if !strings.Contains(err.Error(), "truncated") && !strings.Contains(err.Error(), "too short") {
			t.Errorf("Decode(first %d of %d bytes): %v; want a truncation error", n, len(full), err)
		}
	}
	if _, err := Decode(append(full[:len(full):len(full)], 0)); err == nil || !strings.Contains(err.Error(), "1 trailing bytes") {
		t.Errorf("Decode(file + 1 byte) error = %v; want trailing bytes", err)
	}
}

// TestDecodeCorrupt changes each byte of a small file in a few ways: Decode
// never panics, and what it accepts round-trips.
func TestDecodeCorrupt(t *testing.T) {
	full := smallFile(t)
	for i := range full {
		for _, x := range []byte{0x01, 0x80, 0xff} {
			b := bytes.Clone(full)
			b[i] ^= x
			checkRoundTrip(t, b)
		}
	}
}

// checkRoundTrip decodes b; if that works, Encode of the result must decode to
// the same tensors and metadata.
func checkRoundTrip(t *testing.T, b []byte) {
	t.Helper()
	f, err := Decode(b)
	if err != nil {
		var fe *FormatError
		if !errors.As(err, &fe) || !strings.HasPrefix(err.Error(), "safetensors: ") {
			t.Fatalf("Decode(%q) error %q (%T); want a *FormatError", b, err, err)
		}
		return
	}
	var buf bytes.Buffer
	if err := Encode(&buf, f.Tensors, f.Metadata); err != nil {
		t.Fatalf("Decode(%q) ok, but Encode of it: %v", b, err)
	}
	g, err := Decode(buf.Bytes())
	if err != nil {
		t.Fatalf("Decode(Encode(Decode(%q))): %v", b, err)
	}
	if diff := cmp.Diff(byName(f.Tensors), byName(g.Tensors), tensorOpts); diff != "" {
		t.Fatalf("Decode(%q): tensors change through Encode (-first +second):\n%s", b, diff)
	}
	if diff := cmp.Diff(f.Metadata, g.Metadata, tensorOpts); diff != "" {
		t.Fatalf("Decode(%q): metadata changes through Encode (-first +second):\n%s", b, diff)
	}
}

func byName(ts []Tensor) map[string]Tensor {
	m := make(map[string]Tensor, len(ts))
	for _, t := range ts {
		m[t.Name] = t
	}
	return m
}

// TestRoundTripRandom writes random tensors and metadata and reads them back.
func TestRoundTripRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var names []string
	for name := range dtypes {
		names = append(names, name)
	}
	runes := []rune("abz.0_9-/ \"\\\n\x01\x7fé€😀<>&")
	randString := func(max int) string {
		r := make([]rune, rng.IntN(max+1))
		for i := range r {
			r[i] = runes[rng.IntN(len(runes))]
		}
		return string(r)
	}
	for iter := range 300 {
		var tensors []Tensor
		seen := map[string]bool{metadataKey: true}
		for range rng.IntN(8) {
			name := randString(6)
			if seen[name] {
				continue
			}
			seen[name] = true
			dt := names[rng.IntN(len(names))]
			shape := make([]int, rng.IntN(4))
			n := 1
			for i := range shape {
				shape[i] = rng.IntN(4)
				n *= shape[i]
			}
			data := make([]byte, n*dtypes[dt].size)
			for i := range data {
				data[i] = byte(rng.Uint32())
			}
			tensors = append(tensors, Tensor{Name: name, DType: dt, Shape: shape, Data: data})
		}
		var meta map[string]string
		if rng.IntN(2) == 0 {
			meta = map[string]string{}
			for range rng.IntN(4) {
				meta[randString(5)] = randString(20)
			}
		}
		b := encode(t, tensors, meta)

		n := binary.LittleEndian.Uint64(b)
		if n%8 != 0 {
			t.Fatalf("iter %d: header size %d is not a multiple of 8", iter, n)
		}
		f, err := Decode(b)
		if err != nil {
			t.Fatalf("iter %d: Decode(Encode(%v)): %v", iter, tensors, err)
		}
		if diff := cmp.Diff(byName(tensors), byName(f.Tensors), tensorOpts); diff != "" {
			t.Fatalf("iter %d: tensors (-wrote +read):\n%s", iter, diff)
		}
		if diff := cmp.Diff(meta, f.Metadata, tensorOpts); diff != "" {
			t.Fatalf("iter %d: metadata (-wrote +read):\n%s", iter, diff)
		}
		// File order: larger elements first, then by name; each tensor's data
		// starts at a file offset that is a multiple of its element size.
		off := 8 + int(n)
		for i, tt := range f.Tensors {
			if size := dtypes[tt.DType].size; off%size != 0 {
				t.Fatalf("iter %d: %s %q starts at file offset %d", iter, tt.DType, tt.Name, off)
			}
			off += len(tt.Data)
			if i > 0 {
				prev := f.Tensors[i-1]
				pr, r := dtypes[prev.DType].rank, dtypes[tt.DType].rank
				if pr < r || pr == r && prev.Name >= tt.Name {
					t.Fatalf("iter %d: %s %q written before %s %q", iter, prev.DType, prev.Name, tt.DType, tt.Name)
				}
			}
		}
		if again := encode(t, f.Tensors, f.Metadata); !bytes.Equal(again, b) {
			t.Fatalf("iter %d: Encode(Decode(b)) != b", iter)
		}
	}
}
