package safetensors

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// The byte vectors below come from the tests of the reference implementation,
// the Rust crate huggingface/safetensors, file safetensors/src/tensor.rs
// (mod tests: test_serialization, test_empty,
// test_serialization_forced_alignement, test_deserialization,
// test_empty_shapes_allowed, test_zero_sized_tensor,
// test_whitespace_padded_header, test_json_attack,
// test_metadata_incomplete_buffer, test_header_too_large,
// test_header_too_small, test_invalid_header_length,
// test_invalid_header_non_utf8, test_invalid_header_not_json,
// test_invalid_info, test_validation_overflow). Rust's b"..." literals carry
// over to Go string literals unchanged.

// f32le returns the little-endian bytes of vs.
func f32le(vs ...float32) []byte {
	b := make([]byte, 4*len(vs))
	for i, v := range vs {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(v))
	}
	return b
}

// encode runs Encode into a buffer.
func encode(t testing.TB, tensors []Tensor, meta map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Encode(&buf, tensors, meta); err != nil {
		t.Fatalf("Encode: %v", err)
	}
	return buf.Bytes()
}

// tensorOpts compare decoded tensors with written ones: empty and nil slices
// are equal.
var tensorOpts = cmp.Options{cmpopts.EquateEmpty()}

// TestReferenceSerialize checks Encode against the reference's serialize
// outputs, and the round trip the other way: Decode of those bytes gives the
// tensors back, and Encode of that gives the same bytes.
func TestReferenceSerialize(t *testing.T) {
	tests := []struct {
		name    string // the reference test
		tensors []Tensor
		meta    map[string]string
		want    []byte
	}{
		{
			name:    "test_serialization",
			tensors: []Tensor{{Name: "attn.0", DType: "F32", Shape: []int{1, 2, 3}, Data: f32le(0, 1, 2, 3, 4, 5)}},
			want: []byte{
				64, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 46, 48, 34, 58, 123, 34, 100,
				116, 121, 112, 101, 34, 58, 34, 70, 51, 50, 34, 44, 34, 115, 104, 97, 112, 101, 34,
				58, 91, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116, 97, 95, 111, 102, 102, 115,
				101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 0, 0, 0, 0, 0, 0, 128, 63,
				0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64,
			},
		},
		{
			name: "test_empty",
			want: []byte{8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32},
		},
		{
			name: "test_empty/metadata",
			meta: map[string]string{"framework": "pt"},
			want: []byte{
				40, 0, 0, 0, 0, 0, 0, 0, 123, 34, 95, 95, 109, 101, 116, 97, 100, 97, 116, 97, 95,
				95, 34, 58, 123, 34, 102, 114, 97, 109, 101, 119, 111, 114, 107, 34, 58, 34, 112,
				116, 34, 125, 125, 32, 32, 32, 32, 32,
			},
		},
		{
			name:    "test_serialization_forced_alignement",
			tensors: []Tensor{{Name: "attn0", DType: "F32", Shape: []int{1, 1, 2, 3}, Data: f32le(0, 1, 2, 3, 4, 5)}},
			want: []byte{
				72, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 48, 34, 58, 123, 34, 100, 116,
				121, 112, 101, 34, 58, 34, 70, 51, 50, 34, 44, 34, 115, 104, 97, 112, 101, 34, 58,
				91, 49, 44, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116, 97, 95, 111, 102, 102,
				115, 101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 32, 32, 32, 32, 32,
				32, 32, 0, 0, 0, 0, 0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0,
				160, 64,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := encode(t, tt.tensors, tt.meta)
			if !bytes.Equal(got, tt.want) {
				t.Fatalf("Encode = %q\nwant     %q", got, tt.want)
			}
			f, err := Decode(tt.want)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if diff := cmp.Diff(tt.tensors, f.Tensors, tensorOpts); diff != "" {
				t.Errorf("Decode tensors (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.meta, f.Metadata, tensorOpts); diff != "" {
				t.Errorf("Decode metadata (-want +got):\n%s", diff)
			}
			if again := encode(t, f.Tensors, f.Metadata); !bytes.Equal(again, tt.want) {
				t.Errorf("Encode(Decode(want)) = %q\nwant                  %q", again, tt.want)
			}
		})
	}
}

// TestReferenceDeserialize decodes the files the reference accepts.
func TestReferenceDeserialize(t *testing.T) {
	zeros := func(n int) []byte { return make([]byte, n) }
	tests := []struct {
		name string // the reference test
		file string
		want []Tensor
	}{
		{
			name: "test_deserialization", // also test_lifetimes and the doc example
			file: "<\x00\x00\x00\x00\x00\x00\x00{\"test\":{\"dtype\":\"I32\",\"shape\":[2,2],\"data_offsets\":[0,16]}}\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00",
			want: []Tensor{{Name: "test", DType: "I32", Shape: []int{2, 2}, Data: zeros(16)}},
		},
		{
			name: "test_empty_shapes_allowed",
			file: "8\x00\x00\x00\x00\x00\x00\x00{\"test\":{\"dtype\":\"I32\",\"shape\":[],\"data_offsets\":[0,4]}}\x00\x00\x00\x00",
			want: []Tensor{{Name: "test", DType: "I32", Shape: []int{}, Data: zeros(4)}},
		},
		{
			name: "test_zero_sized_tensor",
			file: "<\x00\x00\x00\x00\x00\x00\x00{\"test\":{\"dtype\":\"I32\",\"shape\":[2,0],\"data_offsets\":[0, 0]}}",
			want: []Tensor{{Name: "test", DType: "I32", Shape: []int{2, 0}, Data: zeros(0)}},
		},
		{
			name: "test_whitespace_padded_header",
			file: "\x06\x00\x00\x00\x00\x00\x00\x00{}\x0D\x20\x09\x0A",
			want: []Tensor{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Decode([]byte(tt.file))
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if diff := cmp.Diff(tt.want, f.Tensors, tensorOpts); diff != "" {
				t.Errorf("Decode tensors (-want +got):\n%s", diff)
			}
			if f.Metadata != nil {
				t.Errorf("Decode metadata = %v; want nil", f.Metadata)
			}
			// Written again, the file is in canonical form and decodes the same.
			g, err := Decode(encode(t, f.Tensors, nil))
			if err != nil {
				t.Fatalf("Decode(Encode(Decode(file))): %v", err)
			}
			if diff := cmp.Diff(f.Tensors, g.Tensors, tensorOpts); diff != "" {
				t.Errorf("re-encoded tensors (-want +got):\n%s", diff)
			}
		})
	}
}

// TestReferenceRejects checks that every file the reference rejects is
// rejected, with an error that names the problem.
func TestReferenceRejects(t *testing.T) {
	const body = "{\"test\":{\"dtype\":\"I32\",\"shape\":[2,2],\"data_offsets\":[0,16]}}"
	zeros16 := strings.Repeat("\x00", 16)

	// test_json_attack: ten tensors that all claim bytes [0, 16].
	var attack strings.Builder
	attack.WriteString("{")
	for i := range 10 {
		if i > 0 {
			attack.WriteString(",")
		}
		attack.WriteString(`"weight_` + string(rune('0'+i)) + `":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}`)
	}
	attack.WriteString("}")
	attackFile := string(binary.LittleEndian.AppendUint64(nil, uint64(attack.Len()))) + attack.String() + zeros16

	tests := []struct {
		name string // the reference test and its error
		file string
		want string // in the error message
	}{
		{"test_json_attack/InvalidOffset", attackFile, "overlap the previous tensor"},
		{"test_metadata_incomplete_buffer/extra", "<\x00\x00\x00\x00\x00\x00\x00" + body + zeros16 + "extra_bogus_data_for_polyglot_file", "34 trailing bytes"},
		{"test_metadata_incomplete_buffer/missing", "<\x00\x00\x00\x00\x00\x00\x00" + body + zeros16[:14], "truncated: the tensors need 16 bytes of data, the file has 14"},
		{"test_header_too_large/HeaderTooLarge", "<\x00\x00\x00\x00\xff\xff\xff" + body + zeros16, "exceeds the limit"},
		{"test_header_too_small/HeaderTooSmall", "", "too short"},
		{"test_invalid_header_length/InvalidHeaderLength", "<\x00\x00\x00\x00\x00\x00\x00", "truncated: header size 60"},
		{"test_invalid_header_non_utf8/InvalidHeader", "\x01\x00\x00\x00\x00\x00\x00\x00\xff", "not valid UTF-8"},
		{"test_invalid_header_not_json/InvalidHeaderDeserialization", "\x01\x00\x00\x00\x00\x00\x00\x00{", "not valid JSON"},
		{"test_invalid_info/TensorInvalidInfo", "<\x00\x00\x00\x00\x00\x00\x00{\"test\":{\"dtype\":\"I32\",\"shape\":[2,2],\"data_offsets\":[0, 4]}}", "hold 4 bytes; I32 [2 2] needs 16"},
		{"test_validation_overflow/shape", "O\x00\x00\x00\x00\x00\x00\x00{\"test\":{\"dtype\":\"I32\",\"shape\":[2,18446744073709551614],\"data_offsets\":[0,16]}}" + zeros16, "overflows"},
		{"test_validation_overflow/bytes", "N\x00\x00\x00\x00\x00\x00\x00{\"test\":{\"dtype\":\"I32\",\"shape\":[2,9223372036854775807],\"data_offsets\":[0,16]}}" + zeros16, "overflows"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Decode([]byte(tt.file))
			if err == nil {
				t.Fatalf("Decode = %+v, nil; want an error", f)
			}
			checkErr(t, err, tt.want)
		})
	}
}

// checkErr checks that err is a *FormatError whose message has the package
// prefix and contains want.
func checkErr(t *testing.T, err error, want string) {
	t.Helper()
	var fe *FormatError
	if !errors.As(err, &fe) {
		t.Errorf("error %v (%T) is not a *FormatError", err, err)
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, "safetensors: ") || !strings.Contains(msg, want) {
		t.Errorf("error %q; want \"safetensors: ...%s...\"", msg, want)
	}
}
