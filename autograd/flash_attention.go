package autograd

import (
	"fmt"
	"math"

	"github.com/tapegrad/tapegrad/tensor"
)

// Query and key block sizes of the flash attention, in rows. A worker's
// scratch is one or two flashBr×flashBc tiles (16 KiB each at 64×64, in L1/L2
// beside the Br×D blocks of q and o); larger tiles make each GEMM less
// dominated by packing, smaller ones skip more of the masked triangle. The
// values come from BenchmarkFlashTiles (flash_attention_test.go): on 2 Zen 4
// cores 64×64 and 128×128 tie within noise at T = 1024 and 4096 (D = 32
// and 64), 32-row or 256-column tiles are 10–40% slower; 64×64 wastes less
// of the diagonal and needs a quarter of the scratch.
var flashBr, flashBc = 64, 64

// flashWhole is the longest sequence that runs as one tile per head: a
// single causal tile (whose GEMMs skip the masked triangle) costs fewer and
// larger products than several 64×64 ones. From BenchmarkAttentionSmall.
var flashWhole = 128

// CausalAttention returns softmax(q·kᵀ·scale + causal mask)·v for q, k, v
// [B, H, T, D]: position t attends to positions 0…t. The result is
// [B, H, T, D]. It panics with a *tensor.ShapeError unless q, k and v have
// the same four-dimensional shape.
//
// It is one fused op in the style of FlashAttention-2: per head, blocks of
// queries meet blocks of keys at or below the diagonal only, through an
// online softmax (a running max and sum per row rescale the output as the
// key blocks go by), so the [T, T] scores are never materialised. It saves
// the row logsumexp [B·H, T] for backward, which recomputes each block's
// probabilities from it; its activation memory is linear in T. Heads run in
// parallel. CausalAttentionNaive is the simple reference.
func (tp *Tape) CausalAttention(q, k, v *Value, scale float32) *Value {
	checkAttention("CausalAttention", q, k, v)
	br, bc := flashBr, flashBc
	if t := q.Shape()[2]; t <= flashWhole {
		br, bc = t, t
	}
	return tp.Apply("causal_attention", &flashAttention{scale: scale, br: br, bc: bc}, q, k, v)
}

func checkAttention(op string, q, k, v *Value) {
	s := q.Shape()
	if len(s) != 4 || !q.Data.SameShape(k.Data) || !q.Data.SameShape(v.Data) {
		panic(&tensor.ShapeError{Op: op, Msg: fmt.Sprintf("q %v, k %v, v %v; want three equal [B, H, T, D]", s, k.Shape(), v.Shape())})
	}
}

// flashAttention is the Op of CausalAttention.
type flashAttention struct {
	scale  float32
	br, bc int            // query and key block sizes
	lse    *tensor.Tensor // [B·H, T] row logsumexp of the scaled scores
}

// Forward computes o one query block at a time. The work items are (head,
// query block) pairs; within a head the blocks go in the order 0, n−1, 1,
// n−2, … so that contiguous chunks of items carry about equal work (a
// query block's cost grows with its index).
func (a *flashAttention) Forward(ctx *Context, in []*tensor.Tensor) *tensor.Tensor {
	q, k, v := in[0], in[1], in[2]
	s := q.Shape()
	bh, t, d := s[0]*s[1], s[2], s[3]
	o := ctx.Alloc(s...)
	var lse []float32
	if ctx.Recording() {
		a.lse = ctx.Alloc(bh, t)
		lse = a.lse.Data()
	}
	if t == 0 || d == 0 || bh == 0 {
		clear(o.Data())
		return o
	}
	br, bc := min(a.br, t), min(a.bc, t) // short sequences get small tiles
	nq := (t + br - 1) / br
	qd, kd, vd, od := q.Data(), k.Data(), v.Data(), o.Data()
	pool := ctx.tape.pool
	tensor.ParallelFor(bh*nq, func(lo, hi int) {
		buf := pool.GetUninit(br, bc)
		defer pool.Put(buf)
		m, l := make([]float32, br), make([]float64, br)
		for it := lo; it < hi; it++ {
			h, z := it/nq, it%nq
			qb := z / 2
			if z%2 == 1 {
				qb = nq - 1 - z/2
			}
			off := h * t * d
			var lseh []float32
			if lse != nil {
				lseh = lse[h*t : (h+1)*t]
			}
			a.forwardBlock(qd[off:off+t*d], kd[off:off+t*d], vd[off:off+t*d], od[off:off+t*d], lseh, qb*br, min(qb*br+br, t), d, buf, m, l)
		}
	})
	return o
}

// forwardBlock computes rows [i0, i1) of one head's output o (and of lse
// when it is not nil) from the head's q, k, v [T, D]. tile is scratch of
// [≥ i1−i0, bc], for key blocks of bc; m and l are scratch of at least
// i1−i0 elements.
func (a *flashAttention) forwardBlock(q, k, v, o, lse []float32, i0, i1, d int, tile *tensor.Tensor, m []float32, l []float64) {
	bc, td := tile.Dim(1), tile.Data()
	rows := i1 - i0
	ob := o[i0*d : i1*d]
	for r := range rows {
		m[r], l[r] = float32(math.Inf(-1)), 0
	}
	// Key blocks at or below the diagonal: keys ≥ i1 are masked for every row.
	for j0 := 0; j0 < i1; j0 += bc {
		j1 := min(j0+bc, i1)
		cols := j1 - j0
		diag := j0 == i0 && cols == rows // a square tile on the diagonal
		if diag {
			tensor.GemmCausal(tensor.LowerC, false, true, rows, cols, d, a.scale, q[i0*d:], d, k[j0*d:], d, 0, td, bc)
		} else {
			tensor.Gemm(false, true, rows, cols, d, a.scale, q[i0*d:], d, k[j0*d:], d, 0, td, bc)
		}
		// Exponentiate each row's visible keys shifted by its new running
		// max, zero the masked ones, and rescale what the row has so far.
		for r := range rows {
			row := td[r*bc : r*bc+cols]
			n := max(0, min(cols, i0+r-j0+1)) // keys j0 … i0+r are visible
			clear(row[n:])
			if n == 0 {
				continue
			}
			mx := max(m[r], rowMax(row[:n]))
			sum := tensor.ExpShiftSum(row[:n], row[:n], mx)
			if mx != m[r] {
				corr := math.Exp(float64(m[r] - mx)) // 0 on the first block
				l[r] *= corr
				if l[r] != 0 {
					cf := float32(corr)
					orow := ob[r*d : (r+1)*d]
					for c := range orow {
						orow[c] *= cf
					}
				}
				m[r] = mx
			}
			l[r] += sum
		}
		// The first block sets o (every row sees key 0), later ones add.
		beta := float32(1)
		if j0 == 0 {
			beta = 0
		}
		if diag {
			tensor.GemmCausal(tensor.LowerA, false, false, rows, d, cols, 1, td, bc, v[j0*d:], d, beta, ob, d)
		} else {
			tensor.Gemm(false, false, rows, d, cols, 1, td, bc, v[j0*d:], d, beta, ob, d)
		}
	}
	for r := range rows {
		inv := float32(1 / l[r])
		orow := ob[r*d : (r+1)*d]
		for c := range orow {
			orow[c] *= inv
		}
		if lse != nil {
			lse[i0+r] = float32(float64(m[r]) + math.Log(l[r]))
		}
	}
}

// Backward runs FlashAttention-2's backward, one head per work item: with
// Δ = rowsum(dO∘O), for each key block and each query block at or below it,
// P = exp(S − lse), dV += Pᵀ·dO, dP = dO·vᵀ, dS = P∘(dP − Δ),
// dQ += scale·dS·k, dK += scale·dSᵀ·q. A head's dQ, dK and dV are written by
// the one chunk that owns the head.
func (a *flashAttention) Backward(ctx *Context, gOut *tensor.Tensor, in []*tensor.Tensor, out *tensor.Tensor, grads []*tensor.Tensor) {
	q, k, v := in[0], in[1], in[2]
	s := q.Shape()
	bh, t, d := s[0]*s[1], s[2], s[3]
	if t == 0 || d == 0 || bh == 0 {
		return
	}
	br, bc := min(a.br, t), min(a.bc, t)
	qd, kd, vd, od, gd, lse := q.Data(), k.Data(), v.Data(), out.Data(), gOut.Data(), a.lse.Data()
	var dq, dk, dv []float32
	if grads[0] != nil {
		dq = grads[0].Data()
	}
	if grads[1] != nil {
		dk = grads[1].Data()
	}
	if grads[2] != nil {
		dv = grads[2].Data()
	}
	pool := ctx.tape.pool
	tensor.ParallelFor(bh, func(lo, hi int) {
		pTile, dsTile, dbuf := pool.GetUninit(br, bc), pool.GetUninit(br, bc), pool.GetUninit(t)
		defer pool.Put(pTile)
		defer pool.Put(dsTile)
		defer pool.Put(dbuf)
		pt, dst, delta := pTile.Data(), dsTile.Data(), dbuf.Data()
		for h := lo; h < hi; h++ {
			off, end := h*t*d, (h+1)*t*d
			qh, kh, vh, oh, gh := qd[off:end], kd[off:end], vd[off:end], od[off:end], gd[off:end]
			var dqh, dkh, dvh []float32
			if dq != nil {
				dqh = dq[off:end]
			}
			if dk != nil {
				dkh = dk[off:end]
			}
			if dv != nil {
				dvh = dv[off:end]
			}
			for i := range t {
				delta[i] = dot(gh[i*d:(i+1)*d], oh[i*d:(i+1)*d])
			}
			lseh := lse[h*t : (h+1)*t]
			for j0 := 0; j0 < t; j0 += bc {
				j1 := min(j0+bc, t)
				cols := j1 - j0
				for i0 := j0 / br * br; i0 < t; i0 += br {
					i1 := min(i0+br, t)
					rows := i1 - i0
					// A square tile on the diagonal is causal: P and dS are
					// lower triangular, and only their lower triangles are wanted.
					diag := i0 == j0 && rows == cols
					gemmS, gemmP, gemmPT := tensor.Gemm, tensor.Gemm, tensor.Gemm
					if diag {
						gemmS, gemmP, gemmPT = gemmLowerC, gemmLowerA, gemmUpperA
					}
					gemmS(false, true, rows, cols, d, a.scale, qh[i0*d:], d, kh[j0*d:], d, 0, pt, bc)
					for r := range rows {
						row := pt[r*bc : r*bc+cols]
						n := max(0, min(cols, i0+r-j0+1))
						tensor.ExpShiftSum(row[:n], row[:n], lseh[i0+r])
						clear(row[n:])
					}
					if dvh != nil {
						gemmPT(true, false, cols, d, rows, 1, pt, bc, gh[i0*d:], d, 1, dvh[j0*d:], d)
					}
					if dqh == nil && dkh == nil {
						continue
					}
					gemmS(false, true, rows, cols, d, 1, gh[i0*d:], d, vh[j0*d:], d, 0, dst, bc)
					for r := range rows {
						di := delta[i0+r]
						n := max(0, min(cols, i0+r-j0+1))
						prow, drow := pt[r*bc:r*bc+n], dst[r*bc:r*bc+cols]
						for c, p := range prow {
							drow[c] = p * (drow[c] - di)
						}
						clear(drow[n:])
					}
					if dqh != nil {
						gemmP(false, false, rows, d, cols, a.scale, dst, bc, kh[j0*d:], d, 1, dqh[i0*d:], d)
					}
					if dkh != nil {
						gemmPT(true, false, cols, d, rows, a.scale, dst, bc, qh[i0*d:], d, 1, dkh[j0*d:], d)
					}
				}
			}
		}
	})
}

// The three causal products of a diagonal tile, with Gemm's signature.
func gemmLowerC(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	tensor.GemmCausal(tensor.LowerC, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

func gemmLowerA(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	tensor.GemmCausal(tensor.LowerA, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

func gemmUpperA(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	tensor.GemmCausal(tensor.UpperA, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// rowMax returns the largest value of x (not empty), ignoring NaNs unless
// all are: four running maxima, compared without the NaN rules of max.
func rowMax(x []float32) float32 {
	m0 := x[0]
	m1, m2, m3 := m0, m0, m0
	i := 0
	for ; i+4 <= len(x); i += 4 {
		if x[i] > m0 {
			m0 = x[i]
		}
		if x[i+1] > m1 {
			m1 = x[i+1]
		}
		if x[i+2] > m2 {
			m2 = x[i+2]
		}
		if x[i+3] > m3 {
			m3 = x[i+3]
		}
	}
	for ; i < len(x); i++ {
		if x[i] > m0 {
			m0 = x[i]
		}
	}
	if m1 > m0 {
		m0 = m1
	}
	if m3 > m2 {
		m2 = m3
	}
	if m2 > m0 {
		m0 = m2
	}
	return m0
}

// dot returns x·y (len(y) ≥ len(x)) in float32 with four partial sums.
func dot(x, y []float32) float32 {
	y = y[:len(x)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(x); i += 4 {
		s0 += x[i] * y[i]
		s1 += x[i+1] * y[i+1]
		s2 += x[i+2] * y[i+2]
		s3 += x[i+3] * y[i+3]
	}
	for ; i < len(x); i++ {
		s0 += x[i] * y[i]
	}
	return (s0 + s1) + (s2 + s3)
}
