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
// with gradient g and moments m and v, in float32, exactly as PyTorch 1.13's
// _single_tensor_adam(w) computes it on float32 tensors with its AVX2
// kernels, where fma(x, y, z) = x·y + z rounded once:
//
//	g ← fma(p, L2, g)                        (only if L2 ≠ 0: add's alpha)
//	p ← p·Decay                              (mul_)
//	m ← fma(g, 1−β1, m·β1)                   (mul_, add_ with alpha)
//	v ← fma((1−β2)·g, g, v·β2)               (mul_, addcmul_)
//	p ← p + (NegStepSize·m) / (√v/BC2Sqrt + Eps)   (sqrt, div, add_, addcdiv_)
//
// Every other operation is rounded to float32 on its own. g, m and v must
// hold at least len(p) elements and must not overlap p or each other; g is
// not written. Each element is computed from its own inputs alone, so any
// split of the slices gives the same bits, and AdamAVX2 agrees bit for bit
// (the fused multiply-adds are emulated exactly here, see adamFMA).
func AdamGeneric(p, g, m, v []float32, c AdamCoef) {
	g, m, v = g[:len(p)], m[:len(p)], v[:len(p)]
	for i, pi := range p {
		gi := g[i]
		if c.L2 != 0 {
			gi = adamFMA(pi, c.L2, gi)
		}
		pi = float32(pi * c.Decay)
		mi := adamFMA(gi, c.OneMinusBeta1, float32(m[i]*c.Beta1))
		vi := adamFMA(float32(c.OneMinusBeta2*gi), gi, float32(v[i]*c.Beta2))
		// A float32 square root through float64 is correctly rounded.
		d := float32(float32(math.Sqrt(float64(vi)))/c.BC2Sqrt) + c.Eps
		m[i], v[i] = mi, vi
		p[i] = pi + float32(float32(c.NegStepSize*mi)/d)
	}
}

// adamFMA returns x·y + z rounded once to float32, as VFMADD does, on every
// machine. x·y is exact in float64; the sum is rounded to float64 with the
// error recovered by TwoSum and folded into the last bit (round to odd), so
// the final rounding to float32 is correct (53 ≥ 2·24 + 2 bits). Infinities
// and NaNs come out as the plain sum gives them.
func adamFMA(x, y, z float32) float32 {
	xy := float64(float64(x) * float64(y))
	s := xy + float64(z)
	bz := s - xy
	e := (xy - (s - bz)) + (float64(z) - bz) // the exact sum is s + e
	if b := math.Float64bits(s); (e > 0 || e < 0) && b&1 == 0 {
		if (e > 0) == (s > 0) {
			b++ // away from zero
		} else {
			b--
		}
		s = math.Float64frombits(b)
	}
	return float32(s)
}
