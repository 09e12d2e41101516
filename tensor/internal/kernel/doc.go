// Package kernel holds tensor's compute kernels, each in Go assembly
// (AVX2+FMA) where the CPU and build allow it and in pure Go everywhere: the
// GEMM micro-kernel (a register-tiled MR×NR block product over packed
// panels) and its panel packers, the float32 vector math under tensor's
// activations and softmax, elementwise arithmetic (add, sub, mul, div,
// axpy, addmul, column sums: binop*.go), the fused Adam/AdamW update
// (adam*.go) and the rows of layer norm's forward and backward passes
// (norm*.go). See each section below and the files' doc comments.
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
//
// # Vector math
//
// ExpGeneric, TanhGeneric, SigmoidGeneric, SiluGeneric, GeluErfGeneric,
// GeluTanhGeneric, the derivatives SiluGradGeneric, GeluErfGradGeneric and
// GeluTanhGradGeneric, and ExpShiftSumGeneric (softmax's e^(x−max) and its
// sum) compute dst[i] = f(src[i]) in float32, each with an AVX2 twin
// (ExpAVX2, …) running 8 lanes; MaxGeneric and MaxAVX2 find softmax's row
// maximum. exp is Cody–Waite range reduction with
// ln 2 in two parts and Cephes' degree-7 polynomial, its scale applied in two
// halves so subnormal results and overflow to +Inf come out right; tanh,
// sigmoid and SiLU are built on it, and the exact GELU uses
// erfc(z) = t·exp(−z² + P(t)) (Numerical Recipes' erfcc) with −z² carried in
// two parts. Against float64 math, over [−100, 100] and the special values,
// the worst relative errors are 0.8e-7 (exp) to 4.6e-7 (GELU); NaN
// propagates and ±Inf give the limits. The twins perform the same float32
// operations as the assembly, so results agree bit for bit where Go fuses
// multiply-adds (arm64, GOAMD64=v3) and to within a few ulp elsewhere.
// GeluErfAndGrad computes GELU and its derivative in one pass, bit for bit
// the two separate kernels.
//
// # Elementwise arithmetic and the optimizer
//
// The binop kernels round exactly as the plain Go loops they replace (no
// fused multiply-adds), so their results do not depend on the build. The
// Adam kernel computes PyTorch's float32 update with the three multiply-adds
// PyTorch's own AVX2 kernels fuse, bit for bit PyTorch; its twin computes
// those fused operations exactly, so both agree bit for bit.
package kernel

// MR and NR are the micro-tile's rows and columns: 6×16 uses 12 of AVX2's 16
// vector registers for accumulators.
const (
	MR = 6
	NR = 16
)
