package train

import (
	"fmt"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/tapegrad/tapegrad/compress"
	"github.com/tapegrad/tapegrad/tensor/gguf"
	"github.com/tapegrad/tapegrad/tokenizer"
)

// ExportGGUF writes ck's model and tokenizer to path as a GGUF v3 file for
// llama.cpp's "gpt2" architecture, atomically. quant is "" (every tensor
// F32), Q8_0 or Q4_0: the 2-D weights (embeddings and Linear weights) become
// ggml blocks when their rows are a multiple of 32 values long and stay F32
// otherwise; 1-D tensors (biases, LayerNorm) are always F32.
//
// Names and layouts are llama.cpp's (src/models/gpt2.cpp):
//
//	transformer.wte.weight [V, C]            token_embd.weight     {C, V}
//	transformer.wpe.weight [T, C]            position_embd.weight  {C, T}
//	transformer.h.N.ln_1.weight|bias         blk.N.attn_norm.weight|bias
//	transformer.h.N.attn.c_attn.* [3C, C]    blk.N.attn_qkv.*      {C, 3C}
//	transformer.h.N.attn.c_proj.* [C, C]     blk.N.attn_output.*
//	transformer.h.N.ln_2.weight|bias         blk.N.ffn_norm.weight|bias
//	transformer.h.N.mlp.c_fc.* [4C, C]       blk.N.ffn_up.*        {C, 4C}
//	transformer.h.N.mlp.c_proj.* [C, 4C]     blk.N.ffn_down.*      {4C, C}
//	transformer.ln_f.weight|bias             output_norm.weight|bias
//
// A Linear weight is stored [out, in] as in PyTorch, and ggml's dims list
// the fastest-varying first, so the bytes are the same and only the dims are
// reversed. There is no output.weight: the head is tied, and llama.cpp's
// gpt2 loader, finding no output.weight, uses token_embd.weight for the
// output. llama.cpp's gpt2 requires every bias, so a model without biases
// gets zero biases (the same function).
//
// llama.cpp's gpt2 has learned positions only: a RoPE model is an error, as
// is a model whose layers have other numbers of heads or MLP widths than
// GPT-2's (structured pruning makes them), since its layers are uniform.
// Its GELU is ggml's tanh approximation where tapegrad's is exact (erf), a
// difference of at most about 1e-3 per activation.
//
// The tokenizer goes in as llama.cpp's "gpt2" byte-level BPE
// (tokenizer.ggml.model "gpt2", tokens in GPT-2's byte-to-unicode spelling,
// merges as "left right"). llama.cpp has no character tokenizer: a *Char's
// characters become tokens, and merges that only rebuild each multi-byte
// character from its bytes, so that byte-level BPE splits text into exactly
// Char's tokens. A *BPE's merges are minbpe's own; for tiktoken and Hugging
// Face tokenizers they are recovered from the ranks (the ids), the way
// tiktoken's educational recovery does, which is exact for tiktoken and for
// vocabularies whose ids follow merge order.
func ExportGGUF(path string, ck *Checkpoint, quant string) error {
	meta, tensors, err := ggufContents(ck, quant)
	if err != nil {
		return err
	}
	return gguf.WriteFile(path, meta, tensors)
}

// ggml's general.file_type values (enum llama_ftype).
const (
	ftypeAllF32    = 0
	ftypeMostlyQ40 = 2
	ftypeMostlyQ80 = 7
)

func ggufContents(ck *Checkpoint, quant string) ([]gguf.KV, []gguf.Tensor, error) {
	c := ck.Model.Config
	qtype, ftype := gguf.F32, uint32(ftypeAllF32)
	switch quant {
	case "":
	case Q8_0:
		qtype, ftype = gguf.Q8_0, ftypeMostlyQ80
	case Q4_0:
		qtype, ftype = gguf.Q4_0, ftypeMostlyQ40
	default:
		return nil, nil, fmt.Errorf("train: export gguf: quantization %q (want \"\", %s or %s)", quant, Q8_0, Q4_0)
	}
	if c.RoPE {
		return nil, nil, fmt.Errorf("train: export gguf: the model uses RoPE, and llama.cpp's gpt2 architecture has learned positions only")
	}
	if !c.Uniform() {
		return nil, nil, fmt.Errorf("train: export gguf: the layers have %v heads and MLP widths %v (a structurally pruned model), and llama.cpp's gpt2 architecture needs %d heads and an MLP of %d in every layer", layerSizes(c.Heads, c.NLayer), layerSizes(c.MLPWidth, c.NLayer), c.NHead, 4*c.NEmbd)
	}
	params := map[string][]float32{}
	shapes := map[string][]int{}
	for _, p := range ck.Model.Params() {
		params[p.Name] = p.Value.Data.Data()
		shapes[p.Name] = p.Value.Data.Shape()
	}
	var tensors []gguf.Tensor
	add := func(dst, src string, size int) error {
		v, ok := params[src]
		if !ok {
			if !strings.HasSuffix(src, ".bias") || c.Bias {
				return fmt.Errorf("train: export gguf: the model has no %s", src)
			}
			v, shapes[src] = make([]float32, size), []int{size}
		}
		t, err := ggufTensor(dst, v, shapes[src], qtype)
		if err != nil {
			return err
		}
		tensors = append(tensors, t)
		return nil
	}
	for _, p := range ggufTable(c) {
		n := 0 // a bias-free model gets zero biases, as long as the weight's rows
		if w, ok := strings.CutSuffix(p.src, ".bias"); ok {
			n = shapes[w+".weight"][0]
		}
		if err := add(p.dst, p.src, n); err != nil {
			return nil, nil, err
		}
	}
	C := c.NEmbd
	meta := []gguf.KV{
		{Key: "general.architecture", Value: "gpt2"},
		{Key: "general.name", Value: "tapegrad"},
		{Key: "general.file_type", Value: ftype},
		{Key: "general.quantization_version", Value: uint32(2)},
		{Key: "gpt2.context_length", Value: uint32(c.BlockSize)},
		{Key: "gpt2.embedding_length", Value: uint32(C)},
		{Key: "gpt2.feed_forward_length", Value: uint32(4 * C)},
		{Key: "gpt2.block_count", Value: uint32(c.NLayer)},
		{Key: "gpt2.attention.head_count", Value: uint32(c.NHead)},
		{Key: "gpt2.attention.layer_norm_epsilon", Value: c.LayerNormEps},
	}
	tok, err := ggufTokenizer(ck.Tokenizer, c.VocabSize)
	if err != nil {
		return nil, nil, err
	}
	return append(meta, tok...), tensors, nil
}

// layerSizes lists size(i) for each of n layers.
func layerSizes(size func(int) int, n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = size(i)
	}
	return s
}

// ggufTensor returns the GGUF tensor name of the values v of a row-major
// shape: F32 for 1-D tensors and for rows that are not whole blocks, qtype
// otherwise.
func ggufTensor(name string, v []float32, shape []int, qtype gguf.Type) (gguf.Tensor, error) {
	t := gguf.Tensor{Name: name, Type: gguf.F32, Shape: shape}
	if len(shape) < 2 || qtype == gguf.F32 || shape[len(shape)-1]%compress.BlockLen != 0 {
		t.Data = f32Bytes(v)
		return t, nil
	}
	for _, x := range v {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return t, fmt.Errorf("train: export gguf %v: %s holds %v", qtype, name, x)
		}
	}
	appendBlocks := compress.AppendQ8_0
	if qtype == gguf.Q4_0 {
		appendBlocks = compress.AppendQ4_0
	}
	var err error
	t.Type = qtype
	t.Data, err = appendBlocks(nil, v)
	if err != nil {
		return t, fmt.Errorf("train: export gguf: %s: %w", name, err)
	}
	return t, nil
}

// llama.cpp's token types (enum llama_token_type).
const (
	tokenNormal  = 1
	tokenControl = 3
	tokenUnused  = 5
)

// ggufTokenizer returns the tokenizer.ggml.* metadata of tok for a model
// with vocab entries.
func ggufTokenizer(tok tokenizer.Tokenizer, vocab int) ([]gguf.KV, error) {
	tokens := make([]string, vocab)
	types := make([]int32, vocab)
	var merges []string
	pre := "gpt-2"
	switch t := tok.(type) {
	case *tokenizer.Char:
		chars := t.Chars()
		if len(chars) > vocab {
			return nil, fmt.Errorf("train: export gguf: %d characters for a vocabulary of %d", len(chars), vocab)
		}
		seen := map[string]bool{}
		for i, r := range chars {
			tokens[i], types[i] = byteLevel(string(r)), tokenNormal
			// Merges that rebuild the character from its bytes: the
			// first two, then each next one onto what is built.
			s := string(r)
			for j := 2; j <= len(s) && utf8.RuneLen(r) > 1; j++ {
				m := byteLevel(s[:j-1]) + " " + byteLevel(s[j-1:j])
				if !seen[m] {
					seen[m] = true
					merges = append(merges, m)
				}
			}
		}
		for i := len(chars); i < vocab; i++ {
			tokens[i], types[i] = fmt.Sprintf("[UNUSED%d]", i), tokenUnused
		}
	case *tokenizer.BPE:
		switch t.Pattern() {
		case tokenizer.GPT2:
		case tokenizer.GPT4:
			pre = "llama-bpe" // llama.cpp's name for the cl100k_base split
		default:
			pre = "" // no llama.cpp pre-tokenizer matches; it falls back to its default
		}
		special := map[int]bool{}
		for _, id := range t.SpecialTokens() {
			special[id] = true
		}
		byBytes := map[string]int{}
		for id := range vocab {
			s, ok := t.Token(id)
			switch {
			case !ok:
				tokens[id], types[id] = fmt.Sprintf("[UNUSED%d]", id), tokenUnused
			case special[id]:
				tokens[id], types[id] = s, tokenControl
			default:
				tokens[id], types[id] = byteLevel(s), tokenNormal
				byBytes[s] = id
			}
		}
		if m := t.Merges(); m != nil {
			for _, p := range m {
				a, _ := t.Token(p[0])
				b, _ := t.Token(p[1])
				merges = append(merges, byteLevel(a)+" "+byteLevel(b))
			}
		} else {
			merges = recoverMerges(tokens, types, byBytes, t, vocab)
		}
	default:
		return nil, fmt.Errorf("train: export gguf: unsupported tokenizer %T", tok)
	}
	if merges == nil {
		merges = []string{}
	}
	kv := []gguf.KV{
		{Key: "tokenizer.ggml.model", Value: "gpt2"},
	}
	if pre != "" {
		kv = append(kv, gguf.KV{Key: "tokenizer.ggml.pre", Value: pre})
	}
	kv = append(kv,
		gguf.KV{Key: "tokenizer.ggml.tokens", Value: tokens},
		gguf.KV{Key: "tokenizer.ggml.token_type", Value: types},
		gguf.KV{Key: "tokenizer.ggml.merges", Value: merges})
	if id, ok := tok.SpecialTokens()["<|endoftext|>"]; ok {
		kv = append(kv, gguf.KV{Key: "tokenizer.ggml.bos_token_id", Value: uint32(id)},
			gguf.KV{Key: "tokenizer.ggml.eos_token_id", Value: uint32(id)})
	}
	return kv, nil
}

// recoverMerges returns the merges of a BPE whose ids are its ranks: for
// each token of two or more bytes, in id order, its bytes merged by lower
// ranks until no lower-ranked merge applies; when that leaves two parts,
// they are the token's merge.
func recoverMerges(tokens []string, types []int32, byBytes map[string]int, t *tokenizer.BPE, vocab int) []string {
	var merges []string
	for id := range vocab {
		s, ok := t.Token(id)
		if !ok || types[id] != tokenNormal || len(s) < 2 {
			continue
		}
		parts := make([]string, len(s))
		for i := range s {
			parts[i] = s[i : i+1]
		}
		for len(parts) > 2 {
			best, at := id, -1
			for i := 0; i+1 < len(parts); i++ {
				if r, ok := byBytes[parts[i]+parts[i+1]]; ok && r < best {
					best, at = r, i
				}
			}
			if at < 0 {
				break
			}
			parts[at] += parts[at+1]
			parts = append(parts[:at+1], parts[at+2:]...)
		}
		if len(parts) == 2 {
			merges = append(merges, byteLevel(parts[0])+" "+byteLevel(parts[1]))
		}
	}
	return merges
}

// byteUnicode is GPT-2's bytes_to_unicode: printable Latin-1 bytes stand
// for themselves, every other byte for a code point from 256 up, in order.
var byteUnicode = func() [256]rune {
	var m [256]rune
	n := 0
	for b := range 256 {
		if b >= '!' && b <= '~' || b >= 0xa1 && b <= 0xac || b >= 0xae {
			m[b] = rune(b)
		} else {
			m[b] = rune(256 + n)
			n++
		}
	}
	return m
}()

// byteLevel spells the bytes of s as GPT-2's byte-level BPE does.
func byteLevel(s string) string {
	var sb strings.Builder
	for i := range len(s) {
		sb.WriteRune(byteUnicode[s[i]])
	}
	return sb.String()
}
