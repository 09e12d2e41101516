package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// binInput returns n operands: normal values with a spread of 4 and the
// special values (zeros, infinities, NaN, subnormals) mixed in.
func binInput(r *rand.Rand, n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(r.NormFloat64() * 4)
		if r.IntN(8) == 0 {
			x[i] = specialInputs[r.IntN(len(specialInputs))]
		}
	}
	return x
}

// sameBits reports whether a and b are the same float32, counting all NaNs
// as equal.
func sameBits(a, b float32) bool {
	return math.Float32bits(a) == math.Float32bits(b) || a != a && b != b
}

// binKernel is one elementwise kernel in the common form z ← f(z, x, y, s),
// where f reads z only if it accumulates.
type binKernel struct {
	name          string
	generic, avx2 func(z, x, y []float32, s float32)
}

var opNames = [...]string{OpAdd: "add", OpSub: "sub", OpMul: "mul", OpDiv: "div"}

func binKernels() []binKernel {
	var ks []binKernel
	for _, op := range []BinOp{OpAdd, OpSub, OpMul, OpDiv} {
		ks = append(ks,
			binKernel{"vv_" + opNames[op],
				func(z, x, y []float32, s float32) { BinVVGeneric(op, z, x, y) },
				func(z, x, y []float32, s float32) { BinVVAVX2(op, z, x, y) }},
			binKernel{"vs_" + opNames[op],
				func(z, x, y []float32, s float32) { BinVSGeneric(op, z, x, s) },
				func(z, x, y []float32, s float32) { BinVSAVX2(op, z, x, s) }},
			binKernel{"sv_" + opNames[op],
				func(z, x, y []float32, s float32) { BinSVGeneric(op, z, s, y) },
				func(z, x, y []float32, s float32) { BinSVAVX2(op, z, s, y) }})
	}
	return append(ks,
		binKernel{"axpy",
			func(z, x, y []float32, s float32) { AxpyGeneric(z, x, s) },
			func(z, x, y []float32, s float32) { AxpyAVX2(z, x, s) }},
		binKernel{"addmul",
			func(z, x, y []float32, s float32) { AddMulGeneric(z, x, y) },
			func(z, x, y []float32, s float32) { AddMulAVX2(z, x, y) }})
}

// TestBinAVX2MatchesGeneric runs every elementwise kernel and its twin on
// every length 0..100 at offsets 0..7, with guard values around the result,
// out of place and in place (z is x, z is y), and requires the same bits.
func TestBinAVX2MatchesGeneric(t *testing.T) {
	if !HasAVX2 {
		t.Skip("no AVX2 kernels on this machine or build")
	}
	r := rand.New(rand.NewPCG(21, 22))
	scalars := []float32{2.5, -0.3, 0, float32(math.Inf(1)), float32(math.NaN()), 1e-40}
	for _, k := range binKernels() {
		for n := 0; n <= 100; n++ {
			off := n % 8
			x := binInput(r, n+8)[off : off+n]
			y := binInput(r, n+5)[:n]
			z0 := binInput(r, n)
			s := scalars[n%len(scalars)]

			want := append([]float32(nil), z0...)
			k.generic(want, x, y, s)

			buf := make([]float32, off+n+8)
			for i := range buf {
				buf[i] = guard
			}
			got := buf[off : off+n]
			copy(got, z0)
			k.avx2(got, x, y, s)
			for i, v := range buf {
				if (i < off || i >= off+n) && v != guard {
					t.Fatalf("%s(n=%d, off=%d): wrote %v at %d, outside the result", k.name, n, off, v, i-off)
				}
			}
			for i := range want {
				if !sameBits(got[i], want[i]) {
					t.Errorf("%s(n=%d, off=%d)[%d] = %v (z %v, x %v, y %v, s %v); generic gives %v",
						k.name, n, off, i, got[i], z0[i], x[i], y[i], s, want[i])
				}
			}

			// In place: z is x, then z is y, against the twin doing the same.
			for _, alias := range []string{"x", "y"} {
				zg, za := append([]float32(nil), x...), append([]float32(nil), x...)
				if alias == "y" {
					zg, za = append([]float32(nil), y...), append([]float32(nil), y...)
					k.generic(zg, x, zg, s)
					k.avx2(za, x, za, s)
				} else {
					k.generic(zg, zg, y, s)
					k.avx2(za, za, y, s)
				}
				for i := range zg {
					if !sameBits(za[i], zg[i]) {
						t.Errorf("%s in place z=%s (n=%d)[%d] = %v; generic gives %v", k.name, alias, n, i, za[i], zg[i])
					}
				}
			}
		}
	}
}

// TestBinGeneric checks the twins against float64 arithmetic rounded once.
func TestBinGeneric(t *testing.T) {
	x := []float32{1, -2.5, 3e38, 0, float32(math.Inf(-1)), 7}
	y := []float32{3, 0.5, 3e38, 0, 2, -0.25}
	f := func(op BinOp, a, b float64) float64 {
		return [...]float64{a + b, a - b, a * b, a / b}[op]
	}
	z := make([]float32, len(x))
	for op := OpAdd; op <= OpDiv; op++ {
		BinVVGeneric(op, z, x, y)
		for i := range z {
			if w := float32(f(op, float64(x[i]), float64(y[i]))); !sameBits(z[i], w) {
				t.Errorf("BinVV(%d, %v, %v) = %v; want %v", op, x[i], y[i], z[i], w)
			}
		}
		BinVSGeneric(op, z, x, 3)
		for i := range z {
			if w := float32(f(op, float64(x[i]), 3)); !sameBits(z[i], w) {
				t.Errorf("BinVS(%d, %v, 3) = %v; want %v", op, x[i], z[i], w)
			}
		}
		BinSVGeneric(op, z, 3, y)
		for i := range z {
			if w := float32(f(op, 3, float64(y[i]))); !sameBits(z[i], w) {
				t.Errorf("BinSV(%d, 3, %v) = %v; want %v", op, y[i], z[i], w)
			}
		}
	}
	z = []float32{1, 2, 3}
	AxpyGeneric(z, []float32{1, 1, 1}, 0.5)
	AddMulGeneric(z, []float32{2, 2, 2}, []float32{1, 2, 3})
	if want := []float32{3.5, 6.5, 9.5}; fmt.Sprint(z) != fmt.Sprint(want) {
		t.Errorf("Axpy then AddMul = %v; want %v", z, want)
	}
}

// colSumImpls returns the column-sum implementations this build can run.
func colSumImpls() map[string]func(acc []float64, x []float32, rows, ld int) {
	m := map[string]func(acc []float64, x []float32, rows, ld int){"generic": ColSumGeneric}
	if HasAVX2 {
		m["avx2"] = ColSumAVX2
	}
	return m
}

// TestColSum checks both implementations on every width 0..100 against a
// float64 reference, with rows 0..9 and some longer, leading dimensions
// past the width, guard values after acc and in the gaps between rows, and
// requires the AVX2 kernel to match its twin bit for bit.
func TestColSum(t *testing.T) {
	r := rand.New(rand.NewPCG(23, 24))
	impls := colSumImpls()
	const g = -7777
	for n := 0; n <= 100; n++ {
		for _, rows := range []int{0, 1, 2, 3, 4, 5, 7, 8, 9, 33, 257} {
			if rows > 9 && n%7 != 0 {
				continue
			}
			ld := n + n%5
			x := make([]float32, rows*ld+3)
			for i := range x {
				if ld == 0 || i%ld < n {
					x[i] = float32(r.NormFloat64()) * float32(math.Ldexp(1, r.IntN(20)-10))
				} else {
					x[i] = float32(math.NaN()) // in the gaps: must not be read
				}
			}
			init := make([]float64, n)
			for j := range init {
				init[j] = float64(j) - 0.5
			}
			results := map[string][]float64{}
			for name, f := range impls {
				acc := append(append([]float64(nil), init...), g, g)
				f(acc[:n], x, rows, ld)
				if acc[n] != g || acc[n+1] != g {
					t.Fatalf("%s(n=%d, rows=%d): wrote past acc", name, n, rows)
				}
				for j := range n {
					want := init[j]
					var abs float64
					for k := range rows {
						v := float64(x[k*ld+j])
						want += v
						abs += math.Abs(v)
					}
					if e := math.Abs(acc[j] - want); e > 1e-15*(abs+math.Abs(init[j])) {
						t.Errorf("%s(n=%d, rows=%d, ld=%d)[%d] = %v; want %v", name, n, rows, ld, j, acc[j], want)
					}
				}
				results[name] = acc[:n]
			}
			if a, ok := results["avx2"]; ok {
				for j, w := range results["generic"] {
					if a[j] != w {
						t.Errorf("avx2(n=%d, rows=%d, ld=%d)[%d] = %v; generic gives %v", n, rows, ld, j, a[j], w)
					}
				}
			}
		}
	}
}

func binImpls() []string {
	if HasAVX2 {
		return []string{"generic", "avx2"}
	}
	return []string{"generic"}
}

func BenchmarkBin(b *testing.B) {
	const n = 768 * 128 // one [B·T, C] activation of the GPT benchmark
	r := rand.New(rand.NewPCG(25, 26))
	x, y, z := binInput(r, n), binInput(r, n), make([]float32, n)
	for i := range y {
		y[i] = 1 + float32(i%7)
	}
	for _, k := range binKernels() {
		for _, impl := range binImpls() {
			f := k.generic
			if impl == "avx2" {
				f = k.avx2
			}
			b.Run(fmt.Sprintf("op=%s/impl=%s", k.name, impl), func(b *testing.B) {
				b.SetBytes(3 * 4 * n)
				for b.Loop() {
					f(z, x, y, 0.5)
				}
			})
		}
	}
	for _, impl := range binImpls() {
		f := colSumImpls()[impl]
		const rows, cols = 768, 128
		acc := make([]float64, cols)
		b.Run(fmt.Sprintf("op=colsum/impl=%s", impl), func(b *testing.B) {
			b.SetBytes(4 * rows * cols)
			for b.Loop() {
				f(acc, x, rows, cols)
			}
		})
	}
}
