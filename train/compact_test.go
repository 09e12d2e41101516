package train

import (
	"bytes"
	"encoding/binary"
	"fmt"
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

// prunedModel returns a GPT whose block weights have had the fraction amount
// of their smallest |w| set to zero, as `tapegrad prune` leaves them, and
// the names of those weights.
func prunedModel(t testing.TB, cfg nn.Config, amount float64) (*nn.GPT, map[string]bool) {
	t.Helper()
	model, err := nn.NewGPT(cfg, 3)
	if err != nil {
		t.Fatal(err)
	}
	pruned := map[string]bool{}
	for _, p := range model.Params() {
		if p.Value.Data.Dims() == 2 && strings.HasPrefix(p.Name, "transformer.h.") {
			pr := compress.NewPruned(p.Value.Data)
			if err := pr.L1Unstructured(compress.Fraction(amount)); err != nil {
				t.Fatal(err)
			}
			pr.Remove()
			pruned[p.Name] = true
		}
	}
	return model, pruned
}

// dataBytes returns the size of a safetensors file's data buffer.
func dataBytes(t *testing.T, path string) int {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return len(raw) - 8 - int(binary.LittleEndian.Uint64(raw))
}

// TestCompactRoundTrip: with half of each block weight pruned, F32 stores
// those weights as a bitmask and their nonzero values and loads them back
// exactly; Int8 likewise stores the nonzero int8 values and loads what the
// dense int8 file loads. The data buffer holds exactly the bytes the layout
// says: ⌈n/8⌉ + nnz·(4 or 1) + 16 for the shape, per block weight.
func TestCompactRoundTrip(t *testing.T) {
	tok, _, _ := testSplits(t)
	cfg := Config{Model: nn.Config{VocabSize: tok.VocabSize(), BlockSize: 8, NLayer: 2, NHead: 2, NEmbd: 64, Bias: true}}
	model, pruned := prunedModel(t, cfg.Model, 0.5)
	dir := t.TempDir()
	dense := filepath.Join(dir, "dense")
	if err := SaveModel(dense, cfg, model, tok); err != nil {
		t.Fatal(err)
	}
	denseData := dataBytes(t, dense)
	for _, scheme := range []string{F32, Int8} {
		t.Run("scheme="+scheme, func(t *testing.T) {
			path := filepath.Join(dir, scheme)
			if err := SaveQuantized(path, cfg, model, tok, scheme); err != nil {
				t.Fatal(err)
			}
			f, err := safetensors.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			ck, err := Load(path)
			if err != nil {
				t.Fatal(err)
			}
			want := 0
			got := ck.Model.Params()
			for i, p := range model.Params() {
				w := p.Value.Data
				deq := wantDequantized(t, w, scheme)
				if !slices.Equal(got[i].Value.Data.Data(), deq) {
					t.Errorf("%s: loaded values differ from the saved ones", p.Name)
				}
				n := len(w.Data())
				vb, rows := 4, 0
				if scheme == Int8 {
					vb, rows = 1, 1
					if w.Dims() == 2 {
						rows = w.Dim(0)
					}
				}
				want += 2 * rows // F16 scales
				_, compact := f.Get(p.Name + ".bitmask")
				if compact != pruned[p.Name] {
					t.Errorf("%s: bitmask %v; want %v", p.Name, compact, pruned[p.Name])
				}
				if !compact {
					want += n * vb
					continue
				}
				nnz := 0
				for _, v := range deq {
					if v != 0 {
						nnz++
					}
				}
				if nnz < n/2-rows || nnz > n/2 {
					t.Errorf("%s: %d nonzeros of %d after pruning half", p.Name, nnz, n)
				}
				want += 16 + (n+7)/8 + nnz*vb
			}
			if got := dataBytes(t, path); got != want {
				t.Errorf("data buffer of %d bytes; want %d", got, want)
			}
			t.Logf("%s: data %d bytes, %.2f× smaller than the dense float32 %d", scheme, want, float64(denseData)/float64(want), denseData)
		})
	}
}

// TestCompactForms: the writer picks the smallest of dense, bitmask and CSR
// as sparsity grows, and each loads back exactly.
func TestCompactForms(t *testing.T) {
	tok, _, _ := testSplits(t)
	cfg := Config{Model: nn.Config{VocabSize: tok.VocabSize(), BlockSize: 8, NLayer: 1, NHead: 2, NEmbd: 64, Bias: true}}
	const w = "transformer.h.0.mlp.c_fc.weight" // [256, 64]
	// Bitmask beats dense when n/8 + nnz·vb < n·vb: from 3.2% zeros for
	// float32, 12.5% for int8; CSR beats bitmask when (rows+1)·1 + nnz < n/8
	// (U8 column indices).
	for _, c := range []struct {
		amount float64
		want   map[string]string // the suffix of the index part, "" for dense
	}{
		{0, map[string]string{F32: "", Int8: ""}},
		{0.02, map[string]string{F32: "", Int8: ""}},
		{0.05, map[string]string{F32: ".bitmask", Int8: ""}},
		{0.5, map[string]string{F32: ".bitmask", Int8: ".bitmask"}},
		{0.9, map[string]string{F32: ".bitmask", Int8: ".bitmask"}},
		{0.97, map[string]string{F32: ".indptr", Int8: ".indptr"}},
		{1, map[string]string{F32: ".indptr", Int8: ".indptr"}},
	} {
		for _, scheme := range []string{F32, Int8} {
			t.Run(fmt.Sprintf("amount=%g/scheme=%s", c.amount, scheme), func(t *testing.T) {
				model, _ := prunedModel(t, cfg.Model, c.amount)
				path := filepath.Join(t.TempDir(), "q")
				if err := SaveQuantized(path, cfg, model, tok, scheme); err != nil {
					t.Fatal(err)
				}
				f, err := safetensors.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, s := range []string{"", ".q", ".bitmask", ".indptr", ".indices"} {
					if tn, ok := f.Get(w + s); ok {
						got = append(got, s+":"+tn.DType)
					}
				}
				var want []string
				switch c.want[scheme] {
				case "":
					want = []string{map[string]string{F32: ":F32", Int8: ".q:I8"}[scheme]}
				case ".bitmask":
					want = []string{".bitmask:U8"}
				default:
					want = []string{".indptr:U16", ".indices:U8"} // nnz up to 819; 64 columns
					if c.amount == 1 {
						want[0] = ".indptr:U8"
					}
				}
				if !slices.Equal(got, want) {
					t.Errorf("%s is stored as %v; want %v", w, got, want)
				}
				ck, err := Load(path)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(ck.Model.Blocks[0].MLP.CFc.Weight.Data.Data(), wantDequantized(t, model.Blocks[0].MLP.CFc.Weight.Data, scheme)) {
					t.Errorf("%s: loaded values differ", w)
				}
			})
		}
	}
}

// compactFile returns the decoded F32 or Int8 file of a small model whose
// c_fc weight [128, 32] is 50% (bitmask) or 97% (CSR) zeros.
func compactFile(t *testing.T, scheme string, amount float64) *safetensors.File {
	t.Helper()
	tok, _, _ := testSplits(t)
	cfg := Config{Model: nn.Config{VocabSize: tok.VocabSize(), BlockSize: 4, NLayer: 1, NHead: 1, NEmbd: 32, Bias: true}}
	model, _ := prunedModel(t, cfg.Model, amount)
	path := filepath.Join(t.TempDir(), "q")
	if err := SaveQuantized(path, cfg, model, tok, scheme); err != nil {
		t.Fatal(err)
	}
	f, err := safetensors.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := f.Get("transformer.h.0.mlp.c_fc.weight.shape"); !ok {
		t.Fatalf("%s %g: c_fc is not compact", scheme, amount)
	}
	return f
}

// TestLoadCompactErrors damages compact matrices one way at a time; Decode
// must name the problem, never panic.
func TestLoadCompactErrors(t *testing.T) {
	const w = "transformer.h.0.mlp.c_fc.weight" // [128, 32]
	edit := func(f *safetensors.File, name string, fn func(*safetensors.Tensor)) { editTensor(t, f, name, fn) }
	drop := dropTensor
	setU := func(name string, i int, v uint64) func(*safetensors.File) {
		return func(f *safetensors.File) {
			edit(f, name, func(t *safetensors.Tensor) {
				t.Data = bytes.Clone(t.Data)
				size := len(t.Data) / t.Shape[0]
				switch size {
				case 1:
					t.Data[i] = byte(v)
				case 2:
					binary.LittleEndian.PutUint16(t.Data[2*i:], uint16(v))
				}
			})
		}
	}
	shape := func(r, c int64) func(*safetensors.File) {
		return func(f *safetensors.File) {
			edit(f, w+".shape", func(t *safetensors.Tensor) {
				t.Data = binary.LittleEndian.AppendUint64(binary.LittleEndian.AppendUint64(nil, uint64(r)), uint64(c))
			})
		}
	}
	for _, c := range []struct {
		name, scheme string
		amount       float64
		damage       func(*safetensors.File)
		want         string
	}{
		{"values short", F32, 0.5, func(f *safetensors.File) {
			edit(f, w+".values", func(t *safetensors.Tensor) { t.Shape[0]--; t.Data = t.Data[:len(t.Data)-4] })
		}, "bitmask sets 2048 bits for 2047 values"},
		{"bitmask popcount", Int8, 0.5, setU(w+".bitmask", 0, 0xff), "bits for 2048 values"},
		{"bitmask short", F32, 0.5, func(f *safetensors.File) {
			edit(f, w+".bitmask", func(t *safetensors.Tensor) { t.Shape[0]--; t.Data = t.Data[:len(t.Data)-1] })
		}, "wants U8 [512]"},
		{"bitmask dtype", F32, 0.5, func(f *safetensors.File) { edit(f, w+".bitmask", func(t *safetensors.Tensor) { t.DType = "I8" }) }, "is I8 [512]"},
		{"values dtype", Int8, 0.5, func(f *safetensors.File) { edit(f, w+".values", func(t *safetensors.Tensor) { t.DType = "U8" }) }, "want I8 [nnz]"},
		{"values F32 in int8", Int8, 0.5, func(f *safetensors.File) {
			edit(f, w+".values", func(t *safetensors.Tensor) { t.DType, t.Shape = "F32", []int{t.Shape[0] / 4} })
		}, "want I8 [nnz]"},
		{"no values", F32, 0.5, func(f *safetensors.File) { drop(f, w+".values") }, "has no " + w + ".values"},
		{"no shape", F32, 0.5, func(f *safetensors.File) { drop(f, w+".shape") }, "parameters; the file holds"},
		{"no shape, extra", F32, 0.5, func(f *safetensors.File) {
			drop(f, w+".shape")
			f.Tensors = append(f.Tensors, safetensors.FromFloat32("extra", tensor.Zeros(128, 32)))
		}, "has no " + w + ".shape"},
		{"no index", F32, 0.5, func(f *safetensors.File) { drop(f, w+".bitmask") }, "wants either"},
		{"shape not I64", F32, 0.5, func(f *safetensors.File) { edit(f, w+".shape", func(t *safetensors.Tensor) { t.DType = "U64" }) }, "parameters; the file holds"},
		{"shape reordered", F32, 0.5, shape(32, 128), "the model wants [128 32]"},
		{"shape negative", F32, 0.5, shape(-128, -32), "parameters; the file holds"},
		{"shape huge", F32, 0.5, shape(1<<40, 1<<40), "parameters; the file holds"},
		{"scale short", Int8, 0.5, func(f *safetensors.File) {
			edit(f, w+".scale", func(t *safetensors.Tensor) { t.Shape, t.Data = []int{127}, t.Data[:254] })
		}, "wants [128]"},
		{"no scale", Int8, 0.5, func(f *safetensors.File) { drop(f, w+".scale") }, "has no " + w + ".scale"},
		{"both forms", F32, 0.5, func(f *safetensors.File) {
			f.Tensors = append(f.Tensors, safetensors.Tensor{Name: w + ".indptr", DType: "U8", Shape: []int{129}, Data: make([]byte, 129)})
		}, "wants either"},
		{"indptr out of order", F32, 0.97, setU(w+".indptr", 5, 0), "out of order"},
		{"indptr past nnz", Int8, 0.97, setU(w+".indptr", 5, 1000), "exceeds"},
		{"indptr start", F32, 0.97, setU(w+".indptr", 0, 1), "run from 1"},
		{"indptr short", F32, 0.97, func(f *safetensors.File) {
			edit(f, w+".indptr", func(t *safetensors.Tensor) { t.Shape[0]--; t.Data = t.Data[:len(t.Data)-1] })
		}, "wants [129]"},
		{"index = cols", F32, 0.97, setU(w+".indices", 0, 32), "exceeds 31"},
		{"indices repeated", Int8, 0.97, func(f *safetensors.File) {
			edit(f, w+".indices", func(t *safetensors.Tensor) { t.Data = make([]byte, len(t.Data)) })
		}, "want increasing"},
		{"indices signed", F32, 0.97, func(f *safetensors.File) { edit(f, w+".indices", func(t *safetensors.Tensor) { t.DType = "I8" }) }, "unsigned integer vector"},
		{"indices length", F32, 0.97, func(f *safetensors.File) {
			edit(f, w+".indices", func(t *safetensors.Tensor) { t.Shape[0]--; t.Data = t.Data[:len(t.Data)-1] })
		}, "wants ["},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := compactFile(t, c.scheme, c.amount)
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
	for _, scheme := range []string{F32, Int8} {
		for _, amount := range []float64{0.5, 0.97} {
			f := compactFile(t, scheme, amount)
			var buf bytes.Buffer
			safetensors.Encode(&buf, f.Tensors, f.Metadata)
			b := buf.Bytes()
			if _, err := Decode(b); err != nil {
				t.Errorf("%s %g: the undamaged file: %v", scheme, amount, err)
			}
			for _, n := range []int{len(b) - 1, len(b) / 2, 9} {
				if _, err := Decode(b[:n]); err == nil {
					t.Errorf("%s %g: Decode of %d of %d bytes gave no error", scheme, amount, n, len(b))
				}
			}
		}
	}
}
