package train

import (
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tapegrad/tapegrad/compress"
	"github.com/tapegrad/tapegrad/nn"
	"github.com/tapegrad/tapegrad/tensor/gguf"
	"github.com/tapegrad/tapegrad/tokenizer"
)

// exportCheckpoint returns a small model (C = 32, so Q8_0 and Q4_0 quantize
// every matrix) with a Char tokenizer.
func exportCheckpoint(t testing.TB, cfg nn.Config) *Checkpoint {
	t.Helper()
	tok := tokenizer.NewChar("hello, wörld!\n")
	cfg.VocabSize = tok.VocabSize()
	m, err := nn.NewGPT(cfg, 7)
	if err != nil {
		t.Fatal(err)
	}
	return &Checkpoint{Model: m, Tokenizer: tok}
}

func exportRead(t *testing.T, ck *Checkpoint, quant string) *gguf.File {
	t.Helper()
	path := filepath.Join(t.TempDir(), "m.gguf")
	if err := ExportGGUF(path, ck, quant); err != nil {
		t.Fatalf("ExportGGUF(%q): %v", quant, err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := gguf.Read(b)
	if err != nil {
		t.Fatalf("Read of ExportGGUF(%q): %v", quant, err)
	}
	return f
}

var ggufNames = map[string]string{
	"token_embd.weight":    "transformer.wte.weight",
	"position_embd.weight": "transformer.wpe.weight",
	"output_norm.weight":   "transformer.ln_f.weight",
	"output_norm.bias":     "transformer.ln_f.bias",
}

func init() {
	for i := range 2 {
		for dst, src := range map[string]string{"attn_norm": "ln_1", "attn_qkv": "attn.c_attn", "attn_output": "attn.c_proj",
			"ffn_norm": "ln_2", "ffn_up": "mlp.c_fc", "ffn_down": "mlp.c_proj"} {
			for _, s := range []string{".weight", ".bias"} {
				ggufNames["blk."+string(rune('0'+i))+"."+dst+s] = "transformer.h." + string(rune('0'+i)) + "." + src + s
			}
		}
	}
}

func TestExportGGUF(t *testing.T) {
	ck := exportCheckpoint(t, nn.Config{BlockSize: 8, NLayer: 2, NHead: 2, NEmbd: 32, Bias: true})
	params := map[string][]float32{}
	for _, p := range ck.Model.Params() {
		params[p.Name] = p.Value.Data.Data()
	}
	for _, quant := range []string{"", Q8_0, Q4_0} {
		f := exportRead(t, ck, quant)
		if len(f.Tensors) != len(ggufNames) {
			t.Errorf("%q: %d tensors; want %d", quant, len(f.Tensors), len(ggufNames))
		}
		for _, tt := range f.Tensors {
			src, ok := ggufNames[tt.Name]
			if !ok {
				t.Errorf("%q: unexpected tensor %s", quant, tt.Name)
				continue
			}
			p := ck.Model.Params()
			var shape []int
			for _, q := range p {
				if q.Name == src {
					shape = q.Value.Data.Shape()
				}
			}
			if !cmp.Equal(tt.Shape, shape) {
				t.Errorf("%q: %s shape %v; want %v (ggml dims reversed)", quant, tt.Name, tt.Shape, shape)
			}
			v := params[src]
			var want []byte
			wantType := gguf.F32
			switch {
			case len(shape) == 2 && quant == Q8_0:
				want, _ = compress.AppendQ8_0(nil, v)
				wantType = gguf.Q8_0
			case len(shape) == 2 && quant == Q4_0:
				want, _ = compress.AppendQ4_0(nil, v)
				wantType = gguf.Q4_0
			default:
				for _, x := range v {
					want = binary.LittleEndian.AppendUint32(want, math.Float32bits(x))
				}
			}
			if tt.Type != wantType || string(tt.Data) != string(want) {
				t.Errorf("%q: %s is %v with %d bytes; want %v with compress's %d bytes", quant, tt.Name, tt.Type, len(tt.Data), wantType, len(want))
			}
		}
		if _, ok := f.Tensor("output.weight"); ok {
			t.Errorf("%q: output.weight written; the head is tied to token_embd", quant)
		}
		for key, want := range map[string]any{
			"general.architecture":              "gpt2",
			"gpt2.context_length":               uint32(8),
			"gpt2.embedding_length":             uint32(32),
			"gpt2.feed_forward_length":          uint32(128),
			"gpt2.block_count":                  uint32(2),
			"gpt2.attention.head_count":         uint32(2),
			"gpt2.attention.layer_norm_epsilon": float32(1e-5),
			"tokenizer.ggml.model":              "gpt2",
			"tokenizer.ggml.merges":             []string{"Ã ¶"}, // ö is C3 B6
		} {
			if got, _ := f.Get(key); !cmp.Equal(got, want) {
				t.Errorf("%q: %s = %#v; want %#v", quant, key, got, want)
			}
		}
		toks, _ := f.Get("tokenizer.ggml.tokens")
		var want []string
		for _, r := range ck.Tokenizer.(*tokenizer.Char).Chars() {
			want = append(want, map[rune]string{'\n': "Ċ", ' ': "Ġ", 'ö': "Ã¶"}[r])
			if want[len(want)-1] == "" {
				want[len(want)-1] = string(r)
			}
		}
		if !cmp.Equal(toks, want) {
			t.Errorf("%q: tokens %q; want %q", quant, toks, want)
		}
	}
}

func TestExportGGUFRowsNotBlocks(t *testing.T) {
	// C = 16: no row is a whole number of 32-value blocks, so all stays F32.
	ck := exportCheckpoint(t, nn.Config{BlockSize: 8, NLayer: 1, NHead: 2, NEmbd: 16, Bias: true})
	f := exportRead(t, ck, Q4_0)
	for _, tt := range f.Tensors {
		if tt.Name == "blk.0.ffn_down.weight" {
			if tt.Type != gguf.Q4_0 { // [C, 4C]: rows of 64
				t.Errorf("%s is %v; want Q4_0", tt.Name, tt.Type)
			}
		} else if tt.Type != gguf.F32 {
			t.Errorf("%s is %v; want F32", tt.Name, tt.Type)
		}
	}
}

func TestExportGGUFNoBias(t *testing.T) {
	ck := exportCheckpoint(t, nn.Config{BlockSize: 8, NLayer: 2, NHead: 2, NEmbd: 32})
	f := exportRead(t, ck, "")
	if len(f.Tensors) != len(ggufNames) {
		t.Errorf("%d tensors; want %d", len(f.Tensors), len(ggufNames))
	}
	b, _ := f.Tensor("blk.1.ffn_up.bias")
	if !cmp.Equal(b.Shape, []int{128}) || strings.Trim(string(b.Data), "\x00") != "" {
		t.Errorf("blk.1.ffn_up.bias = %v, %d bytes; want zeros of [128]", b.Shape, len(b.Data))
	}
}

func TestExportGGUFErrors(t *testing.T) {
	dir := t.TempDir()
	ck := exportCheckpoint(t, nn.Config{BlockSize: 8, NLayer: 1, NHead: 2, NEmbd: 32, RoPE: true})
	if err := ExportGGUF(filepath.Join(dir, "a"), ck, ""); err == nil || !strings.Contains(err.Error(), "RoPE") {
		t.Errorf("RoPE model: error %v; want one naming RoPE", err)
	}
	ck = exportCheckpoint(t, nn.Config{BlockSize: 8, NLayer: 1, NHead: 2, NEmbd: 32})
	if err := ExportGGUF(filepath.Join(dir, "b"), ck, "int8"); err == nil {
		t.Error("quantization int8 exported")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 0 {
		t.Errorf("failed exports left %d files", len(entries))
	}
}

func TestExportGGUFBPE(t *testing.T) {
	text := strings.Repeat("the cat sat on the mat, the end. ", 20)
	tok, err := tokenizer.Train(text, tokenizer.TrainOptions{VocabSize: 270, Pattern: tokenizer.GPT2})
	if err != nil {
		t.Fatal(err)
	}
	m, err := nn.NewGPT(nn.Config{VocabSize: tok.VocabSize(), BlockSize: 8, NLayer: 1, NHead: 2, NEmbd: 32, Bias: true}, 1)
	if err != nil {
		t.Fatal(err)
	}
	f := exportRead(t, &Checkpoint{Model: m, Tokenizer: tok}, "")
	toks, _ := f.Get("tokenizer.ggml.tokens")
	merges, _ := f.Get("tokenizer.ggml.merges")
	if n := len(toks.([]string)); n != tok.VocabSize() {
		t.Errorf("%d tokens; want %d", n, tok.VocabSize())
	}
	if got := toks.([]string)[' ']; got != "Ġ" {
		t.Errorf("token 32 = %q; want Ġ", got)
	}
	ms := merges.([]string)
	if len(ms) != len(tok.Merges()) {
		t.Fatalf("%d merges; want %d", len(ms), len(tok.Merges()))
	}
	// Recovering the merges from the ranks gives minbpe's own.
	types, _ := f.Get("tokenizer.ggml.token_type")
	byBytes := map[string]int{}
	for id := range tok.VocabSize() {
		s, _ := tok.Token(id)
		byBytes[s] = id
	}
	ranked := recoverMerges(toks.([]string), types.([]int32), byBytes, tok, tok.VocabSize())
	if diff := cmp.Diff(ms, ranked); diff != "" {
		t.Errorf("recovered merges differ from minbpe's (-minbpe +recovered):\n%s", diff)
	}
	if pre, _ := f.Get("tokenizer.ggml.pre"); pre != "gpt-2" {
		t.Errorf("tokenizer.ggml.pre = %v; want gpt-2", pre)
	}
}
