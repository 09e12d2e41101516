package train

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/tapegrad/tapegrad/nn"
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
