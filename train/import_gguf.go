package train

import (
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"slices"
	"strings"

	"github.com/tapegrad/tapegrad/compress"
	"github.com/tapegrad/tapegrad/nn"
	"github.com/tapegrad/tapegrad/tensor/gguf"
)

// ImportGGUF reads a GGUF file of llama.cpp's gpt2 architecture, as
// ExportGGUF writes it, into a GPT: the gpt2.* hyper-parameters give the
// configuration (with biases; vocabulary from token_embd), and every tensor
// (F32, F16, Q8_0 or Q4_0) is decoded into the parameter ExportGGUF's table
// maps it from. It is how `tapegrad export` measures what an exported file
// holds, and it reads files other gpt2 writers produce as long as they have
// the same tensors (output.weight, an untied head, is refused). Every
// problem is an error naming the file and what is wrong.
func ImportGGUF(path string) (*nn.GPT, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	bad := func(format string, args ...any) error {
		return fmt.Errorf("train: import gguf %s: %s", path, fmt.Sprintf(format, args...))
	}
	f, err := gguf.Read(raw)
	if err != nil {
		return nil, bad("%v", err)
	}
	if arch, _ := f.Get("general.architecture"); arch != "gpt2" {
		return nil, bad("architecture %v; want gpt2", arch)
	}
	hyper := func(key string) (int, error) {
		v, ok := f.Get("gpt2." + key)
		n, isU32 := v.(uint32)
		if !ok || !isU32 || n < 1 || n > 1<<20 {
			return 0, bad("gpt2.%s is %v; want a uint32 in [1, 2^20]", key, v)
		}
		return int(n), nil
	}
	var c nn.Config
	for _, h := range []struct {
		key string
		dst *int
	}{{"context_length", &c.BlockSize}, {"embedding_length", &c.NEmbd}, {"block_count", &c.NLayer}, {"attention.head_count", &c.NHead}} {
		if *h.dst, err = hyper(h.key); err != nil {
			return nil, err
		}
	}
	if ff, err := hyper("feed_forward_length"); err != nil {
		return nil, err
	} else if ff != 4*c.NEmbd {
		return nil, bad("feed_forward_length %d; tapegrad's GPT has 4·embedding_length = %d", ff, 4*c.NEmbd)
	}
	if eps, ok := f.Get("gpt2.attention.layer_norm_epsilon"); ok {
		e, isF32 := eps.(float32)
		if !isF32 || !(e > 0) {
			return nil, bad("gpt2.attention.layer_norm_epsilon is %v; want a positive float32", eps)
		}
		c.LayerNormEps = e
	}
	if _, ok := f.Tensor("output.weight"); ok {
		return nil, bad("an untied output.weight: tapegrad's GPT ties its head to token_embd")
	}
	emb, ok := f.Tensor("token_embd.weight")
	if !ok || len(emb.Shape) != 2 || emb.Shape[1] != c.NEmbd {
		return nil, bad("token_embd.weight missing or not [vocab, %d]", c.NEmbd)
	}
	c.VocabSize, c.Bias = emb.Shape[0], true
	if err := c.Validate(); err != nil {
		return nil, bad("%v", err)
	}
	// Check every tensor's shape before building the model, so the
	// configuration cannot ask for more memory than the file holds.
	if want := 4 + 12*c.NLayer; len(f.Tensors) != want {
		return nil, bad("%d tensors; a gpt2 model of %d layers has %d", len(f.Tensors), c.NLayer, want)
	}
	table := ggufTable(c)
	tensors := make([]gguf.Tensor, len(table))
	for i, p := range table {
		t, ok := f.Tensor(p.dst)
		if !ok {
			return nil, bad("no tensor %s", p.dst)
		}
		if want := ggufShape(c, p.dst); !slices.Equal(t.Shape, want) {
			return nil, bad("%s has shape %v; want %v", p.dst, t.Shape, want)
		}
		tensors[i] = t
	}
	model, err := nn.NewGPT(c, 0)
	if err != nil {
		return nil, bad("%v", err)
	}
	sd := nn.StateDict(model)
	for i, p := range table {
		v, err := ggufValues(tensors[i])
		if err != nil {
			return nil, bad("%s: %v", p.dst, err)
		}
		dst := sd[p.src]
		if len(v) != dst.Numel() {
			return nil, bad("%s holds %d values; want %d", p.dst, len(v), dst.Numel())
		}
		copy(dst.Data(), v)
	}
	return model, nil
}

// ggufName pairs a GGUF tensor name with the parameter it holds.
type ggufName struct{ dst, src string }

// ggufTable lists ExportGGUF's names for a GPT of uniform layers with
// biases and learned positions.
func ggufTable(c nn.Config) []ggufName {
	names := []ggufName{{"token_embd.weight", "transformer.wte.weight"}, {"position_embd.weight", "transformer.wpe.weight"}}
	for i := range c.NLayer {
		for _, m := range [][2]string{{"attn_norm", "ln_1"}, {"attn_qkv", "attn.c_attn"}, {"attn_output", "attn.c_proj"},
			{"ffn_norm", "ln_2"}, {"ffn_up", "mlp.c_fc"}, {"ffn_down", "mlp.c_proj"}} {
			for _, wb := range []string{".weight", ".bias"} {
				names = append(names, ggufName{fmt.Sprintf("blk.%d.%s%s", i, m[0], wb), fmt.Sprintf("transformer.h.%d.%s%s", i, m[1], wb)})
			}
		}
	}
	return append(names, ggufName{"output_norm.weight", "transformer.ln_f.weight"}, ggufName{"output_norm.bias", "transformer.ln_f.bias"})
}

// ggufShape returns the row-major shape of tensor name (from ggufTable) in
// a gpt2 model of configuration c.
func ggufShape(c nn.Config, name string) []int {
	C := c.NEmbd
	rows := map[string]int{"attn_qkv": 3 * C, "attn_output": C, "ffn_up": 4 * C, "ffn_down": C}
	cols := map[string]int{"attn_qkv": C, "attn_output": C, "ffn_up": C, "ffn_down": 4 * C}
	switch name {
	case "token_embd.weight":
		return []int{c.VocabSize, C}
	case "position_embd.weight":
		return []int{c.BlockSize, C}
	}
	parts := strings.Split(name, ".") // blk.N.kind.weight|bias or output_norm.weight|bias
	kind := parts[len(parts)-2]
	r, ok := rows[kind]
	switch {
	case !ok: // a norm
		return []int{C}
	case parts[len(parts)-1] == "bias":
		return []int{r}
	}
	return []int{r, cols[kind]}
}

// ggufValues decodes a tensor's data to float32.
func ggufValues(t gguf.Tensor) ([]float32, error) {
	switch t.Type {
	case gguf.F32:
		v := make([]float32, len(t.Data)/4)
		for i := range v {
			v[i] = math.Float32frombits(binary.LittleEndian.Uint32(t.Data[4*i:]))
		}
		return v, nil
	case gguf.F16:
		v := make([]float32, len(t.Data)/2)
		for i := range v {
			v[i] = compress.Float16Value(binary.LittleEndian.Uint16(t.Data[2*i:]))
		}
		return v, nil
	case gguf.Q8_0:
		return compress.DequantizeQ8_0(nil, t.Data)
	case gguf.Q4_0:
		return compress.DequantizeQ4_0(nil, t.Data)
	}
	return nil, fmt.Errorf("tensor type %v is not supported", t.Type)
}
