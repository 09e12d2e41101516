package safetensors

import (
	"math"
	"slices"
	"testing"

	"github.com/tapegrad/tapegrad/tensor"
)

func TestFloat32RoundTrip(t *testing.T) {
	tests := []struct {
		data  []float32
		shape []int
	}{
		{[]float32{1}, nil},
		{[]float32{}, []int{0}},
		{[]float32{}, []int{3, 0, 2}},
		{[]float32{0, 1, -2.5, float32(math.Inf(-1)), math.MaxFloat32, math.SmallestNonzeroFloat32}, []int{2, 3}},
		{[]float32{math.Float32frombits(0x7fc00001), float32(math.Copysign(0, -1))}, []int{2, 1, 1}},
	}
	for _, tt := range tests {
		src := tensor.FromSlice(tt.data, tt.shape...)
		st := FromFloat32("x", src)
		if st.Name != "x" || st.DType != "F32" || len(st.Data) != 4*len(tt.data) {
			t.Errorf("FromFloat32(%v) = %+v", tt.data, st)
		}
		got, err := st.Float32()
		if err != nil {
			t.Fatalf("FromFloat32(%v).Float32(): %v", tt.data, err)
		}
		if !slices.Equal(got.Shape(), src.Shape()) && !(len(got.Shape()) == 0 && len(src.Shape()) == 0) {
			t.Errorf("shape %v; want %v", got.Shape(), src.Shape())
		}
		for i, v := range got.Data() {
			if math.Float32bits(v) != math.Float32bits(tt.data[i]) {
				t.Errorf("value %d = %x; want %x", i, math.Float32bits(v), math.Float32bits(tt.data[i]))
			}
		}
	}
}

func TestFloat32Copies(t *testing.T) {
	src := tensor.FromSlice([]float32{1, 2}, 2)
	st := FromFloat32("x", src)
	if want := []byte{0, 0, 0x80, 0x3f, 0, 0, 0, 0x40}; !slices.Equal(st.Data, want) {
		t.Errorf("FromFloat32([1 2]).Data = %v; want %v", st.Data, want)
	}
	src.Data()[0] = 5
	src.Shape()[0] = 9 // the caller must not, but FromFloat32 copied anyway
	if st.Data[2] != 0x80 || st.Shape[0] != 2 {
		t.Errorf("FromFloat32 shares memory with its tensor")
	}
	got, _ := st.Float32()
	st.Data[3] = 0
	if got.Data()[0] != 1 {
		t.Errorf("Float32 shares memory with the Tensor's Data")
	}
}

func TestConvertErrors(t *testing.T) {
	for _, tt := range []struct {
		t    Tensor
		want string
	}{
		{Tensor{Name: "w", DType: "F16", Shape: []int{1}, Data: make([]byte, 2)}, `tensor "w": dtype is F16, not F32`},
		{Tensor{Name: "w", DType: "F32", Shape: []int{2}, Data: make([]byte, 7)}, "7 bytes of data; F32 [2] needs 8"},
		{Tensor{Name: "w", DType: "F32", Shape: []int{-1}}, "negative dimension"},
	} {
		if _, err := tt.t.Float32(); err == nil {
			t.Errorf("%+v.Float32() = nil error; want %q", tt.t, tt.want)
		} else {
			checkErr(t, err, tt.want)
		}
	}
	for _, tt := range []struct {
		t    Tensor
		want string
	}{
		{Tensor{Name: "q", DType: "U8", Shape: []int{1}, Data: make([]byte, 1)}, `tensor "q": dtype is U8, not I8`},
		{Tensor{Name: "q", DType: "I8", Shape: []int{2, 2}, Data: make([]byte, 3)}, "3 bytes of data; I8 [2 2] needs 4"},
	} {
		if _, err := tt.t.Int8(); err == nil {
			t.Errorf("%+v.Int8() = nil error; want %q", tt.t, tt.want)
		} else {
			checkErr(t, err, tt.want)
		}
	}
}

func TestInt8(t *testing.T) {
	data := []int8{-128, -1, 0, 1, 127, 5}
	st := FromInt8("q", data, 2, 3)
	if want := []byte{0x80, 0xff, 0, 1, 0x7f, 5}; st.DType != "I8" || !slices.Equal(st.Data, want) || !slices.Equal(st.Shape, []int{2, 3}) {
		t.Errorf("FromInt8 = %+v; want I8 [2 3] %v", st, want)
	}
	data[0] = 0
	got, err := st.Int8()
	if err != nil {
		t.Fatal(err)
	}
	if want := []int8{-128, -1, 0, 1, 127, 5}; !slices.Equal(got, want) {
		t.Errorf("Int8() = %v; want %v", got, want)
	}
	if s := FromInt8("s", []int8{3}); len(s.Shape) != 0 || len(s.Data) != 1 {
		t.Errorf("FromInt8 scalar = %+v", s)
	}
	for _, shape := range [][]int{{2, 2}, {}, {-1}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("FromInt8(3 values, shape %v) did not panic", shape)
				}
			}()
			FromInt8("q", []int8{1, 2, 3}, shape...)
		}()
	}
}

func TestDTypeSize(t *testing.T) {
	for _, tt := range []struct {
		dtype string
		size  int
		ok    bool
	}{
		{"F32", 4, true}, {"F16", 2, true}, {"BF16", 2, true}, {"F64", 8, true},
		{"I8", 1, true}, {"U8", 1, true}, {"I16", 2, true}, {"U16", 2, true},
		{"I32", 4, true}, {"U32", 4, true}, {"I64", 8, true}, {"U64", 8, true},
		{"BOOL", 1, true}, {"F8_E5M2", 1, true}, {"F8_E4M3", 1, true}, {"F8_E8M0", 1, true}, {"C64", 8, true},
		{"f32", 0, false}, {"F4", 0, false}, {"", 0, false}, {"float32", 0, false},
	} {
		if size, ok := DTypeSize(tt.dtype); size != tt.size || ok != tt.ok {
			t.Errorf("DTypeSize(%q) = %d, %v; want %d, %v", tt.dtype, size, ok, tt.size, tt.ok)
		}
	}
}

func TestGet(t *testing.T) {
	f, err := Decode(smallFile(t))
	if err != nil {
		t.Fatal(err)
	}
	w, ok := f.Get("w.q")
	if !ok || w.DType != "I8" || !slices.Equal(w.Data, []byte{1, 0xff, 7}) {
		t.Errorf(`Get("w.q") = %+v, %v`, w, ok)
	}
	if w, ok := f.Get("nope"); ok || w.Name != "" {
		t.Errorf(`Get("nope") = %+v, %v; want zero, false`, w, ok)
	}
	if f.Metadata["format"] != "tapegrad/1" {
		t.Errorf("Metadata = %v", f.Metadata)
	}
}
