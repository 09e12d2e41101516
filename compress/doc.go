// Package compress makes trained models smaller: magnitude pruning with
// PyTorch's torch.nn.utils.prune semantics, Wanda, gradual schedules,
// head and MLP-unit removal, Hinton's distillation loss, and
// quantization to int8 per output row and to ggml's Q8_0 and Q4_0 blocks.
//
// # Pruning
//
// A Pruned tensor keeps its original values and a mask of ones and zeros, as
// PyTorch's weight_orig and weight_mask; Weight is their product and Remove
// bakes the mask in. Each pruning step removes an Amount of the units that
// are still unpruned — a Fraction (rounded half to even, as Python's round)
// or a Count — so steps compose: pruning half twice leaves a quarter.
//
//	p := compress.NewPruned(w)                          // w is [out, in]
//	err := p.L1Unstructured(compress.Fraction(0.5))     // the half of smallest |w|
//	err = p.LnStructured(compress.Fraction(0.25), 2, 0) // a quarter of the rows, by L2 norm
//	w = p.Remove()                                      // w·mask, in w's memory
//
// GlobalUnstructured ranks the entries of several tensors together. Ties
// between equal scores are broken exactly as PyTorch 1.13 does on the CPU
// (torch.topk over libstdc++'s nth_element and partial_sort), so masks match
// PyTorch's bit for bit.
//
// # Pruning a GPT
//
// Unstructured pruning of a model masks weights: MagnitudeMasks (smallest
// |w|, per tensor or global) and WandaMasks (Sun et al. 2023: in each
// output row, the smallest |W_ij|·‖X_j‖₂, with the input norms InputNorms
// collects from calibration batches) return masks by parameter name for
// the 2-D weights of the blocks only — attn.c_attn, attn.c_proj, mlp.c_fc,
// mlp.c_proj (PrunableWeights); the embeddings, which are also the output
// head, LayerNorms and biases stay dense. The trainer's SetMasks keeps the
// pruned weights at zero while fine-tuning. Cubic is Zhu & Gupta's gradual
// schedule s_t = s_f + (s_i − s_f)(1 − t/n)³: prune a little every k steps
// and train in between.
//
// The file stays as large as the dense model; structured pruning makes a
// genuinely smaller one. HeadImportance and NeuronImportance score
// attention heads and MLP hidden units as Michel et al. (2019): the
// |∂L/∂g| of a gate g = 1 on each unit, averaged over calibration batches
// and L2-normalised per layer. PruneHeads and PruneNeurons remove the
// lowest-scored units across all layers (every layer keeps one) and return
// a new dense GPT whose layers have their own sizes (nn.Config's
// LayerHeads and LayerMLP):
//
//	scores := compress.HeadImportance(model, batches)
//	small, removed, err := compress.PruneHeads(model, scores, compress.Count(4))
//
// # Quantization
//
// QuantizeInt8 quantizes a tensor per output row (its first axis),
// symmetrically: scale = max|w|/127 (1 for an all-zero row) and
// q = round-half-to-even(w/scale) in [−127, 127], as torch.round.
// QuantizeInt8FP16 does the same with scales a file can store as float16:
// max|w|/127 rounded up to the next float16, q computed with that scale, so
// |w − q·scale| ≤ scale/2 still holds for the stored scale.
//
// AppendQ8_0 and AppendQ4_0 write ggml's blocks of 32 values with the exact
// byte layout llama.cpp reads, computing in float32 as ggml's reference
// quantizers quantize_row_q8_0_reference and quantize_row_q4_0_reference do:
//
//	Q8_0, 34 bytes: fp16 d = max|x|/127 (little-endian), then 32 int8 qs = roundf(x/d)
//	Q4_0, 18 bytes: fp16 d = m/−8 where m is the x of largest |x| (the first one),
//	                then 16 bytes qs[j] = q[j] | q[j+16]<<4, q = min(15, trunc(x/d + 8.5))
//
// A length that is not a multiple of 32 is an error, not padded: ggml stores
// a row of n values as exactly n/32 blocks. DequantizeQ8_0 and DequantizeQ4_0
// decode any bytes whose length is a multiple of the block size (they never
// panic; a NaN or infinite d decodes to NaN or infinite values).
// Float16Bits and Float16Value convert between float32 and IEEE 754 binary16
// with round-to-nearest-even.
//
// # Sparse storage
//
// A pruned tensor is mostly zeros. PackBitmask and UnpackBitmask store it as
// one bit per value (least significant bit first, row-major) and the
// nonzero values in order; ToCSR and CSR.Dense as compressed sparse rows
// (row pointers, increasing column indices, values), as SciPy's csr_matrix.
// Both work on float32 and on int8 (quantized) values, and the decoders
// check every count and index before writing, returning an error on
// malformed input.
//
// # Distillation
//
// SoftLoss and DistillLoss build Hinton's loss on an autograd tape, so the
// student's logits get gradients:
//
//	α·T²·KL(softmax(teacher/T) ‖ softmax(student/T)) + (1 − α)·CE(student, labels)
//
// with the KL divergence summed over classes and averaged over rows, as
// PyTorch's kl_div(..., reduction="batchmean") on [N, V] logits.
//
// # Errors
//
// Bad configuration (an amount out of range, a dimension that does not
// exist, a block length that is not a multiple of 32, bytes of the wrong
// length) returns an error prefixed "compress: ". Mismatched shapes between
// tensors the caller passes together are programmer errors and panic with a
// *tensor.ShapeError.
package compress
