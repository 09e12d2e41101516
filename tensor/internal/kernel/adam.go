package kernel

import "math"

// AdamCoef holds the float32 coefficients of one Adam or AdamW update (see
// AdamGeneric). The assembly reads it by offset: keep the field order.
type AdamCoef struct {
	Beta1, OneMinusBeta1 float32 // β1 and 1−β1
	Beta2, OneMinusBeta2 float32 // β2 and 1−β2
	L2                   float32 // Adam's coupled decay; 0 skips the term
	Decay                float32 // AdamW's decoupled decay factor; 1 for none
	NegStepSize          float32 // −lr/(1−β1ᵗ)
	BC2Sqrt              float32 // √(1−β2ᵗ)
	Eps                  float32
}

// AdamGeneric applies one Adam/AdamW update to the len(p) elements of p,
// with gradient g and moments m and v, in float32 with one rounding per
// operation, in the order of PyTorch 1.13's _single_tensor_adam(w) on
// float32 tensors:
//
//	g ← g + L2·p                       (only if L2 ≠ 0)
//	p ← p·Decay
//	m ← m·β1 + (1−β1)·g
//	v ← v·β2 + ((1−β2)·g)·g
//	p ← p + (NegStepSize·m) / (√v/BC2Sqrt + Eps)
//
// g, m and v must hold at least len(p) elements and must not overlap p or
// each other; g is not written. Each element is computed from its own
// inputs alone, so any split of the slices gives the same bits. AdamAVX2
// performs the same operations (no fused multiply-adds) and agrees bit for
// bit: the explicit float32 conversions below stop Go from fusing.
func AdamGeneric(p, g, m, v []float32, c AdamCoef) {
	g, m, v = g[:len(p)], m[:len(p)], v[:len(p)]
	for i, pi := range p {
		gi := g[i]
		if c.L2 != 0 {
			gi += float32(c.L2 * pi)
		}
		pi = float32(pi * c.Decay)
		mi := float32(m[i]*c.Beta1) + float32(c.OneMinusBeta1*gi)
		vi := float32(v[i]*c.Beta2) + float32(float32(c.OneMinusBeta2*gi)*gi)
		// A float32 square root through float64 is correctly rounded.
		d := float32(float32(math.Sqrt(float64(vi)))/c.BC2Sqrt) + c.Eps
		m[i], v[i] = mi, vi
		p[i] = pi + float32(float32(c.NegStepSize*mi)/d)
	}
}
