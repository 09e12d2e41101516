package tensor

import (
	"fmt"

	"github.com/tapegrad/tapegrad/tensor/internal/kernel"
)

// AdamCoef holds the coefficients of one AdamUpdate, computed in float64 by
// the optimizer for the step at hand. AdamUpdate rounds each to float32 (and
// 1−Beta1, 1−Beta2 are formed in float64 first), as PyTorch passes its
// Python floats to float32 kernels.
type AdamCoef struct {
	Beta1, Beta2 float64 // the moments' decays β1, β2
	Eps          float64 // ε, added to the denominator
	StepSize     float64 // lr / (1 − β1ᵗ)
	BC2Sqrt      float64 // √(1 − β2ᵗ)
	Decay        float64 // AdamW's decoupled decay 1 − lr·wd; 1 for none
	L2           float64 // Adam's coupled decay wd; 0 for none
}

// AdamUpdate is the fused elementwise kernel of the Adam and AdamW
// optimizers: it updates parameters p with gradients g and moments m and v
// in place, in float32, giving the bits PyTorch 1.13's _single_tensor_adam
// and _single_tensor_adamw give on float32 tensors:
//
//	g ← g + L2·p                          (skipped when L2 is 0)
//	p ← p·Decay
//	m ← β1·m + (1−β1)·g
//	v ← β2·v + (1−β2)·g·g
//	p ← p − StepSize·m / (√v / BC2Sqrt + ε)
//
// Each operation is rounded to float32 in PyTorch's order, and the three
// multiply-adds (g, m, v) are fused with one rounding, as PyTorch's AVX2
// kernels fuse them (see kernel.AdamGeneric for the exact sequence).
//
// g is not written. p, g, m and v must have the same length and must not
// overlap; AdamUpdate panics with a *ShapeError otherwise. Every element is
// computed from its own inputs alone, and the AVX2 kernel and its pure-Go
// twin give the same bits, so splitting the slices anywhere (across threads,
// say) changes nothing. It allocates nothing.
func AdamUpdate(p, g, m, v []float32, c AdamCoef) {
	if len(g) != len(p) || len(m) != len(p) || len(v) != len(p) {
		panic(&ShapeError{Op: "AdamUpdate", Msg: fmt.Sprintf("p, g, m and v have lengths %d, %d, %d and %d", len(p), len(g), len(m), len(v))})
	}
	kc := kernel.AdamCoef{
		Beta1:         float32(c.Beta1),
		OneMinusBeta1: float32(1 - c.Beta1),
		Beta2:         float32(c.Beta2),
		OneMinusBeta2: float32(1 - c.Beta2),
		L2:            float32(c.L2),
		Decay:         float32(c.Decay),
		NegStepSize:   float32(-c.StepSize),
		BC2Sqrt:       float32(c.BC2Sqrt),
		Eps:           float32(c.Eps),
	}
	if vecAVX2 {
		kernel.AdamAVX2(p, g, m, v, kc)
		return
	}
	kernel.AdamGeneric(p, g, m, v, kc)
}
