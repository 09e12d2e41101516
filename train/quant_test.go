package train

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tapegrad/tapegrad/compress"
	"github.com/tapegrad/tapegrad/nn"
	"github.com/tapegrad/tapegrad/tensor"
	"github.com/tapegrad/tapegrad/tensor/safetensors"
)

var schemes = []string{F32, Int8, Q8_0, Q4_0}

// wantDequantized is what a quantized checkpoint should load for w: compress's
// dequantization of it under scheme, or w itself where the scheme keeps F32.
func wantDequantized(t *testing.T, w *tensor.Tensor, scheme string) []float32 {
	t.Helper()
	if scheme == Int8 {
		if w.Dims() != 2 {
			w = tensor.FromSlice(w.Data(), 1, len(w.Data()))
		}
		q, err := compress.QuantizeInt8FP16(w)
		if err != nil {
			t.Fatal(err)
		}
		return q.Dequantize().Data()
	}
	if scheme == F32 || w.Dims() != 2 || w.Dim(1)%compress.BlockLen != 0 {
		return w.Data()
	}
	var (
		b   []byte
		v   []float32
		err error
	)
	if scheme == Q8_0 {
		b, _ = compress.AppendQ8_0(nil, w.Data())
		v, err = compress.DequantizeQ8_0(nil, b)
	} else {
		b, _ = compress.AppendQ4_0(nil, w.Data())
		v, err = compress.DequantizeQ4_0(nil, b)
	}
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestQuantizedRoundTrip saves a briefly trained model with each scheme and
// loads it back: every weight is compress's dequantization of the original,
// bit for bit, and the val loss stays close to the float model's. With
// n_embd 16, the matrices whose rows are 16 long stay F32 in Q8_0 and Q4_0.
func TestQuantizedRoundTrip(t *testing.T) {
	tolerance := map[string]float64{F32: 0, Int8: 0.01, Q8_0: 0.01, Q4_0: 0.1}
	for _, c := range []int{16, 32} {
		tok, trIDs, vaIDs := testSplits(t)
		cfg := testConfig()
		cfg.Model.NEmbd, cfg.Model.Dropout, cfg.MaxIters = c, 0, 40
		tr, err := New(cfg, tok, trIDs, vaIDs)
		if err != nil {
			t.Fatal(err)
		}
		losses(t, tr, 40)
		floatLoss, _ := EvalLoss(tr.Model, vaIDs, 4, 4, 1)
		for _, scheme := range schemes {
			t.Run(fmt.Sprintf("n_embd=%d/scheme=%s", c, scheme), func(t *testing.T) {
				path := filepath.Join(t.TempDir(), "q.safetensors")
				if err := SaveQuantized(path, tr.Config, tr.Model, tok, scheme); err != nil {
					t.Fatal(err)
				}
				ck, err := Load(path)
				if err != nil {
					t.Fatal(err)
				}
				if ck.Quantization != scheme {
					t.Errorf("Quantization = %q; want %q", ck.Quantization, scheme)
				}
				if ck.Tokenizer == nil || !ck.Config.Model.Equal(tr.Model.Config) {
					t.Errorf("config %+v, tokenizer %v; want %+v", ck.Config.Model, ck.Tokenizer, tr.Model.Config)
				}
				got := ck.Model.Params()
				for i, p := range tr.Model.Params() {
					want := wantDequantized(t, p.Value.Data, scheme)
					if !slices.Equal(got[i].Value.Data.Data(), want) {
						t.Errorf("%s: loaded values differ from compress's dequantization", p.Name)
					}
				}
				loss, _ := EvalLoss(ck.Model, vaIDs, 4, 4, 1)
				if d := math.Abs(loss - floatLoss); d > tolerance[scheme] {
					t.Errorf("val loss %.4f; the float model's %.4f (Δ %.4f > %v)", loss, floatLoss, d, tolerance[scheme])
				}
			})
		}
	}
}

// TestQuantizedSize: on a model whose weights dominate, int8 shrinks the
// model file more than 3.9×, Q4_0 more than 6.5×, and F32 (no zeros) not at
// all.
func TestQuantizedSize(t *testing.T) {
	tok, _, _ := testSplits(t)
	cfg := Config{Model: nn.Config{VocabSize: tok.VocabSize(), BlockSize: 16, NLayer: 1, NHead: 4, NEmbd: 256, Bias: true}}
	model, err := nn.NewGPT(cfg.Model, 1)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	size := func(name string, save func(string) error) int64 {
		path := filepath.Join(dir, name)
		if err := save(path); err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	f32 := size("f32", func(p string) error { return SaveModel(p, cfg, model, tok) })
	for _, c := range []struct {
		scheme string
		min    float64
	}{{Int8, 3.9}, {Q8_0, 3.6}, {Q4_0, 6.5}, {F32, 0.99}} {
		n := size(c.scheme, func(p string) error { return SaveQuantized(p, cfg, model, tok, c.scheme) })
		if r := float64(f32) / float64(n); r < c.min {
			t.Errorf("%s: %d bytes, %.2f× smaller than F32's %d; want ≥ %v×", c.scheme, n, r, f32, c.min)
		}
	}
}

func TestSaveQuantizedErrors(t *testing.T) {
	tok, _, _ := testSplits(t)
	cfg := Config{Model: nn.Config{VocabSize: tok.VocabSize(), BlockSize: 4, NLayer: 1, NHead: 1, NEmbd: 32, Bias: true}}
	model, _ := nn.NewGPT(cfg.Model, 1)
	dir := t.TempDir()
	err := SaveQuantized(filepath.Join(dir, "a"), cfg, model, tok, "q2_k")
	if err == nil || !strings.Contains(err.Error(), `unknown quantization scheme "q2_k"`) {
		t.Errorf("SaveQuantized(q2_k) = %v; want an unknown-scheme error", err)
	}
	model.Blocks[0].MLP.CFc.Weight.Data.Data()[5] = float32(math.NaN())
	err = SaveQuantized(filepath.Join(dir, "b"), cfg, model, tok, Int8)
	if err == nil || !strings.Contains(err.Error(), "NaN") {
		t.Errorf("SaveQuantized of a NaN weight = %v; want an error", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "b")); err == nil {
		t.Error("a failed SaveQuantized left a file")
	}
}

// quantizedFile returns the decoded file of a small quantized checkpoint.
func quantizedFile(t *testing.T, scheme string) *safetensors.File {
	t.Helper()
	tok, _, _ := testSplits(t)
	cfg := Config{Model: nn.Config{VocabSize: tok.VocabSize(), BlockSize: 4, NLayer: 1, NHead: 1, NEmbd: 32, Bias: true}}
	model, _ := nn.NewGPT(cfg.Model, 1)
	path := filepath.Join(t.TempDir(), "q")
	if err := SaveQuantized(path, cfg, model, tok, scheme); err != nil {
		t.Fatal(err)
	}
	f, err := safetensors.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// editTensor applies fn to f's tensor called name.
func editTensor(t testing.TB, f *safetensors.File, name string, fn func(*safetensors.Tensor)) {
	t.Helper()
	for i := range f.Tensors {
		if f.Tensors[i].Name == name {
			fn(&f.Tensors[i])
			return
		}
	}
	t.Fatalf("no tensor %s", name)
}

// dropTensor removes f's tensor called name.
func dropTensor(f *safetensors.File, name string) {
	f.Tensors = slices.DeleteFunc(f.Tensors, func(t safetensors.Tensor) bool { return t.Name == name })
}

// TestLoadQuantizedErrors damages quantized checkpoints one way at a time;
// Decode must name the problem.
func TestLoadQuantizedErrors(t *testing.T) {
	const w = "transformer.h.0.mlp.c_fc.weight" // [128, 32]
	edit := func(f *safetensors.File, name string, fn func(*safetensors.Tensor)) { editTensor(t, f, name, fn) }
	drop := dropTensor
	for _, c := range []struct {
		name, scheme string
		damage       func(*safetensors.File)
		want         string
	}{
		{"unknown scheme", Int8, func(f *safetensors.File) { f.Metadata[keyQuant] = "q2_k" }, `unknown quantization scheme "q2_k"`},
		{"no metadata scheme", Int8, func(f *safetensors.File) { delete(f.Metadata, keyQuant) }, "parameters; the file holds"},
		{"other scheme", Q8_0, func(f *safetensors.File) { f.Metadata[keyQuant] = Q4_0 }, "parameters; the file holds"},
		{"missing scale", Int8, func(f *safetensors.File) { drop(f, w+".scale") }, "has no " + w + ".scale"},
		{"missing q", Int8, func(f *safetensors.File) {
			drop(f, w+".q")
			f.Tensors = append(f.Tensors, safetensors.FromFloat32("extra", tensor.Zeros(128, 32)))
		}, "has no " + w + ".q"},
		{"short scale", Int8, func(f *safetensors.File) {
			edit(f, w+".scale", func(t *safetensors.Tensor) { t.Shape, t.Data = []int{127}, t.Data[:2*127] })
		}, "wants [128]"},
		{"scale not F16", Int8, func(f *safetensors.File) {
			edit(f, w+".scale", func(t *safetensors.Tensor) { t.DType, t.Shape = "I16", []int{128} })
		}, "dtype is I16, not F16 or F32"},
		{"vector scale", Int8, func(f *safetensors.File) {
			edit(f, "transformer.ln_f.weight.scale", func(t *safetensors.Tensor) { t.Shape, t.Data = []int{0}, nil })
		}, "wants [1]"},
		{"q not I8", Int8, func(f *safetensors.File) { edit(f, w+".q", func(t *safetensors.Tensor) { t.DType = "U8" }) }, "dtype is U8"},
		{"q reshaped", Int8, func(f *safetensors.File) {
			edit(f, w+".q", func(t *safetensors.Tensor) { t.Shape = []int{64, 64} })
		}, "wants [64]"},
		{"q 1-D", Int8, func(f *safetensors.File) { edit(f, w+".q", func(t *safetensors.Tensor) { t.Shape = []int{4096} }) }, "[4096] wants [1]"},
		{"q 3-D", Int8, func(f *safetensors.File) {
			edit(f, w+".q", func(t *safetensors.Tensor) { t.Shape = []int{128, 1, 32} })
		}, "want [out, in] or [n]"},
		{"both forms", Q8_0, func(f *safetensors.File) {
			edit(f, "transformer.ln_f.bias", func(t *safetensors.Tensor) { t.Name = w })
		}, "stored twice"},
		{"blocks reshaped", Q4_0, func(f *safetensors.File) {
			edit(f, w+".q4_0", func(t *safetensors.Tensor) { t.Shape = []int{64, 36} })
		}, "has shape [64 64]; the model wants [128 32]"},
		{"blocks 1-D", Q8_0, func(f *safetensors.File) {
			edit(f, w+".q8_0", func(t *safetensors.Tensor) { t.Shape = []int{128 * 34} })
		}, "want U8 [out, a multiple of 34]"},
		{"blocks ragged", Q8_0, func(f *safetensors.File) {
			edit(f, w+".q8_0", func(t *safetensors.Tensor) { t.Shape = []int{136, 32} })
		}, "want U8 [out, a multiple of 34]"},
		{"blocks not U8", Q8_0, func(f *safetensors.File) { edit(f, w+".q8_0", func(t *safetensors.Tensor) { t.DType = "I8" }) }, "is I8"},
		{"blocks truncated", Q4_0, func(f *safetensors.File) {
			edit(f, w+".q4_0", func(t *safetensors.Tensor) { t.Shape, t.Data = []int{127, 18}, t.Data[:127*18] })
		}, "parameters; the file holds"},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := quantizedFile(t, c.scheme)
			c.damage(f)
			var buf bytes.Buffer
			if err := safetensors.Encode(&buf, f.Tensors, f.Metadata); err != nil {
				t.Fatal(err)
			}
			_, err := Decode(buf.Bytes())
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("Decode = %v; want an error containing %q", err, c.want)
			}
		})
	}
	raw := func(scheme string) []byte {
		f := quantizedFile(t, scheme)
		var buf bytes.Buffer
		safetensors.Encode(&buf, f.Tensors, f.Metadata)
		return buf.Bytes()
	}
	for _, scheme := range schemes {
		b := raw(scheme)
		if _, err := Decode(b); err != nil {
			t.Errorf("%s: the undamaged file: %v", scheme, err)
		}
		for _, n := range []int{len(b) - 1, len(b) / 2, 9} {
			if _, err := Decode(b[:n]); err == nil {
				t.Errorf("%s: Decode of %d of %d bytes gave no error", scheme, n, len(b))
			}
		}
	}
}

// TestLoadInt8F32Scales: int8 files written before scales were float16 —
// F32 scales, F32 vectors — still load, as the dequantization of their own
// scales.
func TestLoadInt8F32Scales(t *testing.T) {
	tok, _, _ := testSplits(t)
	cfg := Config{Model: nn.Config{VocabSize: tok.VocabSize(), BlockSize: 4, NLayer: 1, NHead: 1, NEmbd: 32, Bias: true}}
	model, _ := nn.NewGPT(cfg.Model, 1)
	meta, _, err := modelFile(cfg, model, tok)
	if err != nil {
		t.Fatal(err)
	}
	meta[keyQuant] = Int8
	var tensors []safetensors.Tensor
	for _, p := range model.Params() {
		w := p.Value.Data
		if w.Dims() != 2 {
			tensors = append(tensors, safetensors.FromFloat32(p.Name, w))
			continue
		}
		q := compress.QuantizeInt8(w)
		tensors = append(tensors, safetensors.FromInt8(p.Name+".q", q.Q, w.Shape()...),
			safetensors.FromFloat32(p.Name+".scale", tensor.FromSlice(q.Scale, w.Dim(0))))
	}
	var buf bytes.Buffer
	if err := safetensors.Encode(&buf, tensors, meta); err != nil {
		t.Fatal(err)
	}
	ck, err := Decode(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range model.Params() {
		want := p.Value.Data.Data()
		if p.Value.Data.Dims() == 2 {
			want = compress.QuantizeInt8(p.Value.Data).Dequantize().Data()
		}
		if !slices.Equal(ck.Model.Params()[i].Value.Data.Data(), want) {
			t.Errorf("%s: loaded values differ", p.Name)
		}
	}
}

// TestLoadBoundsExpansion: compact matrices of empty rows cost a byte a row
// whatever their width, so a small file could describe a huge model; Load
// refuses more than maxExpansion values a stored byte.
func TestLoadBoundsExpansion(t *testing.T) {
	tok, _, _ := testSplits(t)
	cfg := Config{Model: nn.Config{VocabSize: tok.VocabSize(), BlockSize: 2, NLayer: 1, NHead: 1, NEmbd: 1024}}
	model, _ := nn.NewGPT(cfg.Model, 1)
	for _, p := range model.Blocks[0].Params() {
		p.Value.Data.Zero()
	}
	path := filepath.Join(t.TempDir(), "zeros")
	if err := SaveQuantized(path, cfg, model, tok, F32); err != nil {
		t.Fatal(err)
	}
	_, err := Load(path)
	if err == nil || !strings.Contains(err.Error(), "values: more than 64 a byte") {
		t.Errorf("Load of %d all-zero block values in a small file: %v; want the expansion refused", 12*1024*1024, err)
	}
}
