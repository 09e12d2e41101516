package tensor

import (
	"fmt"
	"sync"
	"sync/atomic"
)

// GemmBatched runs batch independent GEMMs with the same shapes, the i-th on
// a[i*strideA:], b[i*strideB:] and c[i*strideC:] — the strided batched GEMM
// of cuBLAS, for attention's [B·H, T, D] products. Each product is
// C = alpha·op(A)·op(B) + beta·C as in Gemm. Batches are shared among the
// cores when there are enough of them; otherwise each product runs in
// parallel on its own. The C matrices must not overlap each other, A or B.
func GemmBatched(transA, transB bool, batch, m, n, k int, alpha float32, a []float32, lda, strideA int, b []float32, ldb, strideB int, beta float32, c []float32, ldc, strideC int) {
	if batch < 0 || strideA < 0 || strideB < 0 || strideC < 0 {
		panic(&ShapeError{Op: "GemmBatched", Msg: fmt.Sprintf("negative batch %d or stride (%d, %d, %d)", batch, strideA, strideB, strideC)})
	}
	if batch == 0 {
		return
	}
	last := batch - 1
	checkGemm("GemmBatched", transA, transB, m, n, k, a[min(last*strideA, len(a)):], lda, b[min(last*strideB, len(b)):], ldb, c[min(last*strideC, len(c)):], ldc)
	threads := MaxThreads()
	if batch < threads || batch*m*n*k < gemmParallelMin {
		for i := range batch {
			gemm(transA, transB, m, n, k, alpha, a[i*strideA:], lda, b[i*strideB:], ldb, beta, c[i*strideC:], ldc, threads)
		}
		return
	}
	j := batchJobs.Get().(*batchJob)
	*j = batchJob{transA: transA, transB: transB, batch: batch, m: m, n: n, k: k, alpha: alpha, beta: beta,
		a: a, lda: lda, strideA: strideA, b: b, ldb: ldb, strideB: strideB, c: c, ldc: ldc, strideC: strideC, parts: threads}
	workers.parallel(j, threads, &j.pending)
	*j = batchJob{}
	batchJobs.Put(j)
}

// batchJob shares the products of a batched GEMM among the workers; each
// part runs its products on one core.
type batchJob struct {
	transA, transB                   bool
	batch, m, n, k                   int
	alpha, beta                      float32
	a, b, c                          []float32
	lda, ldb, ldc                    int
	strideA, strideB, strideC, parts int
	pending                          atomic.Int32
}

var batchJobs = sync.Pool{New: func() any { return new(batchJob) }}

func (j *batchJob) run(part int) {
	lo, hi := share(j.batch, j.parts, part)
	for i := lo; i < hi; i++ {
		gemm(j.transA, j.transB, j.m, j.n, j.k, j.alpha, j.a[i*j.strideA:], j.lda, j.b[i*j.strideB:], j.ldb, j.beta, j.c[i*j.strideC:], j.ldc, 1)
	}
}
