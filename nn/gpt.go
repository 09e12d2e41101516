package nn

import (
	"encoding/json"
	"fmt"
	"math"

	"github.com/tapegrad/tapegrad/autograd"
	"github.com/tapegrad/tapegrad/tensor"
)

// Config describes a GPT; the JSON names are those of the checkpoint format
// and of the PyTorch reference (../shared/ref/ref_gpt.py).
type Config struct {
	VocabSize    int     `json:"vocab_size"`
	BlockSize    int     `json:"block_size"` // the longest context, T
	NLayer       int     `json:"n_layer"`
	NHead        int     `json:"n_head"`
	NEmbd        int     `json:"n_embd"` // C; a multiple of NHead
	RoPE         bool    `json:"rope"`   // rotary positions instead of learned ones
	RoPEBase     float64 `json:"rope_base"`
	Bias         bool    `json:"bias"` // biases in Linear and LayerNorm layers
	Dropout      float32 `json:"dropout"`
	LayerNormEps float32 `json:"layer_norm_eps"`

	// LayerHeads, when set, holds the number of attention heads of each
	// layer (structured pruning removes heads); the head size stays
	// NEmbd/NHead. Empty means NHead heads in every layer.
	LayerHeads []int `json:"layer_heads,omitempty"`
	// LayerMLP, when set, holds the hidden width of each layer's MLP.
	// Empty means 4·NEmbd in every layer.
	LayerMLP []int `json:"layer_mlp,omitempty"`
}

// HeadSize returns D, the width of one attention head: NEmbd/NHead.
func (c Config) HeadSize() int { return c.NEmbd / c.NHead }

// Heads returns the number of attention heads of layer i.
func (c Config) Heads(i int) int {
	if len(c.LayerHeads) > 0 {
		return c.LayerHeads[i]
	}
	return c.NHead
}

// MLPWidth returns the hidden width of layer i's MLP.
func (c Config) MLPWidth(i int) int {
	if len(c.LayerMLP) > 0 {
		return c.LayerMLP[i]
	}
	return 4 * c.NEmbd
}

// Uniform reports whether every layer has NHead heads and an MLP of width
// 4·NEmbd, the shape of GPT-2 (and of llama.cpp's gpt2).
func (c Config) Uniform() bool {
	for i := range c.NLayer {
		if c.Heads(i) != c.NHead || c.MLPWidth(i) != 4*c.NEmbd {
			return false
		}
	}
	return true
}

// WithDefaults returns c with RoPEBase 10000 and LayerNormEps 1e-5 where
// they are zero.
func (c Config) WithDefaults() Config {
	if c.RoPEBase == 0 {
		c.RoPEBase = 10000
	}
	if c.LayerNormEps == 0 {
		c.LayerNormEps = 1e-5
	}
	return c
}

// Validate reports what is wrong with a configuration, if anything.
func (c Config) Validate() error {
	switch {
	case c.VocabSize < 1 || c.BlockSize < 1 || c.NLayer < 0 || c.NHead < 1 || c.NEmbd < 1:
		return fmt.Errorf("nn: config %+v: sizes must be positive", c)
	case c.NEmbd%c.NHead != 0:
		return fmt.Errorf("nn: config: n_embd %d is not a multiple of n_head %d", c.NEmbd, c.NHead)
	case c.RoPE && (c.NEmbd/c.NHead)%2 != 0:
		return fmt.Errorf("nn: config: RoPE needs an even head size, not %d", c.NEmbd/c.NHead)
	case c.Dropout < 0 || c.Dropout >= 1:
		return fmt.Errorf("nn: config: dropout %v not in [0, 1)", c.Dropout)
	}
	for _, l := range []struct {
		name  string
		sizes []int
	}{{"layer_heads", c.LayerHeads}, {"layer_mlp", c.LayerMLP}} {
		if len(l.sizes) == 0 {
			continue
		}
		if len(l.sizes) != c.NLayer {
			return fmt.Errorf("nn: config: %s has %d entries for %d layers", l.name, len(l.sizes), c.NLayer)
		}
		for i, n := range l.sizes {
			if n < 1 {
				return fmt.Errorf("nn: config: %s[%d] = %d; want at least 1", l.name, i, n)
			}
		}
	}
	return nil
}

// Equal reports whether c and d describe the same model: the same JSON
// (Config holds slices, so == does not compile; an empty and a nil slice
// are equal).
func (c Config) Equal(d Config) bool { return c.String() == d.String() }

// String returns the configuration as JSON.
func (c Config) String() string {
	b, _ := json.Marshal(c)
	return string(b)
}

// GPT is the decoder-only transformer of DESIGN.md: token embeddings (and
// learned positions unless RoPE), NLayer pre-norm blocks, a final LayerNorm,
// and logits through the token embedding transposed (a tied head).
type GPT struct {
	Config Config
	Wte    *Embedding // transformer.wte [V, C]
	Wpe    *Embedding // transformer.wpe [T, C]; nil with RoPE
	Drop   *Dropout
	Blocks []*Block   // transformer.h.{i}
	LnF    *LayerNorm // transformer.ln_f
}

// NewGPT returns a GPT initialised as nanoGPT does: weights N(0, 0.02), the
// two c_proj weights of each block N(0, 0.02/√(2·NLayer)), biases 0,
// LayerNorm weights 1. Every tensor draws from its own seed derived from
// seed, so the same seed gives the same model. It returns an error for an
// invalid configuration.
func NewGPT(c Config, seed uint64) (*GPT, error) {
	c = c.WithDefaults()
	if err := c.Validate(); err != nil {
		return nil, err
	}
	next := func() uint64 { seed++; return seed * 0x9e3779b97f4a7c15 }
	projStd := float32(0.02 / math.Sqrt(2*float64(c.NLayer)))
	g := &GPT{
		Config: c,
		Wte:    NewEmbedding(c.VocabSize, c.NEmbd, next()),
		Drop:   &Dropout{P: c.Dropout, Seed: next()},
		LnF:    NewLayerNorm(c.NEmbd, c.LayerNormEps, c.Bias),
	}
	if !c.RoPE {
		g.Wpe = NewEmbedding(c.BlockSize, c.NEmbd, next())
	}
	for i := range c.NLayer {
		g.Blocks = append(g.Blocks, newBlock(c, i, projStd, next))
	}
	return g, nil
}

// Params returns every parameter under its nanoGPT / HF GPT-2 name.
func (g *GPT) Params() []Param {
	ps := prefixed("transformer.wte", g.Wte)
	if g.Wpe != nil {
		ps = append(ps, prefixed("transformer.wpe", g.Wpe)...)
	}
	for i, b := range g.Blocks {
		ps = append(ps, prefixed(fmt.Sprintf("transformer.h.%d", i), b)...)
	}
	return append(ps, prefixed("transformer.ln_f", g.LnF)...)
}

// SetTraining switches dropout on (training) or off (evaluation).
func (g *GPT) SetTraining(on bool) {
	g.Drop.Training = on
	for _, b := range g.Blocks {
		b.Attn.ResidDrop.Training = on
		b.MLP.Drop.Training = on
	}
}

// Forward returns the logits [B, T, V] for idx, B sequences of T ≤
// BlockSize token ids laid out row-major (len(idx) = B·T). It panics if T is
// too long or an id is out of range.
func (g *GPT) Forward(tp *autograd.Tape, idx []int, b, t int) *autograd.Value {
	if t > g.Config.BlockSize || b*t != len(idx) {
		panic(&tensor.ShapeError{Op: "GPT.Forward", Msg: fmt.Sprintf("%d ids as [%d, %d] with block size %d", len(idx), b, t, g.Config.BlockSize)})
	}
	x := g.Wte.Forward(tp, idx, b, t)
	if g.Wpe != nil {
		pos := make([]int, t)
		for i := range pos {
			pos[i] = i
		}
		x = tp.Add(x, g.Wpe.Forward(tp, pos, t))
	}
	x = g.Drop.Forward(tp, x)
	for _, blk := range g.Blocks {
		x = blk.Forward(tp, x, 0)
	}
	x = g.LnF.Forward(tp, x)
	return tp.MatMulTrans(x, false, g.Wte.Weight, true)
}

// Loss returns the logits [B, T, V] and the mean cross-entropy against
// targets [B, T] (row-major, len B·T; targets equal to -1 are ignored).
func (g *GPT) Loss(tp *autograd.Tape, idx, targets []int, b, t int) (logits, loss *autograd.Value) {
	logits = g.Forward(tp, idx, b, t)
	return logits, tp.CrossEntropy(logits, targets, -1)
}

// Block is one transformer layer: x += attn(ln_1(x)); x += mlp(ln_2(x)).
type Block struct {
	Ln1  *LayerNorm
	Attn *MultiHeadAttention
	Ln2  *LayerNorm
	MLP  *MLP
}

// newBlock returns layer i of c, with its own numbers of heads and MLP width.
func newBlock(c Config, i int, projStd float32, next func() uint64) *Block {
	return &Block{
		Ln1:  NewLayerNorm(c.NEmbd, c.LayerNormEps, c.Bias),
		Attn: newAttention(c, c.Heads(i), projStd, next),
		Ln2:  NewLayerNorm(c.NEmbd, c.LayerNormEps, c.Bias),
		MLP:  NewMLP(c.NEmbd, c.MLPWidth(i), c.Bias, c.Dropout, projStd, next),
	}
}

// Forward maps x [B, T, C] to [B, T, C]; the first position is pos0.
func (b *Block) Forward(tp *autograd.Tape, x *autograd.Value, pos0 int) *autograd.Value {
	x = tp.Add(x, b.Attn.Forward(tp, b.Ln1.Forward(tp, x), pos0))
	return tp.Add(x, b.MLP.Forward(tp, b.Ln2.Forward(tp, x)))
}

// Params returns ln_1, attn, ln_2 and mlp parameters.
func (b *Block) Params() []Param {
	ps := prefixed("ln_1", b.Ln1)
	ps = append(ps, prefixed("attn", b.Attn)...)
	ps = append(ps, prefixed("ln_2", b.Ln2)...)
	return append(ps, prefixed("mlp", b.MLP)...)
}

// MLP is c_proj(GELU(c_fc(x))), exact (erf) GELU.
type MLP struct {
	CFc, CProj *Linear
	Drop       *Dropout
}

// NewMLP returns an MLP from c to hidden and back, c_proj's weights drawn
// with projStd.
func NewMLP(c, hidden int, bias bool, dropout, projStd float32, next func() uint64) *MLP {
	return &MLP{
		CFc:   NewLinear(LinearConfig{In: c, Out: hidden, Bias: bias, Seed: next()}),
		CProj: NewLinear(LinearConfig{In: hidden, Out: c, Bias: bias, Std: projStd, Seed: next()}),
		Drop:  &Dropout{P: dropout, Seed: next()},
	}
}

// Forward maps x [..., C] to [..., C].
func (m *MLP) Forward(tp *autograd.Tape, x *autograd.Value) *autograd.Value {
	return m.Drop.Forward(tp, m.CProj.Forward(tp, tp.Gelu(m.CFc.Forward(tp, x))))
}

// Params returns c_fc and c_proj parameters.
func (m *MLP) Params() []Param {
	return append(prefixed("c_fc", m.CFc), prefixed("c_proj", m.CProj)...)
}
