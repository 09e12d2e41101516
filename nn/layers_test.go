package nn

import (
	"fmt"
	"strings"
	"testing"

	"github.com/tapegrad/tapegrad/autograd"
	"github.com/tapegrad/tapegrad/tensor"
)

const gradTol = 3e-3 // as in autograd: a gradient wrong by 1% scores 1e-2

// checkModule runs CheckGradOf on a module's forward with respect to its
// input x and every one of its parameters.
func checkModule(t *testing.T, name string, m Module, x *tensor.Tensor, forward func(tp *autograd.Tape, x *autograd.Value) *autograd.Value) {
	t.Helper()
	checkModuleWith(t, autograd.GradCheck{}, name, m, x, forward)
}

// checkModuleWith is checkModule with the given step and seed.
func checkModuleWith(t *testing.T, check autograd.GradCheck, name string, m Module, x *tensor.Tensor, forward func(tp *autograd.Tape, x *autograd.Value) *autograd.Value) {
	t.Helper()
	params := m.Params()
	in := autograd.Param(x)
	leaves := []*autograd.Value{in}
	for _, p := range params {
		leaves = append(leaves, p.Value)
	}
	errs := check.CheckGradOf(func(tp *autograd.Tape) *autograd.Value { return forward(tp, in) }, leaves...)
	for i, e := range errs {
		what := "input"
		if i > 0 {
			what = params[i-1].Name
		}
		if e > gradTol {
			t.Errorf("%s: CheckGrad of %s = %.3g > %v", name, what, e, gradTol)
		}
	}
}

func bigger(m Module, seed uint64) {
	for i, p := range m.Params() {
		p.Value.Data.Add(p.Value.Data, tensor.Randn(seed+uint64(i), 0, 0.5, p.Value.Shape()...))
	}
}

func TestLayersCheckGrad(t *testing.T) {
	next := func() func() uint64 { s := uint64(0); return func() uint64 { s++; return s } }()
	x := func(shape ...int) *tensor.Tensor { return tensor.Randn(next(), 0, 1, shape...) }

	lin := NewLinear(LinearConfig{In: 5, Out: 3, Bias: true, Std: 0.5, Seed: 1})
	checkModule(t, "Linear", lin, x(2, 4, 5), lin.Forward)

	ln := NewLayerNorm(6, 1e-5, true)
	bigger(ln, 10)
	checkModule(t, "LayerNorm", ln, x(3, 6), ln.Forward)

	rms := NewRMSNorm(6, 1e-5)
	bigger(rms, 20)
	checkModule(t, "RMSNorm", rms, x(3, 6), rms.Forward)

	mlp := NewMLP(4, 8, true, 0, 0.3, next)
	bigger(mlp, 30)
	checkModule(t, "MLP", mlp, x(2, 3, 4), mlp.Forward)

	for _, rope := range []bool{false, true} {
		c := Config{NEmbd: 8, NHead: 2, RoPE: rope, Bias: true}.WithDefaults()
		attn := NewMultiHeadAttention(c, 0.3, next)
		bigger(attn, 40)
		checkModule(t, fmt.Sprintf("MultiHeadAttention/rope=%v", rope), attn, x(2, 5, 8),
			func(tp *autograd.Tape, x *autograd.Value) *autograd.Value { return attn.Forward(tp, x, 3) })

		blk := newBlock(c, 0, 0.3, next)
		bigger(blk, 50)
		checkModule(t, fmt.Sprintf("Block/rope=%v", rope), blk, x(1, 4, 8),
			func(tp *autograd.Tape, x *autograd.Value) *autograd.Value { return blk.Forward(tp, x, 0) })
	}

	emb := NewEmbedding(5, 3, 1)
	checkModule(t, "Embedding", emb, x(1), func(tp *autograd.Tape, x *autograd.Value) *autograd.Value {
		return tp.Mul(emb.Forward(tp, []int{0, 4, 4, 2}, 2, 2), x)
	})
}

// TestGPTCheckGrad checks the whole model's loss against every parameter.
func TestGPTCheckGrad(t *testing.T) {
	for _, rope := range []bool{false, true} {
		g, err := NewGPT(Config{VocabSize: 7, BlockSize: 4, NLayer: 1, NHead: 2, NEmbd: 8, RoPE: rope, Bias: true}, 5)
		if err != nil {
			t.Fatal(err)
		}
		bigger(g, 60)
		idx, tgt := []int{1, 2, 3, 0, 6, 5}, []int{2, 3, 0, 6, 5, 4}
		checkModule(t, fmt.Sprintf("GPT/rope=%v", rope), g, tensor.Ones(1), func(tp *autograd.Tape, x *autograd.Value) *autograd.Value {
			_, loss := g.Loss(tp, idx, tgt, 2, 3)
			return tp.Mul(loss, x)
		})
	}
}

func TestParamNames(t *testing.T) {
	g, err := NewGPT(Config{VocabSize: 7, BlockSize: 4, NLayer: 2, NHead: 2, NEmbd: 8, Bias: true}, 1)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range g.Params() {
		names = append(names, p.Name)
	}
	want := "transformer.wte.weight transformer.wpe.weight transformer.h.0.ln_1.weight transformer.h.0.ln_1.bias " +
		"transformer.h.0.attn.c_attn.weight transformer.h.0.attn.c_attn.bias transformer.h.0.attn.c_proj.weight " +
		"transformer.h.0.attn.c_proj.bias transformer.h.0.ln_2.weight transformer.h.0.ln_2.bias " +
		"transformer.h.0.mlp.c_fc.weight transformer.h.0.mlp.c_fc.bias transformer.h.0.mlp.c_proj.weight " +
		"transformer.h.0.mlp.c_proj.bias"
	if got := strings.Join(names[:14], " "); got != want {
		t.Errorf("names\n%s\nwant\n%s", got, want)
	}
	if names[len(names)-1] != "transformer.ln_f.bias" || len(names) != 2+12*2+2 {
		t.Errorf("%d names ending %q", len(names), names[len(names)-1])
	}
	if n := NumParams(g); n != 7*8+4*8+2*(2*8+3*8*8+3*8+8*8+8+2*8+4*8*8+4*8+8*4*8+8)+2*8 {
		t.Errorf("NumParams = %d", n)
	}
}

func TestLoadStateDictErrors(t *testing.T) {
	g, _ := NewGPT(Config{VocabSize: 7, BlockSize: 4, NLayer: 1, NHead: 2, NEmbd: 8, Bias: true}, 1)
	sd := StateDict(g)
	good := make(map[string]*tensor.Tensor)
	for k, v := range sd {
		good[k] = v.Clone()
	}
	if err := LoadStateDict(g, good); err != nil {
		t.Fatalf("loading its own state dict: %v", err)
	}
	bad := make(map[string]*tensor.Tensor)
	for k, v := range good {
		bad[k] = v
	}
	delete(bad, "transformer.h.0.ln_1.bias")
	bad["transformer.wte.weight"] = tensor.New(8, 8)
	bad["lm_head.weight"] = tensor.New(7, 8)
	before := g.Wte.Weight.Data.Clone()
	err := LoadStateDict(g, bad)
	if err == nil {
		t.Fatal("LoadStateDict accepted a bad state dict")
	}
	for _, want := range []string{"missing transformer.h.0.ln_1.bias", "transformer.wte.weight has shape [8 8]", "unexpected lm_head.weight"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	for i, v := range g.Wte.Weight.Data.Data() {
		if v != before.Data()[i] {
			t.Fatal("a failed load changed the model")
		}
	}
}

func TestConfigValidate(t *testing.T) {
	for _, c := range []Config{
		{VocabSize: 0, BlockSize: 4, NLayer: 1, NHead: 2, NEmbd: 8},
		{VocabSize: 5, BlockSize: 4, NLayer: 1, NHead: 3, NEmbd: 8},
		{VocabSize: 5, BlockSize: 4, NLayer: 1, NHead: 8, NEmbd: 8, RoPE: true},
		{VocabSize: 5, BlockSize: 4, NLayer: 1, NHead: 2, NEmbd: 8, Dropout: 1},
	} {
		if _, err := NewGPT(c, 1); err == nil {
			t.Errorf("NewGPT(%+v) gave no error", c)
		}
	}
}

func TestDropoutTrainEval(t *testing.T) {
	g, _ := NewGPT(Config{VocabSize: 7, BlockSize: 4, NLayer: 1, NHead: 2, NEmbd: 8, Bias: true, Dropout: 0.5}, 1)
	idx := []int{1, 2, 3}
	run := func() []float32 {
		tp := autograd.NewTape()
		return append([]float32(nil), g.Forward(tp, idx, 1, 3).Data.Data()...)
	}
	g.SetTraining(false)
	a, b := run(), run()
	g.SetTraining(true)
	c := run()
	if fmt.Sprint(a) != fmt.Sprint(b) {
		t.Error("eval mode is not deterministic")
	}
	if fmt.Sprint(a) == fmt.Sprint(c) {
		t.Error("training mode with dropout 0.5 gave the eval logits")
	}
}
