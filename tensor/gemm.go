package tensor

import "fmt"

// Gemm computes C = alpha·op(A)·op(B) + beta·C on row-major float32 slices,
// where op(X) is X or Xᵀ as transA and transB say. op(A) is [m, k], op(B) is
// [k, n] and C is [m, n]; lda, ldb and ldc are the row strides of A, B and C
// as stored (A is [m, lda] when transA is false and [k, lda] when it is true).
// When beta is 0, C is not read, so it may hold NaNs. C must not overlap A or B.
// Gemm panics if a slice is too short for its shape and stride.
func Gemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	checkGemm("Gemm", transA, transB, m, n, k, a, lda, b, ldb, c, ldc)
	gemmNaive(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

func gemmNaive(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s float32
			for p := 0; p < k; p++ {
				av := a[i*lda+p]
				if transA {
					av = a[p*lda+i]
				}
				bv := b[p*ldb+j]
				if transB {
					bv = b[j*ldb+p]
				}
				s += av * bv
			}
			if beta == 0 {
				c[i*ldc+j] = alpha * s
			} else {
				c[i*ldc+j] = alpha*s + beta*c[i*ldc+j]
			}
		}
	}
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
