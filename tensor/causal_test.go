package tensor

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestGemmCausal runs every triangle, transpose and implementation on
// square sizes 0..40 and a few larger ones (some past gemmMC, one past
// gemmKC) against the naive loop on the zeroed triangle, with a stride pad,
// an offset and guard values.
func TestGemmCausal(t *testing.T) {
	sizes := []int{50, 64, 97, 128, 150, 400}
	for s := range 41 {
		sizes = append(sizes, s)
	}
	for _, impl := range GemmImpls() {
		for _, tri := range []Triangle{LowerC, LowerA, UpperA} {
			for _, tr := range allTrans {
				t.Run(fmt.Sprintf("impl=%s/tri=%d/%s", impl, tri, transName(tr[0], tr[1])), func(t *testing.T) {
					gemmConfig{impl, 1, gemmMC, gemmKC, gemmNC, gemmDirectMax, gemmParallelMin}.use(t)
					r := rand.New(rand.NewPCG(uint64(tri), 7))
					for _, s := range sizes {
						for _, other := range []int{1, 5, 32} {
							checkCausal(t, r, tri, tr[0], tr[1], s, other)
						}
					}
				})
			}
		}
	}
}

// checkCausal runs one GemmCausal case: the square side is s and the other
// dimension (k for LowerC, n otherwise) is other.
func checkCausal(t *testing.T, r *rand.Rand, tri Triangle, transA, transB bool, s, other int) {
	t.Helper()
	m, n, k := s, other, s
	if tri == LowerC {
		n, k = s, other
	}
	const pad, off = 3, 2
	ar, acol := m, k
	if transA {
		ar, acol = k, m
	}
	br, bcol := k, n
	if transB {
		br, bcol = n, k
	}
	lda, ldb, ldc := acol+pad, bcol+pad, n+pad
	a, b := randFloats(r, off+ar*lda), randFloats(r, off+br*ldb)
	// Zero op(A)'s other triangle.
	if tri != LowerC {
		for i := range m {
			for p := range k {
				if (tri == LowerA && p > i) || (tri == UpperA && p < i) {
					if transA {
						a[off+p*lda+i] = 0
					} else {
						a[off+i*lda+p] = 0
					}
				}
			}
		}
	}
	c0 := make([]float32, off+m*ldc+3)
	for i := range c0 {
		c0[i] = gemmGuard
		if j := i - off; j >= 0 && j < m*ldc && j%ldc < n {
			c0[i] = float32(r.NormFloat64())
		}
	}
	for _, beta := range []float32{0, 1, 0.5} {
		got, want := append([]float32(nil), c0...), append([]float32(nil), c0...)
		GemmCausal(tri, transA, transB, m, n, k, 0.7, a[off:], lda, b[off:], ldb, beta, got[off:], ldc)
		naiveGemm(transA, transB, m, n, k, 0.7, a[off:], lda, b[off:], ldb, beta, want[off:], ldc)
		tol := 1e-5 * float64(k+1)
		for i := range got {
			j := i - off
			if tri == LowerC && j >= 0 && j < m*ldc && j%ldc < n && j%ldc > j/ldc {
				continue // above the diagonal: unspecified
			}
			if (want[i] == gemmGuard) != (got[i] == gemmGuard) || math.Abs(float64(got[i]-want[i])) > tol*(1+math.Abs(float64(want[i]))) {
				t.Fatalf("GemmCausal(%d, %s, m=%d n=%d k=%d beta=%v): c[%d] = %v; want %v", tri, transName(transA, transB), m, n, k, beta, j, got[i], want[i])
			}
		}
	}
}

func TestGemmCausalPanics(t *testing.T) {
	a := make([]float32, 64)
	for _, c := range []struct {
		tri     Triangle
		m, n, k int
	}{{LowerC, 4, 3, 2}, {LowerA, 4, 2, 3}, {UpperA, 3, 2, 4}, {Triangle(7), 2, 2, 2}} {
		func() {
			defer func() {
				if _, ok := recover().(*ShapeError); !ok {
					t.Errorf("GemmCausal(%d, m=%d n=%d k=%d) did not panic with a *ShapeError", c.tri, c.m, c.n, c.k)
				}
			}()
			GemmCausal(c.tri, false, false, c.m, c.n, c.k, 1, a, c.k, a, c.n, 0, a, c.n)
		}()
	}
}

func TestGemmCausalAllocatesNothing(t *testing.T) {
	a, b, c := make([]float32, 64*32), make([]float32, 64*32), make([]float32, 64*64)
	GemmCausal(LowerC, false, true, 64, 64, 32, 1, a, 32, b, 32, 0, c, 64)
	if n := testing.AllocsPerRun(20, func() {
		GemmCausal(LowerC, false, true, 64, 64, 32, 1, a, 32, b, 32, 0, c, 64)
		GemmCausal(UpperA, true, false, 64, 32, 64, 1, c, 64, a, 32, 1, b, 32)
	}); n != 0 {
		t.Errorf("GemmCausal allocates %v times per call; want 0", n)
	}
}

func TestExpShiftSum(t *testing.T) {
	for n := range 20 {
		src := make([]float32, n)
		for i := range src {
			src[i] = float32(i) - 3
		}
		dst := make([]float32, n+1)
		dst[n] = gemmGuard
		got := ExpShiftSum(dst, src, 2)
		var want float64
		for i, x := range src {
			e := math.Exp(float64(x) - 2)
			want += e
			if math.Abs(float64(dst[i])-e) > 1e-6*e {
				t.Fatalf("ExpShiftSum n=%d: dst[%d] = %v; want %v", n, i, dst[i], e)
			}
		}
		if math.Abs(got-want) > 1e-6*want || dst[n] != gemmGuard {
			t.Fatalf("ExpShiftSum n=%d = %v (guard %v); want %v", n, got, dst[n], want)
		}
	}
}
