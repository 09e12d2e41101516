package tensor

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// naiveGemm is the definition of Gemm as a triple loop in float64.
func naiveGemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	for i := range m {
		for j := range n {
			var s float64
			for p := range k {
				var av, bv float32
				if transA {
					av = a[p*lda+i]
				} else {
					av = a[i*lda+p]
				}
				if transB {
					bv = b[j*ldb+p]
				} else {
					bv = b[p*ldb+j]
				}
				s += float64(av) * float64(bv)
			}
			v := float64(alpha) * s
			if beta != 0 {
				v += float64(beta) * float64(c[i*ldc+j])
			}
			c[i*ldc+j] = float32(v)
		}
	}
}

// gemmConfig is one way of running Gemm: a micro-kernel, a thread count,
// and the block sizes and thresholds, small ones to push little matrices
// through every loop of the blocked path.
type gemmConfig struct {
	impl                   string
	threads                int
	mc, kc, nc             int
	directMax, parallelMin int
}

func (g gemmConfig) String() string {
	return fmt.Sprintf("impl=%s/threads=%d/mc=%d/kc=%d/nc=%d/direct=%d", g.impl, g.threads, g.mc, g.kc, g.nc, g.directMax)
}

func gemmConfigs() []gemmConfig {
	var cs []gemmConfig
	for _, impl := range GemmImpls() {
		for _, threads := range []int{1, 2, 3} {
			cs = append(cs,
				gemmConfig{impl, threads, gemmMC, gemmKC, gemmNC, gemmDirectMax, gemmParallelMin}, // as shipped
				gemmConfig{impl, threads, 12, 8, 32, 0, 0},                                        // tiny blocks, always packed and parallel
				gemmConfig{impl, threads, 18, 5, 48, 0, 0},
			)
		}
	}
	return cs
}

// use installs g for the rest of the test.
func (g gemmConfig) use(t testing.TB) {
	prevImpl, err := SetGemmImpl(g.impl)
	if err != nil {
		t.Fatal(err)
	}
	prevThreads := SetMaxThreads(g.threads)
	mc, kc, nc, dm, pm := gemmMC, gemmKC, gemmNC, gemmDirectMax, gemmParallelMin
	gemmMC, gemmKC, gemmNC, gemmDirectMax, gemmParallelMin = g.mc, g.kc, g.nc, g.directMax, g.parallelMin
	t.Cleanup(func() {
		SetGemmImpl(prevImpl)
		SetMaxThreads(prevThreads)
		gemmMC, gemmKC, gemmNC, gemmDirectMax, gemmParallelMin = mc, kc, nc, dm, pm
	})
}

type gemmCase struct {
	transA, transB bool
	m, n, k        int
	alpha, beta    float32
	pad, off       int // extra columns in each stride, offset of each matrix
}

func (c gemmCase) String() string {
	return fmt.Sprintf("%s m=%d n=%d k=%d alpha=%v beta=%v pad=%d off=%d", transName(c.transA, c.transB), c.m, c.n, c.k, c.alpha, c.beta, c.pad, c.off)
}

func transName(ta, tb bool) string {
	s := [2]byte{'N', 'N'}
	if ta {
		s[0] = 'T'
	}
	if tb {
		s[1] = 'T'
	}
	return string(s[:])
}

const gemmGuard = float32(-12345)

// check runs one case through Gemm and the naive loop and compares every
// value of C, including the guard values around and between its rows.
func (gc gemmCase) check(t *testing.T, r *rand.Rand) {
	t.Helper()
	ar, acol := gc.m, gc.k
	if gc.transA {
		ar, acol = gc.k, gc.m
	}
	br, bcol := gc.k, gc.n
	if gc.transB {
		br, bcol = gc.n, gc.k
	}
	lda, ldb, ldc := max(acol, 1)+gc.pad, max(bcol, 1)+gc.pad, max(gc.n, 1)+gc.pad
	a := randFloats(r, gc.off+ar*lda)
	b := randFloats(r, gc.off+br*ldb)
	c0 := make([]float32, gc.off+gc.m*ldc+3)
	for i := range c0 {
		c0[i] = gemmGuard
		if j := i - gc.off; j >= 0 && j < gc.m*ldc && j%ldc < gc.n {
			c0[i] = float32(r.NormFloat64())
		}
	}
	got := append([]float32(nil), c0...)
	want := append([]float32(nil), c0...)
	Gemm(gc.transA, gc.transB, gc.m, gc.n, gc.k, gc.alpha, a[gc.off:], lda, b[gc.off:], ldb, gc.beta, got[gc.off:], ldc)
	naiveGemm(gc.transA, gc.transB, gc.m, gc.n, gc.k, gc.alpha, a[gc.off:], lda, b[gc.off:], ldb, gc.beta, want[gc.off:], ldc)
	tol := 1e-5 * float64(gc.k+1)
	for i := range got {
		if (want[i] == gemmGuard) != (got[i] == gemmGuard) || math.Abs(float64(got[i]-want[i])) > tol*(1+math.Abs(float64(want[i]))) {
			t.Fatalf("Gemm(%v): c[%d] = %v; want %v", gc, i-gc.off, got[i], want[i])
		}
	}
}

func randFloats(r *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(r.NormFloat64())
	}
	return s
}

var allTrans = [][2]bool{{false, false}, {false, true}, {true, false}, {true, true}}

// TestGemmSmallSizes runs every transpose combination on every size 0..33
// (square, and skewed so m, n and k differ), with odd strides and offsets.
func TestGemmSmallSizes(t *testing.T) {
	for _, cfg := range gemmConfigs() {
		t.Run(cfg.String(), func(t *testing.T) {
			cfg.use(t)
			r := rand.New(rand.NewPCG(11, 12))
			for s := 0; s <= 33; s++ {
				for _, tr := range allTrans {
					for _, dims := range [][3]int{{s, s, s}, {s, 33 - s, (s*7)%34 + 1}, {(s * 5) % 34, s, 33 - s}} {
						alpha, beta := float32(1), float32(0)
						if s%3 == 1 {
							alpha, beta = 0.75, -1.5
						}
						gc := gemmCase{tr[0], tr[1], dims[0], dims[1], dims[2], alpha, beta, s % 3, s % 8}
						gc.check(t, r)
					}
				}
			}
		})
	}
}

// TestGemmLarge runs sizes that cross every block boundary as shipped,
// including tall-skinny products and primes.
func TestGemmLarge(t *testing.T) {
	sizes := [][3]int{{257, 263, 271}, {768, 384, 128}, {1, 517, 300}, {300, 1, 517}, {97, 4100, 19}}
	if testing.Short() {
		sizes = sizes[:2]
	}
	for _, impl := range GemmImpls() {
		for _, threads := range []int{1, 2} {
			cfg := gemmConfig{impl, threads, gemmMC, gemmKC, gemmNC, gemmDirectMax, gemmParallelMin}
			t.Run(cfg.String(), func(t *testing.T) {
				cfg.use(t)
				r := rand.New(rand.NewPCG(13, 14))
				for i, d := range sizes {
					tr := allTrans[i%4]
					gemmCase{tr[0], tr[1], d[0], d[1], d[2], 1.25, 0.5, 1, 3}.check(t, r)
				}
			})
		}
	}
}

// TestGemmAccumulates checks that C accumulates in place: two calls with
// beta = 1 add up to one call over the concatenated k.
func TestGemmAccumulates(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 16))
	const m, n, k = 37, 41, 300
	a, b := randFloats(r, m*k), randFloats(r, k*n)
	want := make([]float32, m*n)
	naiveGemm(false, false, m, n, k, 1, a, k, b, n, 0, want, n)
	got := make([]float32, m*n)
	Gemm(false, false, m, n, 100, 1, a, k, b, n, 0, got, n)
	Gemm(false, false, m, n, 200, 1, a[100:], k, b[100*n:], n, 1, got, n)
	for i := range got {
		if math.Abs(float64(got[i]-want[i])) > 1e-3 {
			t.Fatalf("accumulated c[%d] = %v; want %v", i, got[i], want[i])
		}
	}
}

func TestGemmBetaZeroIgnoresNaN(t *testing.T) {
	for _, cfg := range gemmConfigs() {
		cfg.use(t)
		c := make([]float32, 20*20)
		for i := range c {
			c[i] = float32(math.NaN())
		}
		a, b := make([]float32, 20*20), make([]float32, 20*20)
		Gemm(false, false, 20, 20, 20, 1, a, 20, b, 20, 0, c, 20)
		for i, v := range c {
			if v != 0 {
				t.Fatalf("%v: c[%d] = %v; want 0", cfg, i, v)
			}
		}
	}
}

func TestGemmPanicsOnShortSlices(t *testing.T) {
	defer func() {
		if _, ok := recover().(*ShapeError); !ok {
			t.Fatal("Gemm with a short A did not panic with a *ShapeError")
		}
	}()
	Gemm(false, false, 4, 4, 4, 1, make([]float32, 15), 4, make([]float32, 16), 4, 0, make([]float32, 16), 4)
}

func TestGemmAllocatesNothing(t *testing.T) {
	for _, n := range []int{8, 64, 256} {
		r := rand.New(rand.NewPCG(17, 18))
		a, b, c := randFloats(r, n*n), randFloats(r, n*n), make([]float32, n*n)
		Gemm(false, true, n, n, n, 1, a, n, b, n, 0, c, n)
		if allocs := testing.AllocsPerRun(20, func() {
			Gemm(false, true, n, n, n, 1, a, n, b, n, 0, c, n)
		}); allocs != 0 {
			t.Errorf("Gemm n=%d allocates %v times per call; want 0", n, allocs)
		}
	}
}

// TestParallelForNested runs GEMMs big enough to go parallel inside
// ParallelFor: the waiting goroutines must help, not deadlock.
func TestParallelForNested(t *testing.T) {
	prev := SetMaxThreads(2)
	defer SetMaxThreads(prev)
	const n = 96
	r := rand.New(rand.NewPCG(31, 32))
	a, b := randFloats(r, 4*n*n), randFloats(r, n*n)
	got := make([]float32, 4*n*n)
	ParallelFor(4, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			Gemm(false, false, n, n, n, 1, a[i*n*n:], n, b, n, 0, got[i*n*n:], n)
		}
	})
	want := make([]float32, 4*n*n)
	naiveGemm(false, false, 4*n, n, n, 1, a, n, b, n, 0, want, n)
	for i := range got {
		if math.Abs(float64(got[i]-want[i])) > 1e-3 {
			t.Fatalf("c[%d] = %v; want %v", i, got[i], want[i])
		}
	}
}

// TestParallelForAllocatesNothing: with a body that is not a fresh closure,
// ParallelFor reuses its job.
func TestParallelForAllocatesNothing(t *testing.T) {
	prev := SetMaxThreads(2)
	defer SetMaxThreads(prev)
	var sink [8]int
	body := func(lo, hi int) { sink[lo] += hi - lo } // each chunk writes its own slot
	ParallelFor(8, body)
	if n := testing.AllocsPerRun(50, func() { ParallelFor(8, body) }); n != 0 {
		t.Errorf("ParallelFor allocates %v times per call; want 0", n)
	}
}
