// Package tensor holds tapegrad's float32 dense tensors and the kernels under
// them: elementwise ops with NumPy broadcasting, reductions, softmax, a
// BLAS-style GEMM and the worker pool that runs it in parallel.
//
// A Tensor is a shape and a contiguous row-major []float32. Reshape returns a
// view that shares memory; Transpose and Permute materialise a new tensor.
//
// # Shapes
//
// Doc comments state shapes with one alphabet, the one llm.c uses:
//
//	B  batch size
//	T  time (sequence length)
//	C  channels (embedding width)
//	H  attention heads
//	D  head size (C / H)
//	V  vocabulary size
//
// # Destination forms
//
// Every hot op is a method whose receiver is the result, as in math/big:
// z.Add(x, y) writes x + y into z and returns z, so a training step can run
// without allocating. z must already have the result's shape; the package
// functions (Add(x, y) and so on) allocate a fresh result. Unless an op says
// otherwise, z may alias x or y when it has the same shape.
//
// # Memory
//
// Pool is a free list of tensor storage by power-of-two capacity: the
// autograd tape hands its intermediates back to one after backward, so a loop
// of training steps runs in flat memory. (It holds buffers; the goroutines
// that run parallel kernels are a separate, internal worker pool.)
//
// # Errors
//
// Shape mismatches and bad indices are programmer errors: they panic with a
// *ShapeError or *IndexError whose message names the op and the shapes.
//
// # GEMM
//
// Gemm computes C = alpha·op(A)·op(B) + beta·C on row-major slices the way
// GotoBLAS and BLIS do: panels of A and B are packed, blocked for the caches,
// and fed to a register-tiled micro-kernel written in Go assembly (AVX2+FMA,
// chosen at run time) with a pure-Go twin used under the purego build tag and
// on other architectures. Large products run in parallel on a persistent
// worker pool; small ones take a direct path that neither packs nor spawns.
package tensor
