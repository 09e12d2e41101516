package train

import (
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tapegrad/tapegrad/data"
	"github.com/tapegrad/tapegrad/nn"
	"github.com/tapegrad/tapegrad/tokenizer"
)

// unevenModel returns a model whose layers have their own numbers of heads
// and MLP widths, as structured pruning leaves them, and its tokenizer.
func unevenModel(t *testing.T) (*nn.GPT, tokenizer.Tokenizer) {
	t.Helper()
	tok := tokenizer.NewChar("abcdefgh \n")
	m, err := nn.NewGPT(nn.Config{VocabSize: tok.VocabSize(), BlockSize: 8, NLayer: 2, NHead: 4, NEmbd: 32, Bias: true,
		LayerHeads: []int{1, 3}, LayerMLP: []int{7, 100}}, 3)
	if err != nil {
		t.Fatal(err)
	}
	return m, tok
}

// TestUnevenCheckpoint: a model with per-layer sizes saves, loads with the
// same config and logits, samples, fine-tunes with NewFromModel, and is
// refused by the GGUF export with a message naming the layers.
func TestUnevenCheckpoint(t *testing.T) {
	m, tok := unevenModel(t)
	cfg := Presets["tiny"]
	cfg.BatchSize, cfg.MaxIters, cfg.EvalIters = 2, 3, 1
	path := filepath.Join(t.TempDir(), "m.safetensors")
	if err := SaveModel(path, cfg, m, tok); err != nil {
		t.Fatal(err)
	}
	ck, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if !ck.Config.Model.Equal(m.Config) {
		t.Fatalf("loaded config %v; saved %v", ck.Config.Model, m.Config)
	}
	ctx := []int{1, 2, 3, 4}
	if a, b := m.LastLogits(ctx), ck.Model.LastLogits(ctx); !slices.Equal(a, b) {
		t.Errorf("loaded logits %v…; saved %v…", b[:3], a[:3])
	}
	if out, err := ck.Model.Generate([]int{1}, 12, nn.Sampling{Temperature: 1, Seed: 1}); err != nil || len(out) != 12 {
		t.Errorf("Generate = %v, %v", out, err)
	}

	ids := make(data.Ints, 200)
	for i := range ids {
		ids[i] = i * 7 % tok.VocabSize()
	}
	tr, err := NewFromModel(cfg, ck.Model, tok, ids, ids)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		rec, err := tr.TrainStep()
		if err != nil || math.IsNaN(rec.TrainLoss) {
			t.Fatalf("TrainStep = %+v, %v", rec, err)
		}
	}
	if !slices.Equal(tr.Config.Model.LayerMLP, []int{7, 100}) {
		t.Errorf("trainer config %v lost the per-layer sizes", tr.Config.Model)
	}

	err = ExportGGUF(filepath.Join(t.TempDir(), "m.gguf"), ck, "")
	if err == nil || !strings.Contains(err.Error(), "[1 3] heads") {
		t.Errorf("ExportGGUF of uneven layers: %v; want an error naming the heads", err)
	}
}

// TestParamCountUneven: the count Load checks a file against equals the
// model's own.
func TestParamCountUneven(t *testing.T) {
	m, _ := unevenModel(t)
	for _, c := range []nn.Config{m.Config, {VocabSize: 5, BlockSize: 4, NLayer: 2, NHead: 2, NEmbd: 8, RoPE: true}} {
		g, err := nn.NewGPT(c, 1)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := paramCount(g.Config), int64(nn.NumParams(g)); got != want {
			t.Errorf("paramCount(%v) = %d; want %d", c, got, want)
		}
	}
}
