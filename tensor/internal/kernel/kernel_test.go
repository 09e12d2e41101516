package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

type kernelFunc func(kc int, a, b, c []float32, ldc int, alpha, beta float32)

// kernels lists every micro-kernel this build and CPU can run.
func kernels() map[string]kernelFunc {
	ks := map[string]kernelFunc{"generic": GemmGeneric}
	if HasAVX2 {
		ks["avx2"] = GemmAVX2
	}
	return ks
}

const guard = float32(-7777)

// naiveTile is the contract of the package comment written as plainly as
// possible, in float64.
func naiveTile(kc int, a, b, c []float32, ldc int, alpha, beta float32) {
	for i := range MR {
		for j := range NR {
			var s float64
			for p := range kc {
				s += float64(a[p*MR+i]) * float64(b[p*NR+j])
			}
			v := float64(alpha) * s
			if beta != 0 {
				v += float64(beta) * float64(c[i*ldc+j])
			}
			c[i*ldc+j] = float32(v)
		}
	}
}

func randSlice(r *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(r.NormFloat64())
	}
	return s
}

// TestKernels runs every kernel against the naive tile on kc = 0..100, at
// odd offsets, with guard values around and between the rows of C.
func TestKernels(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for name, kern := range kernels() {
		for kc := 0; kc <= 100; kc++ {
			for _, ab := range [][2]float32{{1, 0}, {1, 1}, {-0.5, 2}, {0, 0.25}} {
				off := kc % 8
				ldc := NR + 1 + kc%5
				alpha, beta := ab[0], ab[1]
				a := randSlice(r, off+kc*MR)[off:]
				b := randSlice(r, off+kc*NR)[off:]
				c0 := randSlice(r, off+MR*ldc+8)
				for i := range c0 {
					if i < off || i >= off+(MR-1)*ldc+NR || (i-off)%ldc >= NR {
						c0[i] = guard
					}
				}
				got := append([]float32(nil), c0...)
				want := append([]float32(nil), c0...)
				kern(kc, a, b, got[off:], ldc, alpha, beta)
				naiveTile(kc, a, b, want[off:], ldc, alpha, beta)
				for i := range got {
					tol := 1e-5 * (1 + float64(kc))
					if d := math.Abs(float64(got[i] - want[i])); d > tol || (want[i] == guard) != (got[i] == guard) {
						t.Fatalf("%s(kc=%d, alpha=%v, beta=%v, off=%d, ldc=%d): c[%d] = %v; want %v", name, kc, alpha, beta, off, ldc, i-off, got[i], want[i])
					}
				}
			}
		}
	}
}

// TestKernelsBetaZeroIgnoresC checks that NaNs in C do not leak when beta is 0.
func TestKernelsBetaZeroIgnoresC(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for name, kern := range kernels() {
		kc := 9
		a, b := randSlice(r, kc*MR), randSlice(r, kc*NR)
		c := make([]float32, MR*NR)
		for i := range c {
			c[i] = float32(math.NaN())
		}
		kern(kc, a, b, c, NR, 1, 0)
		for i, v := range c {
			if v != v {
				t.Fatalf("%s: c[%d] is NaN with beta = 0", name, i)
			}
		}
	}
}

// TestAVX2MatchesGeneric compares the assembly with its twin bit for bit on
// integer-valued inputs, where float32 sums are exact in any order.
func TestAVX2MatchesGeneric(t *testing.T) {
	if !HasAVX2 {
		t.Skip("no AVX2+FMA kernel on this machine or build")
	}
	r := rand.New(rand.NewPCG(5, 6))
	for kc := 0; kc <= 64; kc++ {
		a, b := make([]float32, kc*MR), make([]float32, kc*NR)
		for i := range a {
			a[i] = float32(r.IntN(9) - 4)
		}
		for i := range b {
			b[i] = float32(r.IntN(9) - 4)
		}
		g, v := make([]float32, MR*NR), make([]float32, MR*NR)
		GemmGeneric(kc, a, b, g, NR, 2, 0)
		GemmAVX2(kc, a, b, v, NR, 2, 0)
		for i := range g {
			if g[i] != v[i] {
				t.Fatalf("kc=%d: avx2 c[%d] = %v; generic %v", kc, i, v[i], g[i])
			}
		}
	}
}

func BenchmarkKernel(b *testing.B) {
	for name, kern := range kernels() {
		for _, kc := range []int{64, 256, 512} {
			b.Run(fmt.Sprintf("impl=%s/kc=%d", name, kc), func(b *testing.B) {
				r := rand.New(rand.NewPCG(7, 8))
				pa, pb := randSlice(r, kc*MR), randSlice(r, kc*NR)
				c := make([]float32, MR*NR)
				for b.Loop() {
					kern(kc, pa, pb, c, NR, 1, 1)
				}
				b.ReportMetric(float64(2*MR*NR*kc)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}
