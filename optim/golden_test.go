package optim

import (
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/tapegrad/tapegrad/autograd"
	"github.com/tapegrad/tapegrad/internal/golden"
	"github.com/tapegrad/tapegrad/nn"
)

// The golden file holds AdamW steps computed by PyTorch 1.13 in float64
// (../shared/ref/gen_golden.py: torch.optim.AdamW with two param groups);
// see ../shared/README.md. Another file of the same format runs with
// -golden-adamw FILE.
var goldenAdamW = flag.String("golden-adamw", "testdata/golden/adamw.json", "PyTorch golden file of AdamW steps")

// TestGoldenAdamW runs every step of the golden file. The parameters are
// named by the keys of hyper.weight_decay; "<name>0" is a parameter's start,
// and each step holds "<name>" (its gradient) and "<name>_after". Each
// parameter is its own group with its own decay. A key the test does not
// know fails it.
func TestGoldenAdamW(t *testing.T) {
	raw, err := os.ReadFile(*goldenAdamW)
	if err != nil {
		t.Fatal(err)
	}
	var file map[string]json.RawMessage
	if err := json.Unmarshal(raw, &file); err != nil {
		t.Fatalf("%s: %v", *goldenAdamW, err)
	}
	var hyper struct {
		LR          float64            `json:"lr"`
		Beta1       float64            `json:"beta1"`
		Beta2       float64            `json:"beta2"`
		Eps         float64            `json:"eps"`
		WeightDecay map[string]float64 `json:"weight_decay"`
	}
	dec := json.NewDecoder(strings.NewReader(string(file["hyper"])))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&hyper); err != nil {
		t.Fatalf("hyper: %v", err)
	}
	var names []string
	for name := range hyper.WeightDecay {
		names = append(names, name)
	}
	sort.Strings(names)
	if len(names) == 0 {
		t.Fatal("hyper.weight_decay names no parameters")
	}

	known := map[string]bool{"hyper": true, "steps": true}
	var groups []Group
	params := map[string]nn.Param{}
	for _, name := range names {
		known[name+"0"] = true
		var g0 golden.Tensor
		if err := json.Unmarshal(file[name+"0"], &g0); err != nil {
			t.Fatalf("%s0: %v", name, err)
		}
		p := nn.Param{Name: name, Value: autograd.Param(g0.Float32())}
		params[name] = p
		groups = append(groups, Group{Params: []nn.Param{p}, WeightDecay: hyper.WeightDecay[name]})
	}
	for k := range file {
		if !known[k] {
			t.Errorf("unknown key %q in %s", k, *goldenAdamW)
		}
	}
	var steps []map[string]golden.Tensor
	if err := json.Unmarshal(file["steps"], &steps); err != nil {
		t.Fatalf("steps: %v", err)
	}
	if len(steps) == 0 {
		t.Fatal("no steps")
	}

	opt := NewAdamW(groups, AdamConfig{LR: hyper.LR, Beta1: hyper.Beta1, Beta2: hyper.Beta2, Eps: hyper.Eps})
	const rtol, atol = 1e-6, 1e-6
	worst := 0.0 // the largest |got − want|, logged to show the margin
	for si, step := range steps {
		for k := range step {
			name, _ := strings.CutSuffix(k, "_after")
			if _, ok := params[name]; !ok {
				t.Fatalf("step %d: unknown key %q", si, k)
			}
		}
		for _, name := range names {
			g, ok := step[name]
			if !ok {
				t.Fatalf("step %d: no gradient for %s", si, name)
			}
			params[name].Value.Grad = g.Float32()
		}
		opt.Step()
		for _, name := range names {
			want, ok := step[name+"_after"]
			if !ok {
				t.Fatalf("step %d: no %s_after", si, name)
			}
			got := params[name].Value.Data
			if fmt.Sprint(got.Shape()) != fmt.Sprint(want.Shape) {
				t.Fatalf("step %d: %s has shape %v; want %v", si, name, got.Shape(), want.Shape)
			}
			bad := 0
			for i, w := range want.Data {
				g := float64(got.Data()[i])
				d := math.Abs(g - w)
				worst = max(worst, d)
				if !(d <= atol+rtol*math.Abs(w)) {
					if bad++; bad <= 5 {
						t.Errorf("step %d: %s[%d] = %.9g; want %.9g (diff %.3g)", si, name, i, g, w, d)
					}
				}
			}
		}
	}
	t.Logf("%s: %d steps, largest difference %.3g", *goldenAdamW, len(steps), worst)
	if opt.StepCount() != len(steps) {
		t.Errorf("StepCount() = %d; want %d", opt.StepCount(), len(steps))
	}
}
