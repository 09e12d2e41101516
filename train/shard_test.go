package train

import (
	"math"
	"strings"
	"testing"

	"github.com/tapegrad/tapegrad/nn"
	"github.com/tapegrad/tapegrad/tensor"
)

// TestShardsMatchOneShard: splitting each micro-batch over concurrent
// replicas (here unevenly: rows 1, 1 and 2 of 4) gives the losses and the
// weights of the unsplit step, up to rounding.
func TestShardsMatchOneShard(t *testing.T) {
	tok, trIDs, vaIDs := testSplits(t)
	run := func(shards int) ([]float64, map[string]*tensor.Tensor) {
		cfg := testConfig()
		cfg.Model.Dropout = 0 // replicas draw their own dropout masks
		cfg.Shards = shards
		tr, err := New(cfg, tok, trIDs, vaIDs)
		if err != nil {
			t.Fatal(err)
		}
		if tr.Config.Shards != shards {
			t.Fatalf("Config.Shards = %d, want %d", tr.Config.Shards, shards)
		}
		return losses(t, tr, 6), nn.StateDict(tr.Model)
	}
	l1, w1 := run(1)
	l3, w3 := run(3)
	for i := range l1 {
		if math.Abs(l1[i]-l3[i]) > 1e-5 {
			t.Errorf("step %d: loss %v with 3 shards, %v with 1", i+1, l3[i], l1[i])
		}
	}
	for name, a := range w1 {
		b := w3[name].Data()
		for i, x := range a.Data() {
			if math.Abs(float64(x-b[i])) > 1e-4 {
				t.Fatalf("%s[%d] = %v with 3 shards, %v with 1", name, i, b[i], x)
			}
		}
	}
}

func TestShardsAutomatic(t *testing.T) {
	tok, trIDs, vaIDs := testSplits(t)
	prev := tensor.SetMaxThreads(8)
	defer tensor.SetMaxThreads(prev)
	tr, err := New(testConfig(), tok, trIDs, vaIDs)
	if err != nil {
		t.Fatal(err)
	}
	if got := tr.Config.Shards; got != 4 { // capped by the batch size
		t.Errorf("automatic shards with 8 threads and B=4: %d, want 4", got)
	}
	cfg := testConfig()
	cfg.Shards = 5
	if _, err := New(cfg, tok, trIDs, vaIDs); err == nil || !strings.Contains(err.Error(), "5 shards") {
		t.Errorf("5 shards for a batch of 4: error %v", err)
	}
}

// TestMasksStick: masked weights are zero after SetMasks and stay zero
// through training (weight decay, momentum); the others train.
func TestMasksStick(t *testing.T) {
	tok, trIDs, vaIDs := testSplits(t)
	cfg := testConfig()
	cfg.Shards = 2
	tr, err := New(cfg, tok, trIDs, vaIDs)
	if err != nil {
		t.Fatal(err)
	}
	losses(t, tr, 3) // momentum builds up first
	const name = "transformer.h.0.mlp.c_fc.weight"
	w := nn.StateDict(tr.Model)[name]
	mask := tensor.New(w.Shape()...)
	for i := range mask.Data() {
		mask.Data()[i] = float32(i % 2)
	}
	if err := tr.SetMasks(map[string]*tensor.Tensor{name: mask}); err != nil {
		t.Fatal(err)
	}
	before := w.Clone()
	losses(t, tr, 4)
	for i, x := range w.Data() {
		switch {
		case i%2 == 0 && x != 0:
			t.Fatalf("pruned %s[%d] = %v after training", name, i, x)
		case i%2 == 1 && x == before.Data()[i]:
			t.Fatalf("kept %s[%d] did not train", name, i)
		}
	}

	bad := map[string]*tensor.Tensor{
		"no.such.weight":          mask,
		"transformer.ln_f.weight": mask,
		name:                      tensor.Full(0.5, w.Shape()...),
	}
	err = tr.SetMasks(bad)
	for _, want := range []string{"no parameter no.such.weight", "mask of transformer.ln_f.weight has shape", "holds 0.5"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("SetMasks(bad) = %v; want it to say %q", err, want)
		}
	}
}
