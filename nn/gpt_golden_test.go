package nn

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"testing"

	"github.com/tapegrad/tapegrad/autograd"
	"github.com/tapegrad/tapegrad/internal/golden"
	"github.com/tapegrad/tapegrad/tensor"
)

// The golden file holds tiny GPTs run by the PyTorch reference
// (../shared/ref/ref_gpt.py, float64): config, parameters, a batch, logits,
// loss and every gradient. Another file of the same format runs with
// -golden-gpt FILE.
var goldenGPT = flag.String("golden-gpt", "testdata/golden/gpt.json", "PyTorch golden file of tiny GPTs")

type goldenModel struct {
	Config  json.RawMessage          `json:"config"`
	Params  map[string]golden.Tensor `json:"params"`
	Idx     golden.Tensor            `json:"idx"`
	Targets golden.Tensor            `json:"targets"`
	Logits  golden.Tensor            `json:"logits"`
	Loss    float64                  `json:"loss"`
	Grads   map[string]golden.Tensor `json:"grads"`
}

// goldenConfig reads a model's config, failing on anything it does not know
// or does not implement.
func goldenConfig(raw json.RawMessage) (Config, error) {
	var c struct {
		Config
		TiedEmbeddings *bool   `json:"tied_embeddings"`
		Gelu           *string `json:"gelu"`
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return Config{}, fmt.Errorf("config: %v", err)
	}
	if c.TiedEmbeddings != nil && !*c.TiedEmbeddings {
		return Config{}, fmt.Errorf("config: untied embeddings are not implemented")
	}
	if c.Gelu != nil && *c.Gelu != "exact" {
		return Config{}, fmt.Errorf("config: gelu %q is not implemented", *c.Gelu)
	}
	return c.Config, nil
}

// TestGoldenGPT builds every model of the golden file from its config,
// loads its parameters by name, and matches the logits and loss within 1e-4
// relative (+1e-5 absolute) and every parameter's gradient within 1e-3
// relative (+1e-4 absolute).
func TestGoldenGPT(t *testing.T) {
	raw, err := os.ReadFile(*goldenGPT)
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Models []goldenModel `json:"models"`
	}
	if err := json.Unmarshal(raw, &file); err != nil {
		t.Fatalf("%s: %v", *goldenGPT, err)
	}
	if len(file.Models) == 0 {
		t.Fatalf("%s holds no models", *goldenGPT)
	}
	for i, m := range file.Models {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			cfg, err := goldenConfig(m.Config)
			if err != nil {
				t.Fatal(err)
			}
			g, err := NewGPT(cfg, 1)
			if err != nil {
				t.Fatal(err)
			}
			sd := make(map[string]*tensor.Tensor)
			for name, p := range m.Params {
				sd[name] = p.Float32()
			}
			if err := LoadStateDict(g, sd); err != nil {
				t.Fatal(err)
			}
			b, tt := m.Idx.Shape[0], m.Idx.Shape[1]
			tp := autograd.NewTape()
			logits, loss := g.Loss(tp, m.Idx.Ints(), m.Targets.Ints(), b, tt)
			golden.Compare(t, "logits", logits.Data, m.Logits, 1e-4, 1e-5)
			if got := float64(loss.Item()); math.Abs(got-m.Loss) > 1e-4*math.Abs(m.Loss)+1e-5 {
				t.Fatalf("loss = %.7f; want %.7f", got, m.Loss)
			}
			tp.Backward(loss)
			if len(m.Grads) != len(g.Params()) {
				t.Errorf("file has %d gradients; the model has %d parameters", len(m.Grads), len(g.Params()))
			}
			for _, p := range g.Params() {
				want, ok := m.Grads[p.Name]
				if !ok {
					t.Fatalf("no golden gradient for %s", p.Name)
				}
				golden.Compare(t, "grad "+p.Name, p.Value.Grad, want, 1e-3, 1e-4)
			}
		})
	}
}
