package nn

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/tapegrad/tapegrad/autograd"
	"github.com/tapegrad/tapegrad/tensor"
)

// unevenConfig is a model whose layers differ, as structured pruning leaves
// them: layer 0 has 1 head and an MLP of 5, layer 1 3 heads and 40.
func unevenConfig(rope bool) Config {
	return Config{VocabSize: 17, BlockSize: 12, NLayer: 2, NHead: 4, NEmbd: 16, RoPE: rope, Bias: true,
		LayerHeads: []int{1, 3}, LayerMLP: []int{5, 40}}
}

func TestLayerSizesShapes(t *testing.T) {
	g, err := NewGPT(unevenConfig(false), 1)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]int{
		"transformer.h.0.attn.c_attn.weight": {12, 16}, "transformer.h.0.attn.c_attn.bias": {12},
		"transformer.h.0.attn.c_proj.weight": {16, 4}, "transformer.h.0.mlp.c_fc.weight": {5, 16},
		"transformer.h.0.mlp.c_proj.weight": {16, 5}, "transformer.h.1.attn.c_attn.weight": {36, 16},
		"transformer.h.1.attn.c_proj.weight": {16, 12}, "transformer.h.1.mlp.c_fc.weight": {40, 16},
		"transformer.h.1.mlp.c_proj.weight": {16, 40},
	}
	sd := StateDict(g)
	for name, shape := range want {
		if got := sd[name].Shape(); !slices.Equal(got, shape) {
			t.Errorf("%s has shape %v; want %v", name, got, shape)
		}
	}
	// Per layer: 2 LayerNorms (2·2·C), attention 3hD·C+3hD + C·hD+C, MLP m·C+m + C·m+C.
	c := 16
	n := 17*c + 12*c + 2*c
	for l, h := range []int{1, 3} {
		hd, m := 4*h, []int{5, 40}[l]
		n += 4*c + 3*hd*c + 3*hd + c*hd + c + m*c + m + c*m + c
	}
	if got := NumParams(g); got != n {
		t.Errorf("NumParams = %d; want %d", got, n)
	}
}

// TestUniformConfigJSON: a GPT-2-shaped config's JSON has no per-layer keys,
// so checkpoints written before they existed read and write the same.
func TestUniformConfigJSON(t *testing.T) {
	c := Config{VocabSize: 5, BlockSize: 4, NLayer: 2, NHead: 2, NEmbd: 8}
	if s := c.String(); strings.Contains(s, "layer_heads") || strings.Contains(s, "layer_mlp") {
		t.Errorf("uniform config JSON %s names per-layer sizes", s)
	}
	if !c.Uniform() || unevenConfig(false).Uniform() {
		t.Errorf("Uniform: wrong answer")
	}
	var back Config
	if err := json.Unmarshal([]byte(unevenConfig(true).String()), &back); err != nil || !slices.Equal(back.LayerHeads, []int{1, 3}) || !slices.Equal(back.LayerMLP, []int{5, 40}) {
		t.Errorf("JSON round trip = %+v, %v", back, err)
	}
}

func TestLayerSizesValidate(t *testing.T) {
	for _, c := range []struct {
		heads, mlp []int
		want       string
	}{
		{[]int{1}, nil, "layer_heads has 1 entries for 2 layers"},
		{nil, []int{3, 4, 5}, "layer_mlp has 3 entries for 2 layers"},
		{[]int{1, 0}, nil, "layer_heads[1] = 0"},
		{nil, []int{-1, 4}, "layer_mlp[0] = -1"},
	} {
		cfg := Config{VocabSize: 5, BlockSize: 4, NLayer: 2, NHead: 2, NEmbd: 8, LayerHeads: c.heads, LayerMLP: c.mlp}
		err := cfg.Validate()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Validate(heads %v, mlp %v) = %v; want %q", c.heads, c.mlp, err, c.want)
		}
		if _, err := NewGPT(cfg, 1); err == nil {
			t.Errorf("NewGPT(heads %v, mlp %v) succeeded", c.heads, c.mlp)
		}
	}
}

// TestLayerSizesCheckGrad: every parameter of an uneven model gets the
// gradient the finite differences give.
func TestLayerSizesCheckGrad(t *testing.T) {
	for _, rope := range []bool{false, true} {
		c := unevenConfig(rope)
		c.BlockSize, c.VocabSize = 4, 7
		g, err := NewGPT(c, 5)
		if err != nil {
			t.Fatal(err)
		}
		bigger(g, 60)
		idx, tgt := []int{1, 2, 3, 0, 6, 5}, []int{2, 3, 0, 6, 5, 4}
		// The last block's c_proj biases feed the residual stream's end, whose
		// small gradients float32 differences at the default step of 1e-3
		// resolve to only ~3e-3 (the gate): a step of 4e-3 halves that noise
		// and still leaves a 1%-wrong gradient far above the gate.
		checkModuleWith(t, autograd.GradCheck{Eps: 4e-3}, fmt.Sprintf("GPT/uneven/rope=%v", rope), g, tensor.Ones(1), func(tp *autograd.Tape, x *autograd.Value) *autograd.Value {
			_, loss := g.Loss(tp, idx, tgt, 2, 3)
			return tp.Mul(loss, x)
		})
	}
}

// TestLayerSizesDecoding: the KV cache of an uneven model has each layer's
// own heads, and cached logits equal full recomputation; a replica computes
// the same logits.
func TestLayerSizesDecoding(t *testing.T) {
	for _, rope := range []bool{false, true} {
		t.Run(fmt.Sprintf("rope=%v", rope), func(t *testing.T) {
			g, err := NewGPT(unevenConfig(rope), 3)
			if err != nil {
				t.Fatal(err)
			}
			for i, p := range g.Params() {
				p.Value.Data.Add(p.Value.Data, tensor.Randn(uint64(100+i), 0, 0.3, p.Value.Shape()...))
			}
			d := g.NewDecoder()
			context := []int{1, 5, 9}
			got := d.Append(context...)
			for step := range 8 {
				want := g.LastLogits(context)
				for i := range want {
					if math.Abs(float64(got[i]-want[i])) > 1e-5*(1+math.Abs(float64(want[i]))) {
						t.Fatalf("step %d: cached logit[%d] = %v; full context %v", step, i, got[i], want[i])
					}
				}
				next := (step*5 + 2) % g.Config.VocabSize
				context = append(context, next)
				got = d.Append(next)
			}
			r := g.Replica(1)
			if a, b := g.LastLogits(context), r.LastLogits(context); !slices.Equal(a, b) {
				t.Errorf("replica logits %v; model %v", b[:3], a[:3])
			}
			if _, err := g.Generate([]int{1}, 20, Sampling{Temperature: 1, Seed: 2}); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestConfigEqual(t *testing.T) {
	a, b := unevenConfig(true), unevenConfig(true)
	b.LayerHeads = []int{1, 3}
	if !a.Equal(b) {
		t.Errorf("%v.Equal(%v) = false", a, b)
	}
	b.LayerMLP = []int{5, 41}
	if a.Equal(b) {
		t.Errorf("%v.Equal(%v) = true", a, b)
	}
	c := Config{NLayer: 2, NHead: 2}
	d := c
	d.LayerHeads = []int{}
	if !c.Equal(d) {
		t.Errorf("nil and empty layer_heads differ")
	}
}
