// Package gorgonia converts tapegrad tensors to and from the *Dense tensors of
// gorgonia.org/tensor, sharing memory whenever the layouts allow it.
//
// It exists for two kinds of users. People who already have Gorgonia code can
// hand a tapegrad activation or weight to it, or bring a Gorgonia result back,
// without a copy. And tapegrad's own tests use gorgonia.org/tensor as an
// independent oracle: its MatMul (backed by gonum's BLAS) checks tensor.Gemm.
//
// # Memory
//
// ToDense always shares: the *Dense is backed by the tensor's Data slice, so a
// write through either is seen by the other. FromDense shares when the Dense
// holds float32 values in row-major order without gaps (a fresh Dense, or a
// view that is one contiguous block, such as a row of a matrix); it copies
// when the values must be gathered (a thunked transpose from T, column-major
// data, a strided or column slice) or converted (float64). Sharing lasts as
// long as both sides keep their layout: Gorgonia's Transpose moves the shared
// values in place, and operations that allocate a new Dense stop sharing.
//
// # Shapes
//
// Shapes carry over unchanged. A tapegrad scalar (shape []) becomes a Dense of
// gtensor.ScalarShape() and back; a vector [N] stays a vector (N), not a row
// (1, N) or column (N, 1) matrix; 3-D and higher tensors keep every axis, and
// empty tensors (a dimension of 0) keep their shape. (Gorgonia's own Data
// method returns a value, not a slice, for a scalar Dense and panics on an
// empty one; FromDense handles both.)
//
// # Dtypes
//
// tapegrad computes in float32 only. FromDense accepts float32 and float64
// (rounded to the nearest float32, always a copy) and returns an error for
// every other dtype, for masked tensors (tapegrad has no masks; call ResetMask
// first if the masked values may be used) and for memory Go cannot read (for
// example a CUDA engine's).
//
// # Dependencies
//
// Importing this package links gorgonia.org/tensor and its dependencies
// (gonum, Apache Arrow, protobuf). The core packages (tensor, autograd, nn and
// the rest) never import it, so programs that do not convert never link them.
// Released gorgonia.org/tensor (v0.9.24) imports
// go4.org/unsafe/assume-no-moving-gc, whose older versions panic at start on
// Go 1.21 and later; this module requires v0.0.0-20231121144256-b99613f794b6,
// which does not.
package gorgonia
