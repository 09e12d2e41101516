package optim

import (
	"fmt"
	"testing"

	"github.com/tapegrad/tapegrad/autograd"
	"github.com/tapegrad/tapegrad/nn"
	"github.com/tapegrad/tapegrad/tensor"
)

// gptParams returns the parameters of a GPT of DESIGN.md (learned
// positions) with random values and gradients.
func gptParams(layers, c, v, t int) []nn.Param {
	var ps []nn.Param
	for i, s := range gptShapes(layers, c, v, t) {
		p := nn.Param{Name: s.name, Value: autograd.Param(tensor.Randn(uint64(i), 0, 0.02, s.shape...))}
		p.Value.Grad = tensor.Randn(uint64(i)+1000, 0, 0.01, s.shape...)
		ps = append(ps, p)
	}
	return ps
}

// benchModels are nanoGPT's CPU recipe (shakespeare-char-cpu) and the
// medium model of issue 5.
var benchModels = []struct {
	name            string
	layers, c, v, t int
}{
	{"small", 4, 128, 65, 64},
	{"medium", 6, 384, 65, 256},
}

// BenchmarkAdamWStep times one AdamW step (decay groups, as nanoGPT) over a
// GPT's parameters; params/s counts scalars updated.
func BenchmarkAdamWStep(b *testing.B) {
	for _, m := range benchModels {
		ps := gptParams(m.layers, m.c, m.v, m.t)
		n := nn.NumParams(paramsModule(ps))
		b.Run(fmt.Sprintf("model=%s/params=%d", m.name, n), func(b *testing.B) {
			opt := NewAdamW(DecayGroups(ps, 0.1), AdamConfig{LR: 1e-3, Beta1: 0.9, Beta2: 0.99, Eps: 1e-8})
			b.ReportAllocs()
			for b.Loop() {
				opt.Step()
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "params/s")
		})
	}
}

// BenchmarkClipGradNorm times ClipGradNorm over a GPT's gradients when they
// are within the limit (computing the norm; clipping adds one more pass).
func BenchmarkClipGradNorm(b *testing.B) {
	for _, m := range benchModels {
		ps := gptParams(m.layers, m.c, m.v, m.t)
		n := nn.NumParams(paramsModule(ps))
		b.Run(fmt.Sprintf("model=%s/params=%d", m.name, n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				ClipGradNorm(ps, 1e6)
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "params/s")
		})
	}
}

// paramsModule is a parameter list as an nn.Module.
type paramsModule []nn.Param

func (p paramsModule) Params() []nn.Param { return p }
