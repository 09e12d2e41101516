package safetensors_test

import (
	"bytes"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/tapegrad/tapegrad/tensor"
	"github.com/tapegrad/tapegrad/tensor/safetensors"
)

// A checkpoint: float32 weights, an int8 quantized copy, and metadata, written
// atomically and read back.
func Example() {
	dir, err := os.MkdirTemp("", "example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "model.safetensors")

	w := tensor.FromSlice([]float32{0.5, -1, 2, 0}, 2, 2)
	err = safetensors.WriteFile(path, []safetensors.Tensor{
		safetensors.FromFloat32("wte.weight", w),
		safetensors.FromInt8("wte.weight.q", []int8{32, -64, 127, 0}, 2, 2),
	}, map[string]string{"format": "tapegrad/1", "config": `{"n_layer":4}`})
	if err != nil {
		log.Fatal(err)
	}

	f, err := safetensors.ReadFile(path)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("format:", f.Metadata["format"])
	for _, t := range f.Tensors {
		fmt.Println(t.Name, t.DType, t.Shape, len(t.Data), "bytes")
	}
	st, _ := f.Get("wte.weight")
	back, err := st.Float32()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(back.Shape(), back.Data())
	// Output:
	// format: tapegrad/1
	// wte.weight F32 [2 2] 16 bytes
	// wte.weight.q I8 [2 2] 4 bytes
	// [2 2] [0.5 -1 2 0]
}

// Encode writes the 8-byte header size, the JSON header padded with spaces to
// a multiple of 8, then the data.
func ExampleEncode() {
	var buf bytes.Buffer
	err := safetensors.Encode(&buf, []safetensors.Tensor{
		safetensors.FromInt8("q", []int8{1, -1}, 2),
	}, nil)
	if err != nil {
		log.Fatal(err)
	}
	b := buf.Bytes()
	fmt.Printf("header size % x\n", b[:8])
	fmt.Printf("header      %q\n", b[8:len(b)-2])
	fmt.Printf("data        % x\n", b[len(b)-2:])
	// Output:
	// header size 38 00 00 00 00 00 00 00
	// header      "{\"q\":{\"dtype\":\"I8\",\"shape\":[2],\"data_offsets\":[0,2]}}   "
	// data        01 ff
}

// Decode reports what is wrong with a file and where.
func ExampleDecode() {
	file := []byte("<\x00\x00\x00\x00\x00\x00\x00" +
		`{"test":{"dtype":"I32","shape":[2,2],"data_offsets":[0,16]}}` +
		"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00") // 2 bytes short
	_, err := safetensors.Decode(file)
	fmt.Println(err)
	// Output:
	// safetensors: truncated: the tensors need 16 bytes of data, the file has 14 (at file offset 82)
}
