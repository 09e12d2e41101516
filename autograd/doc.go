// Package autograd is tapegrad's reverse-mode automatic differentiation: a
// Tape records each op with its backward closure in execution order, and
// Backward walks the records in reverse, accumulating (+=) gradients into
// every value that requires one. There are no graph objects and no
// reflection.
//
//	w := autograd.Param(tensor.Randn(1, 0, 0.02, 4, 8)) // [out, in]
//	x := autograd.Const(batch)                          // [B, in]
//	tp := autograd.NewTape()
//	loss := tp.CrossEntropy(tp.MatMulTrans(x, false, w, true), labels, -1)
//	tp.Backward(loss) // w.Grad now holds d(loss)/dw
//
// Gradients accumulate across backward passes (micro-batches add up) until
// ZeroGrad. Inside NoGrad, ops record nothing and allocate no gradients. The
// data of intermediates comes from the tape's tensor.Pool and goes back at
// Reset, and an intermediate's gradient goes back as soon as its op has used
// it, so a loop of steps on one tape runs in flat memory.
//
// # Primitives and their gradient rules
//
// With y the result, g = dL/dy, and "→" the gradient added to each input
// (binary ops sum g back over broadcast dimensions):
//
//	Add(a, b)            a → g               b → g
//	Sub(a, b)            a → g               b → −g
//	Mul(a, b)            a → g·b             b → g·a
//	Div(a, b)            a → g/b             b → −g·y/b
//	Scale(x, s)          x → s·g
//	AddScalar(x, s)      x → g
//	Exp(x)               x → g·y
//	Log(x)               x → g/x
//	Tanh(x)              x → g·(1 − y²)
//	Sigmoid(x)           x → g·y·(1 − y)
//	Relu(x)              x → g·[x > 0]
//	Silu(x)              x → g·σ(x)·(1 + x·(1 − σ(x)))
//	Gelu(x)              x → g·(Φ(x) + x·φ(x))
//	GeluTanh(x)          x → g·(½(1 + t) + ½x(1 − t²)·√(2/π)(1 + 3·0.044715x²)), t = tanh(√(2/π)(x + 0.044715x³))
//	Sum(x, axis)         x → g broadcast over axis
//	Mean(x, axis)        x → g/n broadcast over axis
//	SumAll(x), MeanAll   x → g (or g/numel) everywhere
//	Softmax(x)           x → y·(g − Σ g·y)                    (rows of the last axis)
//	LogSoftmax(x)        x → g − softmax(x)·Σ g
//	MatMulTrans(a, b)    a → g·op(b)ᵀ        b → op(a)ᵀ·g       (transposed as the flags say; no copies)
//	Reshape(x)           x → g reshaped back                  (the result shares x's memory)
//	Transpose, Permute   x → g permuted back
//	Narrow, Slice, Split x → g into the selected part
//	Select(x, i)         x[i] → g                             (the result is a view of x[i])
//	Concat(xs)           xᵢ → its part of g
//	Embedding(w, idx)    w[idx[p]] → g[p]                     (rows scattered and summed)
//	RoPE(x)              x → g rotated by minus each position's angle
//	Dropout(x, p, seed)  x → g·mask/(1 − p)
//
// # Fused ops
//
// Linear (x·wᵀ + b: the bias initialises a GEMM with beta = 1),
// CrossEntropy (log-softmax + negative log-likelihood, mean over rows, an
// ignore index), LayerNorm, RMSNorm and CausalAttention write their backward
// by hand for speed and memory, and are built with the same public API users
// have for their own ops: an Op (Forward and Backward, or Func for inline
// closures) run by Tape.Apply. Each is tested against PyTorch (TestGoldenOps),
// against its composition of primitives, and by CheckGrad.
//
// CausalAttention is flash-style: tiles over queries and keys at or below
// the diagonal with an online softmax, the row logsumexp saved for backward
// (FlashAttention-2's), never the T×T matrix, parallel over heads.
// CausalAttentionNaive materialises it and stays as the reference.
//
// # Checking gradients
//
// CheckGrad compares a function's analytic gradients with central
// differences and reports the worst relative error per input; a correct op
// scores around 1e-4, one whose gradient is wrong by 1% scores 1e-2.
package autograd
