package kernel

import (
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

func sigmoid64(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

// gelu's tanh form: v = 2√(2/π)(x + 0.044715x³) and the result x·σ(v).
func geluTanhV(x float64) float64 { return 2 * 0.7978845608028654 * (x + 0.044715*x*x*x) }

// The exact GELU x·Φ(x), its derivative Φ(x) + x·φ(x), and the scale of the
// derivative's error, the sum of the magnitudes of its two terms.
func geluRef(x float64) float64 { return 0.5 * x * math.Erfc(-x/math.Sqrt2) }

var geluGradRef = atInf(func(x float64) float64 {
	return 0.5*math.Erfc(-x/math.Sqrt2) + x*math.Exp(-x*x/2)/math.Sqrt(2*math.Pi)
})

func geluGradScale(x float64) float64 {
	return 0.5*math.Erfc(-x/math.Sqrt2) + math.Abs(x*math.Exp(-x*x/2)/math.Sqrt(2*math.Pi))
}

// geluAndGradY and geluAndGradD present one output of a GeluErfAndGrad
// kernel as a unary kernel, so that it runs through the sweeps of every
// kernel; the other output goes to a scratch slice.
func geluAndGradY(f func(y, d, src []float32)) func(dst, src []float32) {
	return func(dst, src []float32) { f(dst, make([]float32, len(src)), src) }
}

func geluAndGradD(f func(y, d, src []float32)) func(dst, src []float32) {
	return func(dst, src []float32) { f(make([]float32, len(src)), dst, src) }
}

// vecKernel is one of the vector kernels with its float64 reference. scale
// is the size against which an error at x is measured: |f(x)| for the
// functions, the sum of the magnitudes of its terms for the derivatives,
// which pass through 0 by cancellation.
type vecKernel struct {
	name    string
	generic func(dst, src []float32)
	avx2    func(dst, src []float32)
	ref     func(x float64) float64
	scale   func(x float64) float64
	tol     float64 // bound on the worst error of the sweep
	// floor, if not nil, replaces max(1, |x|) as the factor on 2⁻¹²⁶ below
	// which errors are not measured (see relErr).
	floor func(x float64) float64
}

func abs(f func(float64) float64) func(float64) float64 {
	return func(x float64) float64 { return math.Abs(f(x)) }
}

// atInf gives a derivative its limits 0 at −Inf and 1 at +Inf (the formulas
// give NaN there).
func atInf(f func(float64) float64) func(float64) float64 {
	return func(x float64) float64 {
		if math.IsInf(x, 0) {
			return max(0, math.Copysign(1, x))
		}
		return f(x)
	}
}

var vecKernels = []vecKernel{
	{"exp", ExpGeneric, ExpAVX2, math.Exp, abs(math.Exp), 1.5e-7, nil},
	{"tanh", TanhGeneric, TanhAVX2, math.Tanh, abs(math.Tanh), 2e-7, nil},
	{"sigmoid", SigmoidGeneric, SigmoidAVX2, sigmoid64, sigmoid64, 2.5e-7, nil},
	{"silu", SiluGeneric, SiluAVX2, func(x float64) float64 { return x * sigmoid64(x) }, func(x float64) float64 { return math.Abs(x * sigmoid64(x)) }, 3e-7, nil},
	{"silu_grad", SiluGradGeneric, SiluGradAVX2,
		atInf(func(x float64) float64 { return sigmoid64(x) + x*sigmoid64(x)*sigmoid64(-x) }),
		func(x float64) float64 { return sigmoid64(x) + math.Abs(x*sigmoid64(x)*sigmoid64(-x)) }, 4e-7, nil},
	{"gelu", GeluErfGeneric, GeluErfAVX2, geluRef, abs(geluRef), 6e-7, nil},
	{"gelu_grad", GeluErfGradGeneric, GeluErfGradAVX2, geluGradRef, geluGradScale, 6e-7, nil},
	{"gelu_and_grad/y", geluAndGradY(GeluErfAndGradGeneric), geluAndGradY(GeluErfAndGradAVX2), geluRef, abs(geluRef), 6e-7, nil},
	{"gelu_and_grad/d", geluAndGradD(GeluErfAndGradGeneric), geluAndGradD(GeluErfAndGradAVX2), geluGradRef, geluGradScale, 6e-7, nil},
	{"gelu_tanh", GeluTanhGeneric, GeluTanhAVX2,
		func(x float64) float64 { return x * sigmoid64(geluTanhV(x)) },
		func(x float64) float64 { return math.Abs(x * sigmoid64(geluTanhV(x))) }, 3e-7, nil},
	{"gelu_tanh_grad", GeluTanhGradGeneric, GeluTanhGradAVX2,
		atInf(func(x float64) float64 {
			v := geluTanhV(x)
			return sigmoid64(v) + x*sigmoid64(v)*sigmoid64(-v)*2*0.7978845608028654*(1+3*0.044715*x*x)
		}),
		func(x float64) float64 {
			v := geluTanhV(x)
			return sigmoid64(v) + math.Abs(x*sigmoid64(v)*sigmoid64(-v)*2*0.7978845608028654*(1+3*0.044715*x*x))
		}, 5e-7,
		func(x float64) float64 { return max(1, math.Abs(x)*(1.6+0.22*x*x)) }},
}

func (k vecKernel) floorAt(x float64) float64 {
	if k.floor != nil {
		return k.floor(x)
	}
	return max(1, math.Abs(x))
}

// impls returns the implementations of k this build and CPU can run.
func (k vecKernel) impls() map[string]func(dst, src []float32) {
	m := map[string]func(dst, src []float32){"generic": k.generic}
	if HasAVX2 {
		m["avx2"] = k.avx2
	}
	return m
}

// sweepInputs returns every stride-th float32 in [−100, 100] (for an odd
// stride, every binade with mantissas of all residues) followed by special
// values.
func sweepInputs(stride uint32) []float32 {
	var xs []float32
	for b := uint32(0); b <= math.Float32bits(100); b += stride {
		x := math.Float32frombits(b)
		xs = append(xs, x, -x)
	}
	inf := float32(math.Inf(1))
	return append(xs, 0, float32(math.Copysign(0, -1)), inf, -inf, float32(math.NaN()),
		88.72, 88.73, 89, 100, 1000, math.MaxFloat32, -math.MaxFloat32, -87.3, -87.4, -103, -104, -1000,
		1e-30, -1e-30, 1e-45, -1e-45, 0.625, -0.625, 0.62499, -0.62499)
}

// relErr returns |got − want| measured against scale. Scales below
// floor·2⁻¹²⁶ count as that: intermediate results (eˣ, Φ(x), σ(x)) may be
// subnormal or flush to 0 there, before the final product with x.
func relErr(got float32, want, scale, floor float64) float64 {
	switch w := float32(want); {
	case got == w:
		return 0
	case math.IsNaN(want):
		if got != got {
			return 0
		}
		return math.Inf(1)
	case math.IsInf(float64(w), 0):
		if got == w {
			return 0
		}
		return math.Inf(1)
	}
	return math.Abs(float64(got)-want) / max(scale, 0x1p-126*floor)
}

var vecStride = flag.Uint("vecstride", 4999, "TestVecAccuracy tries every `n`th float32 in [−100, 100] (97 takes a minute)")

// TestVecAccuracy sweeps every kernel over [−100, 100] and special values
// against float64 math, reports the worst error of each implementation and
// checks that the implementations agree bit for bit. Run it densely with
// go test -run VecAccuracy -v -vecstride 97.
func TestVecAccuracy(t *testing.T) {
	stride := uint32(*vecStride)
	if testing.Short() {
		stride = max(stride, 49999)
	}
	xs := sweepInputs(stride)
	got := make([]float32, len(xs))
	for _, k := range vecKernels {
		var first []float32 // the results of the first implementation
		for impl, f := range k.impls() {
			f(got, xs)
			if first == nil {
				first = append([]float32(nil), got...)
			} else if d := countDiffs(first, got); d > 0 && fused {
				t.Errorf("%s: implementations differ on %d of %d inputs", k.name, d, len(xs))
			}
			worst, at := 0.0, float32(0)
			for i, x := range xs {
				want, scale, floor := math.NaN(), 0.0, 1.0
				if x == x {
					want, scale, floor = k.ref(float64(x)), k.scale(float64(x)), k.floorAt(float64(x))
				}
				if e := relErr(got[i], want, scale, floor); e > worst || e != e {
					worst, at = e, x
				}
			}
			t.Logf("%-15s %-8s worst error %.3g at x = %v (%d inputs)", k.name, impl, worst, at, len(xs))
			if !(worst <= k.tol) {
				var want float64
				if at == at {
					want = k.ref(float64(at))
				}
				got := make([]float32, 1)
				f(got, []float32{at})
				t.Errorf("%s/%s: error %.3g at x = %v (got %v, want %v); want ≤ %g", k.name, impl, worst, at, got[0], want, k.tol)
			}
		}
	}
}

// specialInputs are values every comparison runs through besides random ones.
var specialInputs = []float32{0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()),
	1e-40, -1e-40, 0.625, -0.625, 20, -20, 88.7, 89, -87.4, -103.9, 1e4, -1e4}

// vecInput returns n inputs: normal values with a spread of 4, and the
// special values mixed in.
func vecInput(r *rand.Rand, n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(r.NormFloat64() * 4)
		if r.IntN(8) == 0 {
			x[i] = specialInputs[r.IntN(len(specialInputs))]
		}
	}
	return x
}

// fused reports whether the compiler fuses fma32 into one rounding, as the
// assembly does; only then do the twins match it bit for bit.
var fused = func() bool {
	x := []float32{1 + 0x1p-12, 1 + 0x1p-12, -(1 + 0x1p-11)} // not constants, which fold
	return fma32(x[0], x[1], x[2]) != 0
}()

// countDiffs returns how many elements of a and b differ (NaNs are equal).
func countDiffs(a, b []float32) int {
	n := 0
	for i := range a {
		if a[i] != b[i] && !(a[i] != a[i] && b[i] != b[i]) {
			n++
		}
	}
	return n
}

// TestVecAVX2MatchesGeneric runs the assembly and its pure-Go twin on every
// length 0..100 at offsets 0..7, with guard values after the result, out of
// place and in place. The two evaluate the same float32 operations; where
// the compiler fuses the twin's multiply-adds as the assembly does, they
// must agree bit for bit, elsewhere to within the kernel's tolerance.
func TestVecAVX2MatchesGeneric(t *testing.T) {
	if !HasAVX2 {
		t.Skip("no AVX2+FMA kernels on this machine or build")
	}
	r := rand.New(rand.NewPCG(13, 14))
	for _, k := range vecKernels {
		var worst float64
		for n := 0; n <= 100; n++ {
			off := n % 8
			src := vecInput(r, off+n+8)
			x := src[off : off+n]
			want := make([]float32, n)
			k.generic(want, x)
			got := make([]float32, off+n+8)
			for i := range got {
				got[i] = guard
			}
			k.avx2(got[off:off+n], x)
			inplace := append([]float32(nil), x...)
			k.avx2(inplace, inplace)
			for i := range got {
				if (i < off || i >= off+n) && got[i] != guard {
					t.Fatalf("%s(n=%d, off=%d): wrote %v at %d, outside the result", k.name, n, off, got[i], i-off)
				}
			}
			for i, w := range want {
				g, xi := got[off+i], float64(x[i])
				scale, floor := 0.0, 1.0
				if xi == xi {
					scale, floor = k.scale(xi), k.floorAt(xi)
				}
				d := relErr(g, float64(w), scale, floor)
				worst = max(worst, d)
				if fused && g != w && !(g != g && w != w) || !(d <= k.tol) {
					t.Errorf("%s(%v) (n=%d, off=%d, i=%d) = %v; generic gives %v", k.name, x[i], n, off, i, g, w)
				}
				if p := inplace[i]; p != g && !(p != p && g != g) {
					t.Errorf("%s in place (n=%d, i=%d) = %v; out of place %v", k.name, n, i, p, g)
				}
			}
		}
		t.Logf("%-15s avx2 vs generic: at most %.3g apart", k.name, worst)
	}
}

// TestGeluErfAndGrad checks that each implementation of the fused kernel
// gives the results of its GeluErf and GeluErfGrad kernels bit for bit, on
// every length 0..100 at offsets 0..7, with guard values around both
// results, out of place and with either result in place of the input.
func TestGeluErfAndGrad(t *testing.T) {
	type impl struct {
		fused      func(y, d, src []float32)
		gelu, grad func(dst, src []float32)
	}
	impls := map[string]impl{"generic": {GeluErfAndGradGeneric, GeluErfGeneric, GeluErfGradGeneric}}
	if HasAVX2 {
		impls["avx2"] = impl{GeluErfAndGradAVX2, GeluErfAVX2, GeluErfGradAVX2}
	}
	r := rand.New(rand.NewPCG(19, 20))
	for name, f := range impls {
		for n := 0; n <= 100; n++ {
			off := n % 8
			x := vecInput(r, off+n)[off:]
			wantY, wantD := make([]float32, n), make([]float32, n)
			f.gelu(wantY, x)
			f.grad(wantD, x)
			y, d := make([]float32, off+n+8), make([]float32, off+n+8)
			for i := range y {
				y[i], d[i] = guard, guard
			}
			f.fused(y[off:off+n], d[off:off+n], x)
			for i := range y {
				if (i < off || i >= off+n) && (y[i] != guard || d[i] != guard) {
					t.Fatalf("%s(n=%d, off=%d): wrote y %v, d %v at %d, outside the results", name, n, off, y[i], d[i], i-off)
				}
			}
			check := func(how string, gotY, gotD []float32) {
				if k := countDiffs(gotY, wantY); k > 0 {
					t.Errorf("%s %s(n=%d, off=%d): y differs from GeluErf on %d elements", name, how, n, off, k)
				}
				if k := countDiffs(gotD, wantD); k > 0 {
					t.Errorf("%s %s(n=%d, off=%d): d differs from GeluErfGrad on %d elements", name, how, n, off, k)
				}
			}
			check("", y[off:off+n], d[off:off+n])
			yIn, dOut := append([]float32(nil), x...), make([]float32, n)
			f.fused(yIn, dOut, yIn)
			check("y in place", yIn, dOut)
			yOut, dIn := make([]float32, n), append([]float32(nil), x...)
			f.fused(yOut, dIn, dIn)
			check("d in place", yOut, dIn)
		}
	}
}

// TestExpShiftSum checks both implementations against float64 on rows of
// every length 0..100, with large, infinite and NaN shifts and -Inf inputs
// (masked logits), in place and out of place.
func TestExpShiftSum(t *testing.T) {
	impls := map[string]func(dst, src []float32, shift float32) float64{"generic": ExpShiftSumGeneric}
	if HasAVX2 {
		impls["avx2"] = ExpShiftSumAVX2
	}
	r := rand.New(rand.NewPCG(15, 16))
	inf := float32(math.Inf(1))
	for name, f := range impls {
		for n := 0; n <= 100; n++ {
			for _, shift := range []float32{0, 3.25, -40.1, 1000.123, 1e6} {
				off := n % 8
				src := make([]float32, off+n)
				for i := range src {
					src[i] = shift - float32(r.ExpFloat64()*20)
					if r.IntN(10) == 0 {
						src[i] = -inf
					}
				}
				x := src[off:]
				got := make([]float32, n+1)
				got[n] = guard
				sum := f(got[:n], x, shift)
				var want float64
				for i, v := range x {
					w := math.Exp(float64(v) - float64(shift))
					want += w
					if e := relErr(got[i], w, w, 1); e > 1.5e-7 {
						t.Errorf("%s: ExpShiftSum(n=%d, shift=%v) [%d] = e^(%v−shift) = %v; want %v", name, n, shift, i, v, got[i], w)
					}
				}
				if got[n] != guard {
					t.Errorf("%s: ExpShiftSum(n=%d) wrote past dst", name, n)
				}
				if math.Abs(sum-want) > 1e-6*want {
					t.Errorf("%s: ExpShiftSum(n=%d, shift=%v) = %v; want %v", name, n, shift, sum, want)
				}
				in := append([]float32(nil), x...)
				if s := f(in, in, shift); s != sum {
					t.Errorf("%s: ExpShiftSum in place (n=%d) = %v; out of place %v", name, n, s, sum)
				}
			}
		}
		dst := make([]float32, 9)
		for _, tt := range []struct {
			x     []float32
			shift float32
			want  float64
		}{
			{[]float32{1, 2, 3, 4, 5, 6, 7, 8, 9}, inf, 0},
			{[]float32{1, 2, 3, 4, 5, 6, 7, 8, -inf}, -inf, math.NaN()},
			{[]float32{1, 2, 3, 4, 5, 6, 7, 8, inf}, inf, math.NaN()},
			{[]float32{1, 2, 3, 4, 5, 6, 7, 8, 9}, float32(math.NaN()), math.NaN()},
		} {
			if s := f(dst, tt.x, tt.shift); s != tt.want && !(s != s && tt.want != tt.want) {
				t.Errorf("%s: ExpShiftSum(%v, shift=%v) = %v; want %v", name, tt.x, tt.shift, s, tt.want)
			}
		}
	}
}

// TestMax checks both implementations against a plain loop on lengths
// 0..100 at odd offsets, with NaN and ±Inf mixed in.
func TestMax(t *testing.T) {
	impls := map[string]func(x []float32) float32{"generic": MaxGeneric}
	if HasAVX2 {
		impls["avx2"] = MaxAVX2
	}
	r := rand.New(rand.NewPCG(17, 18))
	for name, f := range impls {
		for n := 0; n <= 100; n++ {
			for trial := range 4 {
				off := n % 8
				x := vecInput(r, off+n)[off:]
				if trial == 0 { // mostly no specials
					for i, v := range x {
						if v != v || math.IsInf(float64(v), 0) {
							x[i] = float32(i)
						}
					}
				}
				want, nan := float32(math.Inf(-1)), false
				for _, v := range x {
					nan = nan || v != v
					want = max(want, v)
				}
				got := f(x)
				if nan && got == got || !nan && got != want {
					t.Errorf("%s(%v) = %v; want %v (NaN: %v)", name, x, got, want, nan)
				}
			}
		}
	}
}

func BenchmarkVec(b *testing.B) {
	const n = 4096
	r := rand.New(rand.NewPCG(11, 12))
	src := make([]float32, n)
	for i := range src {
		src[i] = float32(r.NormFloat64() * 3)
	}
	dst := make([]float32, n)
	for _, k := range vecKernels {
		if strings.HasPrefix(k.name, "gelu_and_grad/") {
			continue // allocating wrappers; see BenchmarkGeluErfAndGrad
		}
		for impl, f := range k.impls() {
			b.Run(fmt.Sprintf("op=%s/impl=%s", k.name, impl), func(b *testing.B) {
				for b.Loop() {
					f(dst, src)
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/elem")
			})
		}
	}
}

// BenchmarkGeluErfAndGrad compares the fused kernel (op=fused) with the
// GeluErf and GeluErfGrad kernels run one after the other (op=separate).
func BenchmarkGeluErfAndGrad(b *testing.B) {
	const n = 4096
	r := rand.New(rand.NewPCG(11, 12))
	src := make([]float32, n)
	for i := range src {
		src[i] = float32(r.NormFloat64() * 3)
	}
	y, d := make([]float32, n), make([]float32, n)
	impls := []struct {
		name       string
		fused      func(y, d, src []float32)
		gelu, grad func(dst, src []float32)
	}{{"generic", GeluErfAndGradGeneric, GeluErfGeneric, GeluErfGradGeneric}}
	if HasAVX2 {
		impls = append(impls, impls[0])
		impls[1].name, impls[1].fused, impls[1].gelu, impls[1].grad = "avx2", GeluErfAndGradAVX2, GeluErfAVX2, GeluErfGradAVX2
	}
	for _, im := range impls {
		b.Run("op=fused/impl="+im.name, func(b *testing.B) {
			for b.Loop() {
				im.fused(y, d, src)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/elem")
		})
		b.Run("op=separate/impl="+im.name, func(b *testing.B) {
			for b.Loop() {
				im.gelu(y, src)
				im.grad(d, src)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/elem")
		})
	}
}
