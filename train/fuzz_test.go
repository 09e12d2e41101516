package train

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/tapegrad/tapegrad/compress"
	"github.com/tapegrad/tapegrad/nn"
	"github.com/tapegrad/tapegrad/tensor"
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

// FuzzDecodeQuantized is FuzzDecode seeded with small SaveQuantized
// checkpoints: a model of one embedding [3, 2], half zeros, stored as a
// bitmask and as CSR with F32 values (F32) and int8 values with float16
// scales (Int8), and an embedding [3, 32] in Q8_0 and Q4_0 blocks, so that
// the fuzzer mutates row pointers, column indices, bitmask bits, shapes,
// scales, blocks and their dtypes. Decode must return a model or an error,
// never panic, and allocate nothing before the counts that size it have been
// checked. The seeds are 500 to 800 bytes, with the smallest config and
// tokenizer that load: Go's fuzzer crawls on inputs of a few kilobytes (as
// FuzzDecode's are).
func FuzzDecodeQuantized(f *testing.F) {
	meta := map[string]string{
		keyFormat:    Format,
		keyConfig:    `{"model":{"vocab_size":3,"block_size":2,"n_head":1,"n_embd":2,"rope":true}}`,
		keyTokenizer: `{"format":"tapegrad.tokenizer/1","type":"char","chars":"abc"}`,
	}
	wte := []float32{1, 0, 0, -2, 3, 0}
	ln := tensor.FromSlice([]float32{1, 0.5}, 2)
	for _, s := range []struct{ scheme, form string }{{F32, sufBitmask}, {Int8, sufIndptr}, {Int8, sufBitmask}, {F32, sufIndptr}} {
		meta[keyQuant] = s.scheme
		var tensors []safetensors.Tensor
		if s.scheme == F32 {
			tensors = compactTensors("transformer.wte.weight", wte, 3, 2, 4, f32Bytes, s.form)
			tensors = append(tensors, safetensors.FromFloat32("transformer.ln_f.weight", ln))
		} else {
			q, _ := compress.QuantizeInt8FP16(tensor.FromSlice(wte, 3, 2))
			tensors = compactTensors("transformer.wte.weight", q.Q, 3, 2, 1, i8Bytes, s.form)
			tensors = append(tensors, safetensors.Tensor{Name: "transformer.wte.weight" + sufScale, DType: "F16", Shape: []int{3}, Data: f16Bytes(q.Scale)})
			ts, err := quantizeParam("transformer.ln_f.weight", ln, Int8)
			if err != nil {
				f.Fatal(err)
			}
			tensors = append(tensors, ts...)
		}
		var buf bytes.Buffer
		if err := safetensors.Encode(&buf, tensors, meta); err != nil {
			f.Fatal(err)
		}
		raw := buf.Bytes()
		if _, err := Decode(raw); err != nil {
			f.Fatalf("%s %s seed: %v", s.scheme, s.form, err)
		}
		f.Add(raw)
	}
	meta[keyConfig] = `{"model":{"vocab_size":3,"block_size":2,"n_head":1,"n_embd":32,"rope":true}}`
	for _, scheme := range []string{Q8_0, Q4_0} {
		meta[keyQuant] = scheme
		w := tensor.FromSlice(make([]float32, 3*32), 3, 32)
		for i := range w.Data() {
			w.Data()[i] = float32(i%7) - 3
		}
		tensors, err := quantizeParam("transformer.wte.weight", w, scheme)
		if err != nil {
			f.Fatal(err)
		}
		tensors = append(tensors, safetensors.FromFloat32("transformer.ln_f.weight", tensor.Ones(32)))
		var buf bytes.Buffer
		if err := safetensors.Encode(&buf, tensors, meta); err != nil {
			f.Fatal(err)
		}
		if _, err := Decode(buf.Bytes()); err != nil {
			f.Fatalf("%s seed: %v", scheme, err)
		}
		f.Add(buf.Bytes())
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ck, err := Decode(data)
		if err == nil && ck.Model == nil {
			t.Fatal("Decode returned neither a model nor an error")
		}
	})
}
