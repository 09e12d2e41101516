package tensor

import "fmt"

// Triangle names the causal structure GemmCausal may exploit.
type Triangle int

const (
	// LowerC: only C's entries on or below its diagonal (column ≤ row) are
	// wanted; afterwards the entries above it are unspecified (some are
	// computed, some left as they were). C is square: m = n.
	LowerC Triangle = iota
	// LowerA: op(A) is lower triangular, zero above its diagonal; those
	// entries may or may not be read. op(A) is square: m = k.
	LowerA
	// UpperA: op(A) is upper triangular, zero below its diagonal; those
	// entries may or may not be read. op(A) is square: m = k.
	UpperA
)

// GemmCausal is Gemm for the products of causal attention on one tile,
// where a triangle of C is not wanted or a triangle of op(A) is zero: it
// skips the micro-tiles of C wholly above the diagonal (LowerC) or the
// steps of k that meet only zeros of op(A) (LowerA, UpperA), about halving
// the work. It runs on the calling goroutine only, and, in steady state,
// allocates nothing. It panics with a *ShapeError as Gemm does, or if the
// triangle's matrix is not square.
func GemmCausal(tri Triangle, transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	checkGemm("GemmCausal", transA, transB, m, n, k, a, lda, b, ldb, c, ldc)
	switch {
	case tri == LowerC && m != n, (tri == LowerA || tri == UpperA) && m != k:
		panic(&ShapeError{Op: "GemmCausal", Msg: fmt.Sprintf("triangle %d of a non-square matrix: m=%d n=%d k=%d", tri, m, n, k)})
	case tri < LowerC || tri > UpperA:
		panic(&ShapeError{Op: "GemmCausal", Msg: fmt.Sprintf("unknown triangle %d", tri)})
	}
	if m == 0 || n == 0 {
		return
	}
	// The full product is right for every triangle: use it where the
	// blocking below does not apply.
	if k == 0 || alpha == 0 || k > gemmKC || n > gemmNC || m*n*k <= gemmDirectMax {
		gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, 1)
		return
	}
	g := getGemmCtx()
	impl := gemmCurrent
	panels := (n + nr - 1) / nr
	g.bp = grow(g.bp, k*panels*nr)
	if len(g.ap) == 0 {
		g.ap = append(g.ap, nil)
		g.edges = append(g.edges, make([]float32, mr*nr))
	}
	g.ap[0] = grow(g.ap[0], roundUp(min(m, gemmMC), mr)*k)
	bp, ap, edge := g.bp, g.ap[0], g.edges[0]
	packB(impl.packB, bp, transB, b, ldb, 0, 0, k, n, 0, panels)
	for ic := 0; ic < m; ic += gemmMC {
		mc := min(gemmMC, m-ic)
		packA(impl.packA, ap, transA, a, lda, ic, 0, mc, k)
		for ir := 0; ir < mc; ir += mr {
			rows := min(mr, mc-ir)
			i := ic + ir // C's first row in this micro-row
			p0, p1, q1 := 0, k, panels
			switch tri {
			case LowerC: // columns ≤ the last row
				q1 = min(panels, (i+rows-1)/nr+1)
			case LowerA: // steps ≤ the last row
				p1 = min(k, i+rows)
			case UpperA: // steps ≥ the first row
				p0 = i
			}
			as := ap[ir*k+p0*mr:]
			for q := range q1 {
				jr := q * nr
				cols := min(nr, n-jr)
				bs := bp[jr*k+p0*nr:]
				ct := c[i*ldc+jr:]
				if rows == mr && cols == nr {
					impl.kernel(p1-p0, as, bs, ct, ldc, alpha, beta)
					continue
				}
				impl.kernel(p1-p0, as, bs, edge, nr, alpha, 0)
				mergeTile(ct, ldc, edge, rows, cols, beta)
			}
		}
	}
	putGemmCtx(g)
}

// ExpShiftSum sets dst[i] = e^(src[i]−shift) for every i < len(src) and
// returns their sum in float64: the inner loop of a softmax. The difference
// keeps full accuracy for any shift. dst may be src; it panics if dst is
// shorter than src.
func ExpShiftSum(dst, src []float32, shift float32) float64 {
	if len(dst) < len(src) {
		panic(&ShapeError{Op: "ExpShiftSum", Msg: fmt.Sprintf("dst has %d values < %d", len(dst), len(src))})
	}
	if len(src) == 0 {
		return 0
	}
	return vecExpShiftSum(dst, src, shift)
}
