package tensor

import (
	"fmt"
	"sync"
	"sync/atomic"
)

// Block sizes of the packed GEMM, in elements. KC×NR floats of B stay in L1
// while a kernel sweeps an MC×KC block of A held in L2; a KC×NC panel of B
// lives in L3. The values come from BenchmarkGemmBlocking (gemm_calibrate_test.go).
var (
	gemmMC = 144
	gemmKC = 384
	gemmNC = 4080
)

// Work thresholds, in multiply-adds (m·n·k), from BenchmarkGemmThresholds:
// below gemmDirectMax a product runs as plain loops (no packing); below
// gemmParallelMin it runs on the calling goroutine only.
var (
	gemmDirectMax   = 64
	gemmParallelMin = 1 << 18
)

// Gemm computes C = alpha·op(A)·op(B) + beta·C on row-major float32 slices,
// where op(X) is X or Xᵀ as transA and transB say. op(A) is [m, k], op(B) is
// [k, n] and C is [m, n]; lda, ldb and ldc are the row strides of A, B and C
// as stored (A is [m, lda] when transA is false and [k, lda] when it is true).
// When beta is 0, C is not read, so it may hold NaNs. C must not overlap A or B.
// Gemm runs on up to MaxThreads cores and, in steady state, allocates nothing.
// It panics with a *ShapeError if a slice is too short for its shape and stride.
func Gemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	checkGemm("Gemm", transA, transB, m, n, k, a, lda, b, ldb, c, ldc)
	gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, MaxThreads())
}

// gemm is Gemm after the checks, on at most threads cores.
func gemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int, threads int) {
	if m == 0 || n == 0 {
		return
	}
	if k == 0 || alpha == 0 {
		scaleMatrix(c, m, n, ldc, beta)
		return
	}
	work := m * n * k
	if work <= gemmDirectMax {
		gemmDirect(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	if work < gemmParallelMin {
		threads = 1
	}
	g := getGemmCtx()
	g.transA, g.transB = transA, transB
	g.m, g.n, g.k = m, n, k
	g.alpha, g.beta = alpha, beta
	g.a, g.lda, g.b, g.ldb, g.c, g.ldc = a, lda, b, ldb, c, ldc
	g.impl = gemmCurrent
	g.threads = max(1, min(threads, (m+mr-1)/mr*((n+nr-1)/nr)))
	g.blocked()
	g.a, g.b, g.c = nil, nil, nil
	putGemmCtx(g)
}

// gemmCtx is the state of one blocked GEMM: the problem, the current block,
// and buffers reused from call to call.
type gemmCtx struct {
	transA, transB bool
	m, n, k        int
	alpha, beta    float32
	a, b, c        []float32
	lda, ldb, ldc  int
	impl           gemmImplementation
	threads        int

	// the block being computed: columns [jc, jc+nc) of C, steps [pc, pc+kc)
	// of k, with betaNow = beta for the first k block and 1 after it.
	jc, nc, pc, kc int
	betaNow        float32
	packing        bool // which phase run(part) does: pack B or compute

	bp      []float32   // packed KC×NC panel of B, shared by all parts
	ap      [][]float32 // per part: packed MC×KC block of A
	edges   [][]float32 // per part: an MR×NR tile for partial tiles
	pending atomic.Int32
}

var gemmCtxs struct {
	mu   sync.Mutex
	free []*gemmCtx
}

// getGemmCtx returns a context from the free list (never dropped by the GC,
// unlike sync.Pool, so steady-state calls allocate nothing).
func getGemmCtx() *gemmCtx {
	gemmCtxs.mu.Lock()
	defer gemmCtxs.mu.Unlock()
	if n := len(gemmCtxs.free); n > 0 {
		g := gemmCtxs.free[n-1]
		gemmCtxs.free = gemmCtxs.free[:n-1]
		return g
	}
	return new(gemmCtx)
}

func putGemmCtx(g *gemmCtx) {
	gemmCtxs.mu.Lock()
	gemmCtxs.free = append(gemmCtxs.free, g)
	gemmCtxs.mu.Unlock()
}

// blocked runs the five loops of GotoBLAS around the micro-kernel: over NC
// columns of C, over KC steps of k (packing B once per step, shared by all
// parts), then each part over its share of C (packing its own blocks of A).
func (g *gemmCtx) blocked() {
	// Split k into equal blocks of at most KC (rounded to 8 for the packers'
	// transposes): with KC = 384, k = 400 runs as 200 + 200, not 384 + 16.
	kcStep := g.k
	if blocks := (g.k + gemmKC - 1) / gemmKC; blocks > 1 {
		kcStep = min(gemmKC, roundUp((g.k+blocks-1)/blocks, 8))
	}
	ncMax := min(g.n, gemmNC)
	mcMax := roundUp(min(g.m, gemmMC), mr)
	g.bp = grow(g.bp, kcStep*roundUp(ncMax, nr))
	for len(g.ap) < g.threads {
		g.ap = append(g.ap, nil)
		g.edges = append(g.edges, make([]float32, mr*nr))
	}
	for t := range g.threads {
		g.ap[t] = grow(g.ap[t], mcMax*kcStep)
	}
	for jc := 0; jc < g.n; jc += gemmNC {
		g.jc, g.nc = jc, min(gemmNC, g.n-jc)
		for pc := 0; pc < g.k; pc += kcStep {
			g.pc, g.kc = pc, min(kcStep, g.k-pc)
			g.betaNow = g.beta
			if pc > 0 {
				g.betaNow = 1
			}
			g.packing = true
			workers.parallel(g, g.threads, &g.pending)
			g.packing = false
			workers.parallel(g, g.threads, &g.pending)
		}
	}
}

// run does part t of the current phase.
func (g *gemmCtx) run(t int) {
	panels := (g.nc + nr - 1) / nr
	if g.packing {
		q0, q1 := share(panels, g.threads, t)
		packB(g.impl.packB, g.bp, g.transB, g.b, g.ldb, g.pc, g.jc, g.kc, g.nc, q0, q1)
		return
	}
	// Split C by rows when every part gets a few micro-rows; otherwise by
	// panels of B, and every part packs the (short) A itself.
	microRows := (g.m + mr - 1) / mr
	i0, i1, q0, q1 := 0, g.m, 0, panels
	if microRows >= 4*g.threads || microRows >= panels {
		r0, r1 := share(microRows, g.threads, t)
		i0, i1 = r0*mr, min(r1*mr, g.m)
	} else {
		q0, q1 = share(panels, g.threads, t)
	}
	ap, edge := g.ap[t], g.edges[t]
	for ic := i0; ic < i1; ic += gemmMC {
		mc := min(gemmMC, i1-ic)
		packA(g.impl.packA, ap, g.transA, g.a, g.lda, ic, g.pc, mc, g.kc)
		for q := q0; q < q1; q++ {
			jr := q * nr
			cols := min(nr, g.nc-jr)
			bq := g.bp[jr*g.kc:]
			for ir := 0; ir < mc; ir += mr {
				rows := min(mr, mc-ir)
				c := g.c[(ic+ir)*g.ldc+g.jc+jr:]
				if rows == mr && cols == nr {
					g.impl.kernel(g.kc, ap[ir*g.kc:], bq, c, g.ldc, g.alpha, g.betaNow)
					continue
				}
				g.impl.kernel(g.kc, ap[ir*g.kc:], bq, edge, nr, g.alpha, 0)
				mergeTile(c, g.ldc, edge, rows, cols, g.betaNow)
			}
		}
	}
}

// mergeTile stores the top-left rows×cols of an MR×NR tile into C:
// c = tile + beta·c, not reading c when beta is 0.
func mergeTile(c []float32, ldc int, tile []float32, rows, cols int, beta float32) {
	for i := range rows {
		dst := c[i*ldc : i*ldc+cols]
		src := tile[i*nr : i*nr+cols]
		if beta == 0 {
			copy(dst, src)
			continue
		}
		for j, v := range src {
			dst[j] = v + beta*dst[j]
		}
	}
}

// gemmDirect is the small-product path: plain loops, no packing, no workers.
func gemmDirect(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	scaleMatrix(c, m, n, ldc, beta)
	for i := range m {
		crow := c[i*ldc : i*ldc+n]
		for p := range k {
			av := alpha
			if transA {
				av *= a[p*lda+i]
			} else {
				av *= a[i*lda+p]
			}
			if !transB {
				for j, bv := range b[p*ldb : p*ldb+n] {
					crow[j] += av * bv
				}
				continue
			}
			for j := range crow {
				crow[j] += av * b[j*ldb+p]
			}
		}
	}
}

// scaleMatrix sets the [m, n] matrix c (row stride ldc) to beta·c, writing
// zeros without reading c when beta is 0.
func scaleMatrix(c []float32, m, n, ldc int, beta float32) {
	if beta == 1 {
		return
	}
	for i := range m {
		row := c[i*ldc : i*ldc+n]
		if beta == 0 {
			clear(row)
			continue
		}
		for j := range row {
			row[j] *= beta
		}
	}
}

// share splits n items into parts nearly equal shares and returns part t's
// half-open range.
func share(n, parts, t int) (lo, hi int) {
	q, r := n/parts, n%parts
	lo = t*q + min(t, r)
	hi = lo + q
	if t < r {
		hi++
	}
	return lo, hi
}

func roundUp(x, m int) int { return (x + m - 1) / m * m }

// grow returns s resized to n, reusing its storage when it is large enough.
func grow(s []float32, n int) []float32 {
	if cap(s) >= n {
		return s[:n]
	}
	return make([]float32, n)
}

// checkGemm panics unless the dimensions, strides and slice lengths of a GEMM
// call are consistent.
func checkGemm(op string, transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	if m < 0 || n < 0 || k < 0 {
		panic(&ShapeError{Op: op, Msg: fmt.Sprintf("negative size m=%d n=%d k=%d", m, n, k)})
	}
	ar, ac := m, k
	if transA {
		ar, ac = k, m
	}
	br, bc := k, n
	if transB {
		br, bc = n, k
	}
	checkMatrix(op, "A", a, ar, ac, lda)
	checkMatrix(op, "B", b, br, bc, ldb)
	checkMatrix(op, "C", c, m, n, ldc)
}

func checkMatrix(op, name string, s []float32, rows, cols, ld int) {
	if ld < max(cols, 1) {
		panic(&ShapeError{Op: op, Msg: fmt.Sprintf("%s: stride %d < %d columns", name, ld, cols)})
	}
	if rows == 0 || cols == 0 {
		return
	}
	if need := (rows-1)*ld + cols; len(s) < need {
		panic(&ShapeError{Op: op, Msg: fmt.Sprintf("%s: %d values < %d needed for [%d, %d] with stride %d", name, len(s), need, rows, cols, ld)})
	}
}
