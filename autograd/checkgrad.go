package autograd

import (
	"math"

	"github.com/tapegrad/tapegrad/tensor"
)

// GradCheck configures CheckGrad. The zero value uses the defaults.
type GradCheck struct {
	// Eps is the step of the central differences; 0 means 1e-3.
	Eps float32
	// Seed seeds the random weights that reduce a non-scalar result to a
	// scalar loss, sum(w·f(inputs)).
	Seed uint64
}

// CheckGrad compares the analytic gradients of f, as the tape computes them,
// with central differences, and returns for every input the worst error
// relative to the size of that input's gradient:
//
//	max_i |analytic_i − numeric_i| / max(max_i |analytic_i|, max_i |numeric_i|, 1e-6)
//
// f builds its result from values wrapping the inputs (which CheckGrad
// perturbs in place and restores); a non-scalar result is reduced to the
// loss sum(w·f) with fixed random weights w, so every output element
// contributes. The forward passes compute in float32 and the loss in
// float64; with the default step, a correct gradient scores around 1e-4 and
// one that is wrong by 1% scores 1e-2. f must be deterministic (seed any
// randomness).
func (c GradCheck) CheckGrad(f func(tp *Tape, in []*Value) *Value, inputs ...*tensor.Tensor) []float64 {
	params := make([]*Value, len(inputs))
	for i, t := range inputs {
		params[i] = Param(t)
	}
	return c.CheckGradOf(func(tp *Tape) *Value { return f(tp, params) }, params...)
}

// CheckGradOf is CheckGrad for a function of existing leaves — a layer's
// parameters, say — that f reaches by itself. It perturbs the leaves' data
// in place (restoring it), and leaves their analytic gradient in Grad (it
// zeroes Grad first).
func (c GradCheck) CheckGradOf(f func(tp *Tape) *Value, leaves ...*Value) []float64 {
	eps := c.Eps
	if eps == 0 {
		eps = 1e-3
	}
	tp := NewTape()
	for _, v := range leaves {
		v.ZeroGrad()
	}
	out := f(tp)
	w := tensor.Rand(c.Seed, -1, 1, out.Shape()...)
	if out.requiresGrad {
		tp.BackwardWith(out, w)
	}
	loss := func() float64 {
		tp.Reset()
		var y *Value
		tp.NoGrad(func() { y = f(tp) })
		var s float64
		for i, v := range y.Data.Data() {
			s += float64(v) * float64(w.Data()[i])
		}
		return s
	}
	worst := make([]float64, len(leaves))
	for j, leaf := range leaves {
		xd := leaf.Data.Data()
		numeric := make([]float64, len(xd))
		for i, x0 := range xd {
			xd[i] = x0 + eps
			hi, up := loss(), xd[i]
			xd[i] = x0 - eps
			lo, down := loss(), xd[i]
			xd[i] = x0
			numeric[i] = (hi - lo) / (float64(up) - float64(down))
		}
		analytic := make([]float32, len(xd))
		if leaf.Grad != nil {
			analytic = leaf.Grad.Data()
		}
		scale := 1e-6
		for i := range numeric {
			scale = max(scale, math.Abs(numeric[i]), math.Abs(float64(analytic[i])))
		}
		for i := range numeric {
			worst[j] = max(worst[j], math.Abs(float64(analytic[i])-numeric[i])/scale)
		}
	}
	tp.Reset()
	return worst
}

// CheckGrad is GradCheck{}.CheckGrad: the default step and seed.
func CheckGrad(f func(tp *Tape, in []*Value) *Value, inputs ...*tensor.Tensor) []float64 {
	return GradCheck{}.CheckGrad(f, inputs...)
}

// CheckGradOf is GradCheck{}.CheckGradOf.
func CheckGradOf(f func(tp *Tape) *Value, leaves ...*Value) []float64 {
	return GradCheck{}.CheckGradOf(f, leaves...)
}
