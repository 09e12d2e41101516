package train

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tapegrad/tapegrad/autograd"
	"github.com/tapegrad/tapegrad/nn"
)

// TestImportGGUF: an exported float32 file imports to the same weights bit
// for bit; Q8_0 and Q4_0 files to weights within their block bounds and
// logits close to the original's.
func TestImportGGUF(t *testing.T) {
	ck := exportCheckpoint(t, nn.Config{BlockSize: 8, NLayer: 2, NHead: 2, NEmbd: 32, Bias: true})
	want := nn.StateDict(ck.Model)
	for _, c := range []struct {
		quant  string
		weight float64 // largest |Δw| allowed, as a fraction of the tensor's max |w|
		logits float64
	}{{"", 0, 1e-5}, {Q8_0, 1.0 / 127, 0.02}, {Q4_0, 1.0 / 8, 0.3}} {
		path := filepath.Join(t.TempDir(), "m.gguf")
		if err := ExportGGUF(path, ck, c.quant); err != nil {
			t.Fatal(err)
		}
		m, err := ImportGGUF(path)
		if err != nil {
			t.Fatalf("%q: %v", c.quant, err)
		}
		if m.Config.NLayer != 2 || m.Config.NHead != 2 || m.Config.NEmbd != 32 || m.Config.BlockSize != 8 || m.Config.VocabSize != ck.Model.Config.VocabSize {
			t.Errorf("%q: config %v", c.quant, m.Config)
		}
		for name, w := range nn.StateDict(m) {
			var amax, worst float64
			for i, x := range want[name].Data() {
				amax = math.Max(amax, math.Abs(float64(x)))
				worst = math.Max(worst, math.Abs(float64(x-w.Data()[i])))
			}
			if worst > c.weight*amax {
				t.Errorf("%q: %s differs by %g (max |w| %g)", c.quant, name, worst, amax)
			}
		}
		ids := []int{1, 2, 3, 4, 5, 6, 7, 0}
		tp := autograd.NewTape()
		a, b := ck.Model.Forward(tp, ids, 1, 8).Data.Data(), m.Forward(tp, ids, 1, 8).Data.Data()
		for i := range a {
			if d := math.Abs(float64(a[i] - b[i])); d > c.logits {
				t.Fatalf("%q: logit %d is %v, exported %v", c.quant, i, a[i], b[i])
			}
		}
	}
}

func TestImportGGUFErrors(t *testing.T) {
	ck := exportCheckpoint(t, nn.Config{BlockSize: 8, NLayer: 1, NHead: 2, NEmbd: 32, Bias: true})
	dir := t.TempDir()
	path := filepath.Join(dir, "m.gguf")
	if err := ExportGGUF(path, ck, ""); err != nil {
		t.Fatal(err)
	}
	whole, _ := os.ReadFile(path)
	for _, c := range []struct {
		name string
		data []byte
		want string
	}{
		{"truncated", whole[:len(whole)/2], "import gguf"},
		{"not gguf", []byte("safetensors, really"), "import gguf"},
		{"empty", nil, "import gguf"},
	} {
		p := filepath.Join(dir, c.name)
		os.WriteFile(p, c.data, 0o644)
		if _, err := ImportGGUF(p); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v; want an error with %q", c.name, err, c.want)
		}
	}
	if _, err := ImportGGUF(filepath.Join(dir, "missing")); err == nil {
		t.Error("a missing file imported")
	}
}

// FuzzImportGGUF: any bytes give a model or an error, never a panic.
func FuzzImportGGUF(f *testing.F) {
	ck := exportCheckpoint(f, nn.Config{BlockSize: 1, NLayer: 1, NHead: 1, NEmbd: 2, Bias: true}) // a seed of ~1 KB
	path := filepath.Join(f.TempDir(), "seed.gguf")
	if err := ExportGGUF(path, ck, ""); err != nil {
		f.Fatal(err)
	}
	seed, _ := os.ReadFile(path)
	f.Add(seed)
	f.Fuzz(func(t *testing.T, b []byte) {
		p := filepath.Join(t.TempDir(), "f.gguf")
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		ImportGGUF(p)
	})
}
