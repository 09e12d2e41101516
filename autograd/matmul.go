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
		if a.requiresGrad {
			dA := tp.gradOf(a)
			if !transA {
				dA.AddMatMulTrans(g, false, B, !transB) // G·op(B)ᵀ
			} else {
				dA.AddMatMulTrans(B, transB, g, true) // op(B)·Gᵀ
			}
		}
		if b.requiresGrad {
			dB := tp.gradOf(b)
			shared := B.Dims() == 2 && A.Dims() > 2
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
			case shared:
				tp.sharedTransAGrad(dB, A, g, transB)
			case !transB:
				dB.AddMatMulTrans(A, !transA, g, false) // op(A)ᵀ·G
			default:
				dB.AddMatMulTrans(g, true, A, transA) // Gᵀ·op(A)
			}
		}
	})
	return out
}

// sharedTransAGrad adds Σ_batch of a 2-D b's gradient when a is batched and
// transposed: A is [batch, K, M] and G is [batch, M, N].
func (tp *Tape) sharedTransAGrad(dB, A, g *tensor.Tensor, transB bool) {
	k, m, n := A.Dim(-2), A.Dim(-1), g.Dim(-1)
	batch := A.Numel() / (k * m)
	Ad, Gd := A.Data(), g.Data()
	for i := range batch {
		Ai := tensor.FromSlice(Ad[i*k*m:(i+1)*k*m], k, m)
		Gi := tensor.FromSlice(Gd[i*m*n:(i+1)*m*n], m, n)
		if !transB {
			dB.AddMatMulTrans(Ai, false, Gi, false) // op(A)ᵀ·G = A·G
		} else {
			dB.AddMatMulTrans(Gi, true, Ai, true) // Gᵀ·op(A) = Gᵀ·Aᵀ
		}
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
