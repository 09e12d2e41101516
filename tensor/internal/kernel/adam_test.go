package kernel

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// adamCoefs are the coefficient sets the tests run: AdamW as nanoGPT uses
// it, Adam with an L2 term, a first step, and a huge step size.
var adamCoefs = []struct {
	name string
	c    AdamCoef
}{
	{"adamw", AdamCoef{0.9, 0.1, 0.99, float32(1 - 0.99), 0, float32(1 - 1e-3*0.1), -1e-3 / float32(1-math.Pow(0.9, 7)), float32(math.Sqrt(1 - math.Pow(0.99, 7))), 1e-8}},
	{"adam_l2", AdamCoef{0.9, 0.1, 0.999, float32(1 - 0.999), 0.1, 1, -0.01 / 0.1, float32(math.Sqrt(1 - 0.999)), 1e-8}},
	{"adam_l2_neg", AdamCoef{0.5, 0.5, 0.25, 0.75, -3, 1, -1, 0.5, 0}},
	{"big", AdamCoef{0, 1, 0, 1, 0, 0.5, -1e30, 1e-20, 1e-30}},
}

// adamInputs returns p, g, m, v of n elements: normal values with special
// values mixed in, v ≥ 0 except for a few negatives and NaNs.
func adamInputs(r *rand.Rand, n int) (p, g, m, v []float32) {
	p, g, m = binInput(r, n), binInput(r, n), binInput(r, n)
	v = binInput(r, n)
	for i := range v {
		if r.IntN(16) != 0 {
			v[i] = float32(math.Abs(float64(v[i])))
		}
	}
	return
}

// TestAdamAVX2 runs AdamAVX2 and AdamGeneric on every length 0..100 at
// offsets 0..7 of each slice, with guard values around p, m and v, and
// requires the same bits (all NaNs counting as equal).
func TestAdamAVX2(t *testing.T) {
	if !HasAVX2 {
		t.Skip("no AVX2 kernels on this machine or build")
	}
	r := rand.New(rand.NewPCG(31, 32))
	for _, tc := range adamCoefs {
		for n := 0; n <= 100; n++ {
			off := n % 8
			p0, g0, m0, v0 := adamInputs(r, n)
			pw, mw, vw := clone(p0), clone(m0), clone(v0)
			AdamGeneric(pw, g0, mw, vw, tc.c)

			guarded := func(x []float32, off int) (buf, s []float32) {
				buf = make([]float32, off+n+8)
				for i := range buf {
					buf[i] = guard
				}
				s = buf[off : off+n]
				copy(s, x)
				return
			}
			pb, p := guarded(p0, off)
			mb, m := guarded(m0, (off+3)%8)
			vb, v := guarded(v0, (off+5)%8)
			gb := append(make([]float32, (off+1)%8), g0...)
			g := gb[(off+1)%8:]
			AdamAVX2(p, g, m, v, tc.c)
			for _, b := range []struct {
				name      string
				buf, s    []float32
				want, in0 []float32
			}{{"p", pb, p, pw, p0}, {"m", mb, m, mw, m0}, {"v", vb, v, vw, v0}} {
				start := len(b.buf) - 8 - n
				for i, x := range b.buf {
					if (i < start || i >= start+n) && x != guard {
						t.Fatalf("%s(n=%d): wrote %v to %s at %d, outside the slice", tc.name, n, x, b.name, i-start)
					}
				}
				for i := range b.want {
					if !sameBits(b.s[i], b.want[i]) {
						t.Errorf("%s(n=%d, off=%d): %s[%d] = %v (p %v, g %v, m %v, v %v); generic gives %v",
							tc.name, n, off, b.name, i, b.s[i], p0[i], g0[i], m0[i], v0[i], b.want[i])
					}
				}
			}
			for i := range g0 {
				if !sameBits(g[i], g0[i]) {
					t.Fatalf("%s(n=%d): wrote g[%d]", tc.name, n, i)
				}
			}
		}
	}
}

// TestAdamSplit checks that updating a slice in pieces, cut anywhere, gives
// the bits of one call: the property that lets optim split a step across
// threads.
func TestAdamSplit(t *testing.T) {
	r := rand.New(rand.NewPCG(33, 34))
	const n = 203
	p0, g, m0, v0 := adamInputs(r, n)
	impls := []struct {
		name string
		f    func(p, g, m, v []float32, c AdamCoef)
	}{{"generic", AdamGeneric}}
	if HasAVX2 {
		impls = append(impls, struct {
			name string
			f    func(p, g, m, v []float32, c AdamCoef)
		}{"avx2", AdamAVX2})
	}
	c := adamCoefs[0].c
	want, mw, vw := clone(p0), clone(m0), clone(v0)
	AdamGeneric(want, g, mw, vw, c)
	for _, impl := range impls {
		for _, cut := range []int{1, 5, 8, 13, 64, 100, 202} {
			p, m, v := clone(p0), clone(m0), clone(v0)
			impl.f(p[:cut], g[:cut], m[:cut], v[:cut], c)
			impl.f(p[cut:], g[cut:], m[cut:], v[cut:], c)
			for i := range want {
				if !sameBits(p[i], want[i]) || !sameBits(m[i], mw[i]) || !sameBits(v[i], vw[i]) {
					t.Errorf("%s cut at %d: [%d] = (%v, %v, %v); one call gives (%v, %v, %v)", impl.name, cut, i, p[i], m[i], v[i], want[i], mw[i], vw[i])
				}
			}
		}
	}
}

// fmaExact returns x·y + z rounded once to float32, through math/big.
func fmaExact(x, y, z float64) float64 {
	if math.IsInf(x, 0) || math.IsInf(y, 0) || math.IsInf(z, 0) || x != x || y != y || z != z {
		return float64(float32(x*y + z))
	}
	xy := new(big.Float).SetPrec(1000).Mul(big.NewFloat(x), big.NewFloat(y))
	f, _ := xy.Add(xy, big.NewFloat(z)).Float32()
	return float64(f)
}

// TestAdamFMA checks the emulated multiply-add against math/big on random
// operands, cancellations, ties between float32 neighbours, subnormals and
// the special values.
func TestAdamFMA(t *testing.T) {
	r := rand.New(rand.NewPCG(37, 38))
	check := func(x, y, z float32) {
		got, want := adamFMA(x, y, z), float32(fmaExact(float64(x), float64(y), float64(z)))
		if !sameBits(got, want) {
			t.Errorf("adamFMA(%v, %v, %v) = %v; want %v", x, y, z, got, want)
		}
	}
	for range 200000 {
		x, y := float32(r.NormFloat64()), float32(r.NormFloat64())
		z := float32(r.NormFloat64())
		switch r.IntN(4) {
		case 1: // cancellation
			z = -float32(float64(x) * float64(y))
		case 2: // a tiny z decides the rounding of a tie
			x = float32(1 + float64(r.IntN(1<<12))/(1<<23))
			y = float32(1 + float64(r.IntN(1<<12))/(1<<12))
			z = float32(math.Ldexp(float64(1-2*r.IntN(2)), -30-r.IntN(40)))
		case 3:
			x *= 1e-20
			y *= 1e-20
		}
		check(x, y, z)
	}
	sp := append([]float32{1, -1, 3.4e38, -3.4e38, 1.5, 0x1p-24}, specialInputs...)
	for _, x := range sp {
		for _, y := range sp {
			for _, z := range sp {
				check(x, y, z)
			}
		}
	}
}

// TestAdamGeneric checks the twin against the update written out once in
// float64 with each operation rounded to float32 and the multiply-adds
// through math/big, and that L2 = 0 leaves an infinite p's gradient alone
// (PyTorch skips the term when the decay is 0).
func TestAdamGeneric(t *testing.T) {
	r := rand.New(rand.NewPCG(35, 36))
	f := func(x float64) float64 { return float64(float32(x)) }
	for _, tc := range adamCoefs {
		c := tc.c
		p0, g, m0, v0 := adamInputs(r, 64)
		p, m, v := clone(p0), clone(m0), clone(v0)
		AdamGeneric(p, g, m, v, c)
		for i := range p {
			gi, pi := float64(g[i]), float64(p0[i])
			if c.L2 != 0 {
				gi = fmaExact(pi, float64(c.L2), gi)
			}
			pi = f(pi * float64(c.Decay))
			mi := fmaExact(gi, float64(c.OneMinusBeta1), f(float64(m0[i])*float64(c.Beta1)))
			vi := fmaExact(f(float64(c.OneMinusBeta2)*gi), gi, f(float64(v0[i])*float64(c.Beta2)))
			d := f(f(f(math.Sqrt(vi))/float64(c.BC2Sqrt)) + float64(c.Eps))
			pi = f(pi + f(f(float64(c.NegStepSize)*mi)/d))
			for _, x := range []struct {
				name      string
				got, want float64
			}{{"p", float64(p[i]), pi}, {"m", float64(m[i]), mi}, {"v", float64(v[i]), vi}} {
				if !sameBits(float32(x.got), float32(x.want)) {
					t.Errorf("%s: %s[%d] = %v (p %v, g %v, m %v, v %v); want %v", tc.name, x.name, i, x.got, p0[i], g[i], m0[i], v0[i], x.want)
				}
			}
		}
	}
	p, m, v := []float32{float32(math.Inf(1))}, []float32{0}, []float32{0}
	AdamGeneric(p, []float32{1}, m, v, adamCoefs[0].c)
	if m[0] != 0.1 {
		t.Errorf("L2 = 0 with p = +Inf: m = %v; want 0.1", m[0])
	}
}

func clone(x []float32) []float32 { return append([]float32(nil), x...) }
