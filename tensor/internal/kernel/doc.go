// Package kernel holds the GEMM micro-kernels: a register-tiled MR×NR block
// product over packed panels, in Go assembly (AVX2+FMA) where the CPU and
// build allow it and in pure Go everywhere.
//
// # Packed layouts
//
// A packed A micro-panel holds MR rows of A for kc steps, column by column:
// a[p*MR+i] = A[i, p] for i < MR, p < kc. A packed B micro-panel holds NR
// columns of B for kc steps, row by row: b[p*NR+j] = B[p, j]. Panels at the
// edge of a matrix are padded with zeros, so a kernel always reads full panels.
//
// # The contract every kernel keeps
//
// Kernel(kc, a, b, c, ldc, alpha, beta) computes, for i < MR and j < NR,
//
//	c[i*ldc+j] = alpha·Σ_p a[p*MR+i]·b[p*NR+j] + beta·c[i*ldc+j]
//
// and when beta is 0 it does not read c (NaNs there do not leak through).
// The assembly and the pure-Go twin keep the same contract, and the tests run
// the same cases through both.
package kernel

// MR and NR are the micro-tile's rows and columns: 6×16 uses 12 of AVX2's 16
// vector registers for accumulators.
const (
	MR = 6
	NR = 16
)
