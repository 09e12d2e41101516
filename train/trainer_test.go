package train

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tapegrad/tapegrad/data"
	"github.com/tapegrad/tapegrad/nn"
	"github.com/tapegrad/tapegrad/tokenizer"
)

const testText = "the quick brown fox jumps over the lazy dog. " +
	"pack my box with five dozen liquor jugs! how vexingly quick daft zebras jump. "

func testConfig() Config {
	return Config{
		Model:     nn.Config{BlockSize: 8, NLayer: 1, NHead: 2, NEmbd: 16, Bias: true, Dropout: 0.1},
		BatchSize: 4, GradAccum: 2, MaxIters: 12,
		LR: 1e-2, MinLR: 1e-3, Warmup: 3, Beta1: 0.9, Beta2: 0.99, Eps: 1e-8, WeightDecay: 0.1, GradClip: 1,
		EvalInterval: 4, EvalIters: 2, LogInterval: 1, Seed: 7,
	}
}

func testSplits(t testing.TB) (tokenizer.Tokenizer, data.Ints, data.Ints) {
	text := strings.Repeat(testText, 8)
	tok := tokenizer.NewChar(text)
	ids, err := tok.Encode(text)
	if err != nil {
		t.Fatal(err)
	}
	tr, va := data.Split(ids, 0.9)
	return tok, tr, va
}

func losses(t *testing.T, tr *Trainer, n int) []float64 {
	t.Helper()
	var out []float64
	for range n {
		r, err := tr.TrainStep()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, r.TrainLoss)
	}
	return out
}

// TestResumeIsExact: a run saved after 5 steps and resumed gives the same
// losses, bit for bit, as a run never stopped (dropout on, accumulation,
// clipping, the schedule).
func TestResumeIsExact(t *testing.T) {
	tok, trIDs, vaIDs := testSplits(t)
	straight, err := New(testConfig(), tok, trIDs, vaIDs)
	if err != nil {
		t.Fatal(err)
	}
	want := losses(t, straight, 10)

	first, _ := New(testConfig(), tok, trIDs, vaIDs)
	got := losses(t, first, 5)
	path := filepath.Join(t.TempDir(), "ckpt.safetensors")
	if err := first.Save(path); err != nil {
		t.Fatal(err)
	}
	resumed, err := Resume(path, trIDs, vaIDs)
	if err != nil {
		t.Fatal(err)
	}
	if resumed.Step != 5 {
		t.Fatalf("resumed at step %d; want 5", resumed.Step)
	}
	got = append(got, losses(t, resumed, 5)...)
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("step %d: loss %v after resume; %v without stopping", i+1, got[i], want[i])
		}
	}
}

// TestInterruptAndResume: Run stops at a cancelled context with a whole
// state, and the resumed run ends where an uninterrupted one does.
func TestInterruptAndResume(t *testing.T) {
	tok, trIDs, vaIDs := testSplits(t)
	full, _ := New(testConfig(), tok, trIDs, vaIDs)
	if err := full.Run(context.Background(), Hooks{}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	part, _ := New(testConfig(), tok, trIDs, vaIDs)
	err := part.Run(ctx, Hooks{OnStep: func(r Record) error {
		if r.Step == 6 {
			cancel()
		}
		return nil
	}})
	if !errors.Is(err, context.Canceled) || part.Step != 6 {
		t.Fatalf("Run = %v at step %d; want context.Canceled at 6", err, part.Step)
	}
	path := filepath.Join(t.TempDir(), "ckpt.safetensors")
	if err := part.Save(path); err != nil {
		t.Fatal(err)
	}
	resumed, err := Resume(path, trIDs, vaIDs)
	if err != nil {
		t.Fatal(err)
	}
	if err := resumed.Run(context.Background(), Hooks{}); err != nil {
		t.Fatal(err)
	}
	for i, p := range full.Model.Params() {
		q := resumed.Model.Params()[i]
		for j, v := range p.Value.Data.Data() {
			if q.Value.Data.Data()[j] != v {
				t.Fatalf("%s[%d] = %v after interrupt and resume; %v straight", p.Name, j, q.Value.Data.Data()[j], v)
			}
		}
	}
}

// TestNonFiniteLoss: a NaN stops the step with an error naming it, and the
// model is not updated.
func TestNonFiniteLoss(t *testing.T) {
	tok, trIDs, vaIDs := testSplits(t)
	tr, _ := New(testConfig(), tok, trIDs, vaIDs)
	losses(t, tr, 2)
	w := tr.Model.LnF.Weight.Data
	w.Data()[0] = float32(math.NaN())
	before := tr.Model.Wte.Weight.Data.Clone()
	_, err := tr.TrainStep()
	if !errors.Is(err, ErrNonFinite) || !strings.Contains(err.Error(), "step 3") {
		t.Fatalf("TrainStep with a NaN weight = %v; want ErrNonFinite naming step 3", err)
	}
	for i, v := range tr.Model.Wte.Weight.Data.Data() {
		if v != before.Data()[i] {
			t.Fatal("a failed step changed the model")
		}
	}
}

func TestCheckpointRoundTrip(t *testing.T) {
	tok, trIDs, vaIDs := testSplits(t)
	tr, _ := New(testConfig(), tok, trIDs, vaIDs)
	losses(t, tr, 3)
	path := filepath.Join(t.TempDir(), "model.safetensors")
	if err := SaveModel(path, tr.Config, tr.Model, tok); err != nil {
		t.Fatal(err)
	}
	ck, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := EvalLoss(tr.Model, vaIDs, 4, 3, 1)
	b, _ := EvalLoss(ck.Model, vaIDs, 4, 3, 1)
	if a != b {
		t.Errorf("loaded model loss %v; original %v", b, a)
	}
	if _, err := Resume(path, trIDs, vaIDs); err == nil || !strings.Contains(err.Error(), "model only") {
		t.Errorf("Resume of a model-only checkpoint = %v; want an error", err)
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	tok, trIDs, vaIDs := testSplits(t)
	tr, _ := New(testConfig(), tok, trIDs, vaIDs)
	good := filepath.Join(dir, "good.safetensors")
	if err := tr.Save(good); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(good)
	for name, content := range map[string][]byte{
		"empty":     {},
		"truncated": raw[:len(raw)/2],
		"garbage":   []byte("not a checkpoint at all, just text"),
	} {
		p := filepath.Join(dir, name)
		os.WriteFile(p, content, 0o644)
		if _, err := Load(p); err == nil {
			t.Errorf("Load(%s) gave no error", name)
		}
	}
	if _, err := Load(filepath.Join(dir, "missing")); err == nil {
		t.Error("Load of a missing file gave no error")
	}
}

func TestEmptySplitError(t *testing.T) {
	tok, _, _ := testSplits(t)
	if _, err := New(testConfig(), tok, data.Ints{1, 2, 3}, data.Ints{1, 2, 3}); err == nil {
		t.Error("New with 3 tokens gave no error")
	}
}

func TestLearns(t *testing.T) {
	tok, trIDs, vaIDs := testSplits(t)
	c := testConfig()
	c.MaxIters, c.Model.Dropout = 150, 0
	tr, _ := New(c, tok, trIDs, vaIDs)
	before, _ := tr.Evaluate("val", 4)
	if err := tr.Run(context.Background(), Hooks{}); err != nil {
		t.Fatal(err)
	}
	after, _ := tr.Evaluate("val", 4)
	if !(after < before*0.6) {
		t.Errorf("val loss %.3f after 150 steps from %.3f", after, before)
	}
}

func TestParamCount(t *testing.T) {
	for _, c := range []nn.Config{
		{VocabSize: 7, BlockSize: 4, NLayer: 2, NHead: 2, NEmbd: 8, Bias: true},
		{VocabSize: 7, BlockSize: 4, NLayer: 1, NHead: 2, NEmbd: 8, RoPE: true},
		{VocabSize: 65, BlockSize: 64, NLayer: 4, NHead: 4, NEmbd: 128, Bias: true},
	} {
		g, err := nn.NewGPT(c, 1)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := paramCount(c), int64(nn.NumParams(g)); got != want {
			t.Errorf("paramCount(%v) = %d; the model has %d", c, got, want)
		}
	}
	if n := paramCount(nn.Config{VocabSize: math.MaxInt32, NEmbd: 1 << 30, NLayer: 1, NHead: 1, BlockSize: 1}); n != -1 {
		t.Errorf("an absurd config counts %d parameters; want -1", n)
	}
}
