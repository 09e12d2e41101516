package train

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/tapegrad/tapegrad/compress"
	"github.com/tapegrad/tapegrad/nn"
	"github.com/tapegrad/tapegrad/tensor/safetensors"
	"github.com/tapegrad/tapegrad/tokenizer"
)

// FuzzDecode feeds arbitrary bytes, seeded with small real checkpoints (float
// and quantized) and damaged forms, to Decode (Load's in-memory twin): it must return a
// checkpoint or an error, never panic, and never allocate beyond what the
// input describes. (The seed is a model of a few dozen parameters: Go's
// fuzzer slows to a crawl on inputs of tens of kilobytes.)
func FuzzDecode(f *testing.F) {
	tok := tokenizer.NewChar("abc")
	cfg := Config{Model: nn.Config{VocabSize: 3, BlockSize: 2, NLayer: 1, NHead: 1, NEmbd: 2, Bias: true}}
	model, err := nn.NewGPT(cfg.Model, 1)
	if err != nil {
		f.Fatal(err)
	}
	path := filepath.Join(f.TempDir(), "ck.safetensors")
	if err := SaveModel(path, cfg, model, tok); err != nil {
		f.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(raw)
	f.Add(raw[:len(raw)/2])
	// Quantized seeds: int8 on the same model, and Q4_0 on a model without
	// blocks whose rows are one 32-value block long.
	blocks := Config{Model: nn.Config{VocabSize: 3, BlockSize: 2, NLayer: 0, NHead: 1, NEmbd: 32, Bias: true}}
	blockModel, err := nn.NewGPT(blocks.Model, 1)
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []struct {
		cfg    Config
		model  *nn.GPT
		scheme string
	}{{cfg, model, Int8}, {blocks, blockModel, Q4_0}} {
		if err := SaveQuantized(path, s.cfg, s.model, tok, s.scheme); err != nil {
			f.Fatal(err)
		}
		q, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(q)
	}
	f.Add([]byte{})
	f.Add([]byte("{}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ck, err := Decode(data)
		if err == nil && ck.Model == nil {
			t.Fatal("Decode returned neither a model nor an error")
		}
	})
}

// FuzzDecodeCompact is FuzzDecode seeded with compact checkpoints: a tiny
// model whose matrices, half zeros, are stored as bitmasks (F32) and as CSR
// (Int8, with float16 scales), so that the fuzzer mutates row pointers,
// column indices, bitmask bits, shapes, scales and their dtypes. Decode must
// return a model or an error, never panic, and allocate nothing before the
// counts that size it have been checked.
func FuzzDecodeCompact(f *testing.F) {
	tok := tokenizer.NewChar("abc")
	cfg := Config{Model: nn.Config{VocabSize: 3, BlockSize: 2, NLayer: 1, NHead: 1, NEmbd: 2, Bias: true}}
	model, err := nn.NewGPT(cfg.Model, 1)
	if err != nil {
		f.Fatal(err)
	}
	for _, p := range model.Params() {
		for i := range p.Value.Data.Data() {
			if i%2 == 1 {
				p.Value.Data.Data()[i] = 0
			}
		}
	}
	for _, s := range []struct{ scheme, form string }{{F32, sufBitmask}, {Int8, sufIndptr}} {
		meta, _, err := modelFile(cfg, model, tok)
		if err != nil {
			f.Fatal(err)
		}
		meta[keyQuant] = s.scheme
		var tensors []safetensors.Tensor
		for _, p := range model.Params() {
			w := p.Value.Data
			ts, err := quantizeParam(p.Name, w, s.scheme)
			if err != nil {
				f.Fatal(err)
			}
			if w.Dims() == 2 { // compact whatever the size
				ts = ts[:0]
				if s.scheme == F32 {
					ts = compactTensors(p.Name, w.Data(), w.Dim(0), w.Dim(1), 4, f32Bytes, s.form)
				} else {
					q, _ := compress.QuantizeInt8FP16(w)
					ts = append(ts, safetensors.Tensor{Name: p.Name + sufScale, DType: "F16", Shape: []int{len(q.Scale)}, Data: f16Bytes(q.Scale)})
					ts = append(ts, compactTensors(p.Name, q.Q, w.Dim(0), w.Dim(1), 1, i8Bytes, s.form)...)
				}
			}
			tensors = append(tensors, ts...)
		}
		var buf bytes.Buffer
		if err := safetensors.Encode(&buf, tensors, meta); err != nil {
			f.Fatal(err)
		}
		raw := buf.Bytes()
		if _, err := Decode(raw); err != nil {
			f.Fatalf("%s seed: %v", s.scheme, err)
		}
		f.Add(raw)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ck, err := Decode(data)
		if err == nil && ck.Model == nil {
			t.Fatal("Decode returned neither a model nor an error")
		}
	})
}
