package kernel

import "math"

// This file holds the pure-Go twins of the vector math kernels in
// vec_amd64.s. Each twin evaluates the same float32 algorithm, step for
// step, as its assembly. Where the compiler fuses the multiply-adds (fma32)
// the two agree bit for bit; elsewhere to within a few ulp.
//
// Every kernel is elementwise: dst[i] = f(src[i]) for i < len(src). dst must
// be at least as long as src and may be src itself, but must not overlap it
// otherwise.

// Constants of the float32 exp: the clamp range, log2(e), 1.5·2²³ (adding it
// rounds to an integer), ln 2 in two parts for Cody–Waite reduction (n·ln2Hi
// is exact for |n| < 2¹⁵) and Cephes' minimax polynomial for eʳ − 1 − r on
// [−ln2/2, ln2/2].
const (
	expMax  = 89   // e⁸⁹ overflows float32
	expMin  = -104 // e⁻¹⁰⁴ rounds to 0
	log2e   = 1.44269504088896341
	rndMag  = 12582912 // 1.5·2²³
	ln2Hi   = 0.693359375
	ln2Lo   = -2.12194440e-4
	expP0   = 5.0000001201e-1
	expP1   = 1.6666665459e-1
	expP2   = 4.1665795894e-2
	expP3   = 8.3334519073e-3
	expP4   = 1.3981999507e-3
	expP5   = 1.9875691500e-4
	loLimit = 1e-3 // bound on the low part of a two-part exponent
)

// exp2 returns e^(hi+lo) in float32, where lo is a small correction to hi
// (|lo| ≲ 2) that carries bits hi cannot hold. The scale 2ⁿ is applied in
// two halves so that results in the subnormal range round correctly and
// overflow gives +Inf. NaN propagates.
func exp2(hi, lo float32) float32 {
	if hi > expMax {
		hi = expMax
	}
	if hi < expMin {
		hi = expMin
	}
	t := float32(float32(hi+lo)*log2e) + rndMag
	n := t - rndMag
	r := fma32(-n, ln2Hi, hi) // exact
	r = fma32(-n, ln2Lo, r)
	r += lo
	p := fma32(fma32(fma32(fma32(fma32(expP5, r, expP4), r, expP3), r, expP2), r, expP1), r, expP0)
	p = fma32(p, r*r, r) + 1
	k := int32(math.Float32bits(t)) - int32(math.Float32bits(rndMag))
	k1 := k >> 1
	k2 := k - k1
	return p * math.Float32frombits(uint32(k1+127)<<23) * math.Float32frombits(uint32(k2+127)<<23)
}

// exp32 returns eˣ.
func exp32(x float32) float32 { return exp2(x, 0) }

// expDiff returns e^(x−s) with x−s carried in two parts, so the result keeps
// full relative accuracy even when x−s is not representable. A low part
// that is NaN or huge (x or s infinite) is clamped; the high part then
// decides the result.
func expDiff(x, s float32) float32 {
	d := x - s
	b := d - x
	lo := (x - (d - b)) + (-s - b)
	if !(lo >= -loLimit) {
		lo = -loLimit
	}
	if !(lo <= loLimit) {
		lo = loLimit
	}
	return exp2(d, lo)
}

// ExpGeneric sets dst[i] = e^src[i]. Results above the float32 range are
// +Inf, below it 0 (subnormal results are kept); the relative error is below
// 2e-7.
func ExpGeneric(dst, src []float32) {
	dst = dst[:len(src)]
	for i, x := range src {
		dst[i] = exp32(x)
	}
}

// ExpShiftSumGeneric sets dst[i] = e^(src[i]−shift) and returns the sum of
// the dst[i] in float64: the inner loop of softmax. The difference is
// carried in two parts, so it keeps full accuracy for any shift.
func ExpShiftSumGeneric(dst, src []float32, shift float32) float64 {
	dst = dst[:len(src)]
	var s float64
	for i, x := range src {
		e := expDiff(x, shift)
		dst[i] = e
		s += float64(e)
	}
	return s
}

// Odd minimax polynomial for tanh on |x| < tanhSmall (Cephes tanhf).
const (
	tanhSmall = 0.625
	tanhT1    = -3.33332819422e-1
	tanhT2    = 1.33314422036e-1
	tanhT3    = -5.37397155531e-2
	tanhT4    = 2.06390887954e-2
	tanhT5    = -5.70498872745e-3
)

// tanh32 returns tanh x: an odd polynomial near 0 and 1 − 2/(e^2|x| + 1)
// elsewhere, which saturates to ±1.
func tanh32(x float32) float32 {
	a := abs32(x)
	if a < tanhSmall {
		z := x * x
		p := fma32(fma32(fma32(fma32(tanhT5, z, tanhT4), z, tanhT3), z, tanhT2), z, tanhT1)
		return fma32(x*z, p, x)
	}
	e := exp32(2 * a)
	r := 1 - 2/(e+1)
	if x < 0 {
		return -r
	}
	return r
}

// TanhGeneric sets dst[i] = tanh src[i].
func TanhGeneric(dst, src []float32) {
	dst = dst[:len(src)]
	for i, x := range src {
		dst[i] = tanh32(x)
	}
}

// sigmoidParts returns e = e^−|x| and d = 1 + e: σ(x) = 1/d for x ≥ 0 and
// e/d below, and σ(x)(1 − σ(x)) = e/d² for every x.
func sigmoidParts(x float32) (e, d float32) {
	e = exp32(-abs32(x))
	return e, 1 + e
}

// sigmoidFrom returns σ from the parts e and d of sigmoidParts (or
// geluTanhParts) for an argument of x's sign.
func sigmoidFrom(x, e, d float32) float32 {
	if x < 0 {
		return e / d
	}
	return 1 / d
}

// sigmoid32 returns 1/(1 + e⁻ˣ) without overflow or cancellation.
func sigmoid32(x float32) float32 {
	e, d := sigmoidParts(x)
	return sigmoidFrom(x, e, d)
}

// SigmoidGeneric sets dst[i] = 1/(1 + e^−src[i]).
func SigmoidGeneric(dst, src []float32) {
	dst = dst[:len(src)]
	for i, x := range src {
		dst[i] = sigmoid32(x)
	}
}

// SiluGeneric sets dst[i] = src[i]·σ(src[i]).
func SiluGeneric(dst, src []float32) {
	dst = dst[:len(src)]
	for i, x := range src {
		dst[i] = x * sigmoid32(x)
	}
}

// siluClamp bounds x where it multiplies a derivative term that is already 0.
const siluClamp = 200

// SiluGradGeneric sets dst[i] to the derivative of SiLU at x = src[i],
// σ(x)(1 + x(1 − σ(x))) = σ(x) + x·e^−|x|/(1 + e^−|x|)².
func SiluGradGeneric(dst, src []float32) {
	dst = dst[:len(src)]
	for i, x := range src {
		e, d := sigmoidParts(x)
		s := sigmoidFrom(x, e, d)
		xc := clamp32(x, siluClamp)
		dst[i] = fma32(e/(d*d), xc, s)
	}
}

// The exact GELU uses erfc(z) = t·exp(−z² + P(t)), t = 1/(1 + z/2), for
// z = |x|/√2 ≥ 0: the Chebyshev fit of Numerical Recipes (erfcc), whose
// relative error is below 1.1e-7 for every z. −z² = −x²/2 is carried in two
// parts so that the large exponents of the tails lose nothing.
const (
	erfK       = 0.35355339059327373 // 1/(2√2): z/2 = |x|·erfK
	geluClamp  = 20                  // Φ(−20) and e^−(20²/2) are 0 in float32
	erfN0      = -1.26551223
	erfN1      = 1.00002368
	erfN2      = 0.37409196
	erfN3      = 0.09678418
	erfN4      = -0.18628806
	erfN5      = 0.27886807
	erfN6      = -1.13520398
	erfN7      = 1.48851587
	erfN8      = -0.82215223
	erfN9      = 0.17087277
	invSqrt2Pi = 0.3989422804014327 // 1/√(2π)
)

// square returns hi + lo = x² exactly.
func square(x float32) (hi, lo float32) { return twoProd(x, x) }

// phi32 returns Φ(x), the standard normal CDF, with full relative accuracy
// in the lower tail. a is min(|x|, geluClamp).
func phi32(x, a float32) float32 {
	t := 1 / fma32(a, erfK, 1)
	q := fma32(fma32(fma32(fma32(erfN9, t, erfN8), t, erfN7), t, erfN6), t, erfN5)
	q = fma32(fma32(fma32(fma32(fma32(q, t, erfN4), t, erfN3), t, erfN2), t, erfN1), t, erfN0)
	hi, lo := square(a)
	c := 0.5 * t * exp2(-0.5*hi, q-0.5*lo) // Φ(−|x|)
	if x < 0 {
		return c
	}
	return 1 - c
}

// GeluErfGeneric sets dst[i] = x·Φ(x) = 0.5·x·(1 + erf(x/√2)) for x = src[i].
func GeluErfGeneric(dst, src []float32) {
	dst = dst[:len(src)]
	for i, x := range src {
		a := min(abs32(x), geluClamp)
		dst[i] = x * phi32(x, a)
	}
}

// GeluErfGradGeneric sets dst[i] to the derivative of the exact GELU at
// x = src[i], Φ(x) + x·φ(x) with φ(x) = e^(−x²/2)/√(2π).
func GeluErfGradGeneric(dst, src []float32) {
	dst = dst[:len(src)]
	for i, x := range src {
		a := min(abs32(x), geluClamp)
		hi, lo := square(a)
		pdf := exp2(-0.5*hi, -0.5*lo) * invSqrt2Pi
		dst[i] = fma32(pdf, clamp32(x, geluClamp), phi32(x, a))
	}
}

// GeluErfAndGradGeneric sets y[i] = x·Φ(x) and d[i] = Φ(x) + x·φ(x) for
// x = src[i]: GeluErfGeneric and GeluErfGradGeneric in one pass that
// computes Φ(x) once, with the same results bit for bit. y and d must be at
// least as long as src; either may be src itself, but they must not overlap
// each other.
func GeluErfAndGradGeneric(y, d, src []float32) {
	y = y[:len(src)]
	d = d[:len(src)]
	for i, x := range src {
		a := min(abs32(x), geluClamp)
		p := phi32(x, a)
		hi, lo := square(a)
		pdf := exp2(-0.5*hi, -0.5*lo) * invSqrt2Pi
		y[i] = x * p
		d[i] = fma32(pdf, clamp32(x, geluClamp), p)
	}
}

// GELU's tanh form is x·σ(v) with v = 2√(2/π)(x + 0.044715x³) = x(A + B·x²).
// In the lower tail e^v is tiny and a relative error δ in v becomes |v|·δ in
// the result (|v| reaches 90), so A, B and v are carried in two parts.
const (
	gtA   = 2 * 0.7978845608028654
	gtB   = 2 * 0.7978845608028654 * 0.044715
	gtAHi = float32(gtA)
	gtALo = float32(gtA - float64(gtAHi))
	gtBHi = float32(gtB)
	gtBLo = float32(gtB - float64(gtBHi))
	gtB3  = 3 * gtB
)

// geluTanhParts returns e = e^−|v| and d = 1 + e for v = x(A + B·x²), with x
// clamped to ±geluClamp by the caller.
func geluTanhParts(x float32) (e, d float32) {
	sh, sl := square(x)
	ph, pl := twoProd(gtBHi, sh) // B·x² = ph + pl + …
	wh := gtAHi + ph
	big, small := max(gtAHi, ph), min(gtAHi, ph) // both ≥ 0
	wl := (big - wh) + small
	wl += fma32(gtBHi, sl, fma32(gtBLo, sh, pl+gtALo))
	vh, vl := twoProd(x, wh)
	vl = fma32(x, wl, vl)
	if x > 0 {
		vh, vl = -vh, -vl
	}
	e = exp2(vh, vl)
	return e, 1 + e
}

// twoProd returns hi + lo = x·y exactly (what a fused multiply-add gives as
// x·y − hi).
func twoProd(x, y float32) (hi, lo float32) {
	hi = x * y
	lo = float32(float64(x)*float64(y) - float64(hi))
	return hi, lo
}

// GeluTanhGeneric sets dst[i] = 0.5·x·(1 + tanh(√(2/π)(x + 0.044715x³))) =
// x·σ(2√(2/π)(x + 0.044715x³)) for x = src[i].
func GeluTanhGeneric(dst, src []float32) {
	dst = dst[:len(src)]
	for i, x := range src {
		xc := clamp32(x, geluClamp)
		e, d := geluTanhParts(xc)
		s := sigmoidFrom(xc, e, d)
		dst[i] = x * s
	}
}

// GeluTanhGradGeneric sets dst[i] to the derivative of GELU's tanh form at
// x = src[i]: σ(v) + x·σ(v)(1 − σ(v))·(A + 3B·x²).
func GeluTanhGradGeneric(dst, src []float32) {
	dst = dst[:len(src)]
	for i, x := range src {
		xc := clamp32(x, geluClamp)
		e, d := geluTanhParts(xc)
		s := sigmoidFrom(xc, e, d)
		dv := fma32(gtB3, xc*xc, gtA)
		dst[i] = fma32(e/(d*d), xc*dv, s)
	}
}

// fma32 returns x·y + z, written so that the compiler may fuse it into one
// multiply-add with a single rounding, as the assembly's VFMADD does. Go
// fuses it on arm64 and with GOAMD64=v3; elsewhere it rounds twice. (Exact
// emulation through float64 would double the cost of every twin: the
// conversions serialise.)
func fma32(x, y, z float32) float32 { return x*y + z }

func abs32(x float32) float32 { return math.Float32frombits(math.Float32bits(x) &^ (1 << 31)) }

// clamp32 returns x clamped to [−c, c]; NaN stays NaN.
func clamp32(x, c float32) float32 {
	if x > c {
		return c
	}
	if x < -c {
		return -c
	}
	return x
}

// MaxGeneric returns the largest element of x, NaN if x holds a NaN, and
// −Inf if x is empty.
func MaxGeneric(x []float32) float32 {
	m := float32(math.Inf(-1))
	for _, v := range x {
		if v != v {
			return v
		}
		m = max(m, v)
	}
	return m
}
