package nn

import (
	"github.com/tapegrad/tapegrad/autograd"
	"github.com/tapegrad/tapegrad/tensor"
)

// Linear is y = x·Wᵀ + b, with W stored [Out, In] as in PyTorch.
type Linear struct {
	Weight *autograd.Value // [Out, In]
	Bias   *autograd.Value // [Out], or nil
	// Probe, if set, sees the input x [..., In] of every Forward: a hook
	// for measuring activations (pruning collects input norms with it, and
	// calls RetainGrad on it to score heads and hidden units).
	Probe func(x *autograd.Value)
}

// LinearConfig describes a Linear layer.
type LinearConfig struct {
	In, Out int
	Bias    bool
	Std     float32 // weights are drawn from N(0, Std²); 0 means 0.02
	Seed    uint64
}

// NewLinear returns a Linear layer with N(0, Std²) weights and zero bias.
func NewLinear(c LinearConfig) *Linear {
	std := c.Std
	if std == 0 {
		std = 0.02
	}
	l := &Linear{Weight: autograd.Param(tensor.Randn(c.Seed, 0, std, c.Out, c.In))}
	if c.Bias {
		l.Bias = autograd.Param(tensor.New(c.Out))
	}
	return l
}

// Forward maps x [..., In] to [..., Out] with one fused op: the bias
// initialises the result and one GEMM adds x·Wᵀ (W is used transposed
// through the GEMM's flag, not copied).
func (l *Linear) Forward(tp *autograd.Tape, x *autograd.Value) *autograd.Value {
	if l.Probe != nil {
		l.Probe(x)
	}
	return tp.Linear(x, l.Weight, l.Bias)
}

// Params returns "weight" and, if present, "bias".
func (l *Linear) Params() []Param {
	ps := []Param{{"weight", l.Weight}}
	if l.Bias != nil {
		ps = append(ps, Param{"bias", l.Bias})
	}
	return ps
}

// Embedding maps indices to rows of Weight [V, C].
type Embedding struct {
	Weight *autograd.Value // [V, C]
}

// NewEmbedding returns a table of n rows of width c drawn from N(0, 0.02²).
func NewEmbedding(n, c int, seed uint64) *Embedding {
	return &Embedding{Weight: autograd.Param(tensor.Randn(seed, 0, 0.02, n, c))}
}

// Forward looks up idx (of shape idxShape) and returns [idxShape..., C].
func (e *Embedding) Forward(tp *autograd.Tape, idx []int, idxShape ...int) *autograd.Value {
	return tp.Embedding(e.Weight, idx, idxShape...)
}

// Params returns "weight".
func (e *Embedding) Params() []Param { return []Param{{"weight", e.Weight}} }

// LayerNorm normalises the last axis and applies a per-channel scale and
// shift (Weight and Bias [C]; Bias may be nil).
type LayerNorm struct {
	Weight, Bias *autograd.Value
	Eps          float32
}

// NewLayerNorm returns a LayerNorm over c channels with weight 1 and bias 0
// (no bias when bias is false).
func NewLayerNorm(c int, eps float32, bias bool) *LayerNorm {
	ln := &LayerNorm{Weight: autograd.Param(tensor.Ones(c)), Eps: eps}
	if bias {
		ln.Bias = autograd.Param(tensor.New(c))
	}
	return ln
}

// Forward normalises x [..., C].
func (ln *LayerNorm) Forward(tp *autograd.Tape, x *autograd.Value) *autograd.Value {
	return tp.LayerNorm(x, ln.Weight, ln.Bias, ln.Eps)
}

// Params returns "weight" and, if present, "bias".
func (ln *LayerNorm) Params() []Param {
	ps := []Param{{"weight", ln.Weight}}
	if ln.Bias != nil {
		ps = append(ps, Param{"bias", ln.Bias})
	}
	return ps
}

// RMSNorm scales each row of the last axis to unit root-mean-square and
// then by Weight [C].
type RMSNorm struct {
	Weight *autograd.Value
	Eps    float32
}

// NewRMSNorm returns an RMSNorm over c channels with weight 1.
func NewRMSNorm(c int, eps float32) *RMSNorm {
	return &RMSNorm{Weight: autograd.Param(tensor.Ones(c)), Eps: eps}
}

// Forward normalises x [..., C].
func (n *RMSNorm) Forward(tp *autograd.Tape, x *autograd.Value) *autograd.Value {
	return tp.RMSNorm(x, n.Weight, n.Eps)
}

// Params returns "weight".
func (n *RMSNorm) Params() []Param { return []Param{{"weight", n.Weight}} }

// Dropout zeroes elements with probability P in training mode and is the
// identity in eval mode. Masks come from Seed and a call counter, so a run
// is reproducible; Calls is part of the training state to checkpoint.
type Dropout struct {
	P        float32
	Seed     uint64
	Calls    uint64
	Training bool
}

// Forward applies dropout to x when training and P > 0.
func (d *Dropout) Forward(tp *autograd.Tape, x *autograd.Value) *autograd.Value {
	if !d.Training || d.P == 0 {
		return x
	}
	d.Calls++
	return tp.Dropout(x, d.P, d.Seed*0x9e3779b97f4a7c15+d.Calls)
}
