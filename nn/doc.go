// Package nn holds tapegrad's layers and its GPT.
//
// A layer is a struct with exported parameter fields (*autograd.Value
// leaves), a constructor taking its sizes, Forward(tp, x) on an
// autograd.Tape, and Params() with stable dotted names; a model's Params
// prefix its layers' names with the path to them, so a GPT's names are
// nanoGPT's and Hugging Face GPT-2's ("transformer.h.0.attn.c_attn.weight")
// and its checkpoints load in PyTorch. StateDict and LoadStateDict read and
// write parameters by name, with shape checks and errors that name the
// tensor.
//
// Layers: Linear (weight [out, in], optional bias), Embedding, LayerNorm,
// RMSNorm, Dropout, MLP (exact GELU), MultiHeadAttention (causal; RoPE with
// rotate-half pairing or learned positions; one fused flash-style attention
// op), Block, and GPT, whose spec is shared with the PyTorch reference
// (../shared/ref/ref_gpt.py) and checked against it by TestGoldenGPT.
//
//	g, err := nn.NewGPT(nn.Config{VocabSize: 65, BlockSize: 64, NLayer: 4, NHead: 4, NEmbd: 128, Bias: true}, seed)
//	tp := autograd.NewTape()
//	logits, loss := g.Loss(tp, idx, targets, B, T) // logits [B, T, V]
//	tp.Backward(loss)
//
// Generation decodes with a per-layer KV cache (Decoder) and samples with
// temperature, top-k and top-p from a seed (GPT.Generate).
//
// Shapes use the letters of package tensor: B batch, T time, C channels,
// H heads, D head size, V vocabulary.
package nn
