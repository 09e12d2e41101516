package autograd

import "github.com/tapegrad/tapegrad/tensor"

// MatMul returns a·b: a is [..., M, K] and b is [K, N] or [..., K, N] with
// a's leading dimensions; the result is [..., M, N].
func (tp *Tape) MatMul(a, b *Value) *Value { return tp.MatMulTrans(a, false, b, false) }

// MatMulTrans returns op(a)·op(b), where op transposes the last two axes
// when transA or transB is true — through the GEMM's flags, without copying.
// With transB, b is [N, K]: x·Wᵀ for a Linear weight W stored [out, in].
//
// For C = op(A)·op(B) with gradient G, the rules are
//
//	A:  dA += G·op(B)ᵀ      (transA: dA += op(B)·Gᵀ)
//	B:  dB += op(A)ᵀ·G      (transB: dB += Gᵀ·op(A))
//
// each one GEMM with transpose flags; a 2-D b shared by a batched a gets the
// sum over the batch, as one GEMM over the flattened rows when a is not
// transposed.
func (tp *Tape) MatMulTrans(a *Value, transA bool, b *Value, transB bool) *Value {
	y := tp.alloc(matmulShape(a.Shape(), transA, b.Shape(), transB)...)
	out := tp.result(y.MatMulTrans(a.Data, transA, b.Data, transB), tp.needsGrad(a, b))
	if !out.requiresGrad {
		return out
	}
	tp.record("matmul", out, func(g *tensor.Tensor) {
		A, B := a.Data, b.Data
		shared := B.Dims() == 2 && A.Dims() > 2
		if a.requiresGrad {
			dA := tp.gradOf(a)
			switch {
			case !transA:
				dA.AddMatMulTrans(g, false, B, !transB) // G·op(B)ᵀ
			case shared:
				forEachMatrix(dA, g, func(dAi, gi *tensor.Tensor) { dAi.AddMatMulTrans(B, transB, gi, true) })
			default:
				dA.AddMatMulTrans(B, transB, g, true) // op(B)·Gᵀ
			}
		}
		if b.requiresGrad {
			dB := tp.gradOf(b)
			switch {
			case shared && !transA:
				// Flatten the batch: A is [R, K] and G is [R, N] with R = batch·M.
				k, n := A.Dim(-1), g.Dim(-1)
				A2, G2 := A.Reshape(-1, k), g.Reshape(-1, n)
				if !transB {
					dB.AddMatMulTrans(A2, true, G2, false)
				} else {
					dB.AddMatMulTrans(G2, true, A2, false)
				}
			case shared && !transB:
				forEachMatrix(A, g, func(Ai, gi *tensor.Tensor) { dB.AddMatMulTrans(Ai, false, gi, false) }) // Σ A·G
			case shared:
				forEachMatrix(A, g, func(Ai, gi *tensor.Tensor) { dB.AddMatMulTrans(gi, true, Ai, true) }) // Σ Gᵀ·Aᵀ
			case !transB:
				dB.AddMatMulTrans(A, !transA, g, false) // op(A)ᵀ·G
			default:
				dB.AddMatMulTrans(g, true, A, transA) // Gᵀ·op(A)
			}
		}
	})
	return out
}

// forEachMatrix calls fn on the matching matrices of two batched tensors
// [..., R, C] (views of their last two axes, sharing memory).
func forEachMatrix(x, y *tensor.Tensor, fn func(xi, yi *tensor.Tensor)) {
	xr, xc, yr, yc := x.Dim(-2), x.Dim(-1), y.Dim(-2), y.Dim(-1)
	xd, yd := x.Data(), y.Data()
	for i := range x.Numel() / (xr * xc) {
		fn(tensor.FromSlice(xd[i*xr*xc:(i+1)*xr*xc], xr, xc), tensor.FromSlice(yd[i*yr*yc:(i+1)*yr*yc], yr, yc))
	}
}

// matmulShape returns the shape of op(a)·op(b): a's leading dimensions, then
// op(a)'s rows and op(b)'s columns. tensor.MatMulTrans checks the rest.
func matmulShape(a []int, transA bool, b []int, transB bool) []int {
	if len(a) < 2 || len(b) < 2 {
		panic(&tensor.ShapeError{Op: "MatMul", Msg: "operands must have at least 2 dimensions"})
	}
	m, n := a[len(a)-2], b[len(b)-1]
	if transA {
		m = a[len(a)-1]
	}
	if transB {
		n = b[len(b)-2]
	}
	return append(append([]int(nil), a[:len(a)-2]...), m, n)
}
