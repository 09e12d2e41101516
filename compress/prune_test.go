package compress

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/tapegrad/tapegrad/tensor"
)

// amountOf reads a JSON amount as PyTorch does: an integer is a count, a
// number with a point or an exponent a fraction.
func amountOf(t *testing.T, raw json.RawMessage) Amount {
	var f float64
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(string(raw), ".eE") {
		return Fraction(f)
	}
	return Count(int(f))
}

// TestPruneTies: masks after one and two pruning steps (unstructured,
// structured along either dim with L1, L2, L∞ and L0 norms, mixed, and
// global) on tensors of small integers, where ties decide, equal PyTorch's
// (testdata/prune_ties.json, made by testdata/gen_prune_ties.py).
func TestPruneTies(t *testing.T) {
	raw, err := os.ReadFile("testdata/prune_ties.json")
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Cases []struct {
			Global  bool                `json:"global"`
			Shape   []int               `json:"shape"`
			Weight  []float32           `json:"weight"`
			Steps   [][]json.RawMessage `json:"steps"`
			Shapes  [][]int             `json:"shapes"`
			Weights [][]float32         `json:"weights"`
			Amounts []json.RawMessage   `json:"amounts"`
			Masks   json.RawMessage     `json:"masks"`
		} `json:"cases"`
	}
	if err := json.Unmarshal(raw, &file); err != nil || len(file.Cases) == 0 {
		t.Fatalf("prune_ties.json: %d cases, %v", len(file.Cases), err)
	}
	for i, c := range file.Cases {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			if c.Global {
				var want [][][]float32
				if err := json.Unmarshal(c.Masks, &want); err != nil {
					t.Fatal(err)
				}
				ps := make([]*Pruned, len(c.Weights))
				for j, w := range c.Weights {
					ps[j] = NewPruned(tensor.FromSlice(w, c.Shapes[j]...))
				}
				for s, a := range c.Amounts {
					if err := GlobalUnstructured(ps, amountOf(t, a)); err != nil {
						t.Fatal(err)
					}
					for j, p := range ps {
						if !slices.Equal(p.Mask.Data(), want[s][j]) {
							t.Fatalf("step %d, amount %s: mask %d = %v; want %v", s, a, j, p.Mask.Data(), want[s][j])
						}
					}
				}
				return
			}
			var want [][]float32
			if err := json.Unmarshal(c.Masks, &want); err != nil {
				t.Fatal(err)
			}
			p := NewPruned(tensor.FromSlice(c.Weight, c.Shape...))
			for s, step := range c.Steps {
				var kind string
				json.Unmarshal(step[0], &kind)
				amount := amountOf(t, step[1])
				switch kind {
				case "l1":
					err = p.L1Unstructured(amount)
				case "ln":
					var n float64
					var dim int
					if string(step[2]) == `"inf"` {
						n = math.Inf(1)
					} else {
						json.Unmarshal(step[2], &n)
					}
					json.Unmarshal(step[3], &dim)
					err = p.LnStructured(amount, n, dim)
				default:
					t.Fatalf("unknown step %q", kind)
				}
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(p.Mask.Data(), want[s]) {
					t.Fatalf("step %d %s: mask = %v; want %v", s, step, p.Mask.Data(), want[s])
				}
			}
		})
	}
}

// TestPruneCompose: pruning half of the survivors twice keeps the quarter of
// largest |w|, and the fraction is rounded half to even.
func TestPruneCompose(t *testing.T) {
	w := tensor.New(10, 10)
	for i := range w.Data() {
		w.Data()[i] = float32((i*37)%100) - 49.5 // distinct magnitudes in pairs ±
	}
	p := NewPruned(w)
	for _, want := range []int{50, 25, 13, 7} { // prunes 12.5 → 12, then 6.5 → 6
		if err := p.L1Unstructured(Fraction(0.5)); err != nil {
			t.Fatal(err)
		}
		if got := kept(p.Mask); got != want {
			t.Fatalf("after pruning half: %d kept; want %d", got, want)
		}
	}
	pw := p.Weight()
	minKept, maxPruned := math.Inf(1), 0.0
	for i, v := range w.Data() {
		if p.Mask.Data()[i] == 1 {
			minKept = min(minKept, math.Abs(float64(v)))
		} else {
			maxPruned = max(maxPruned, math.Abs(float64(v)))
		}
	}
	if minKept < maxPruned {
		t.Errorf("kept |w| ≥ %v but pruned one of %v", minKept, maxPruned)
	}
	for i, v := range w.Data() {
		if pw.Data()[i] != v*p.Mask.Data()[i] {
			t.Errorf("Weight()[%d] = %v; want %v", i, pw.Data()[i], v*p.Mask.Data()[i])
		}
	}
	if got := p.Remove(); got != w || !slices.Equal(got.Data(), pw.Data()) {
		t.Errorf("Remove did not bake the mask into w in place")
	}

	for _, c := range []struct {
		n    int
		frac float64
		want int
	}{{5, 0.5, 3}, {7, 0.5, 3}, {3, 0.5, 1}, {10, 0.25, 8}, {10, 0.35, 6}} {
		p := NewPruned(tensor.Ones(c.n))
		if err := p.L1Unstructured(Fraction(c.frac)); err != nil {
			t.Fatal(err)
		}
		if got := kept(p.Mask); got != c.want {
			t.Errorf("Fraction(%v) of %d: %d kept; want %d", c.frac, c.n, got, c.want)
		}
	}
}

func kept(mask *tensor.Tensor) int {
	n := 0
	for _, m := range mask.Data() {
		if m == 1 {
			n++
		}
	}
	return n
}

// TestPruneStructuredCompose: a second structured step counts only the
// channels the first left.
func TestPruneStructuredCompose(t *testing.T) {
	w := tensor.New(8, 3)
	for i := range w.Data() {
		w.Data()[i] = float32(i/3 + 1) // row r has norm growing with r
	}
	p := NewPruned(w)
	for _, want := range [][]int{{4, 5, 6, 7}, {6, 7}, {7}} {
		if err := p.LnStructured(Fraction(0.5), 2, 0); err != nil {
			t.Fatal(err)
		}
		var rows []int
		for r := range 8 {
			if p.Mask.At(r, 0) == 1 {
				rows = append(rows, r)
			}
		}
		if !slices.Equal(rows, want) {
			t.Fatalf("rows kept %v; want %v", rows, want)
		}
	}
}

func TestPruneErrors(t *testing.T) {
	p := NewPruned(tensor.Ones(2, 5))
	for _, c := range []struct {
		name string
		err  error
	}{
		{"Fraction(1.5)", p.L1Unstructured(Fraction(1.5))},
		{"Fraction(-0.1)", p.L1Unstructured(Fraction(-0.1))},
		{"Fraction(NaN)", p.L1Unstructured(Fraction(math.NaN()))},
		{"Count(11) of 10", p.L1Unstructured(Count(11))},
		{"Count(-1)", p.L1Unstructured(Count(-1))},
		{"global Count(21) of 20", GlobalUnstructured([]*Pruned{p, NewPruned(tensor.Ones(10))}, Count(21))},
		{"dim 2", p.LnStructured(Fraction(0.5), 2, 2)},
		{"dim -3", p.LnStructured(Fraction(0.5), 2, -3)},
		{"n -1", p.LnStructured(Fraction(0.5), -1, 0)},
		{"Count(3) of 2 rows", p.LnStructured(Count(3), 2, 0)},
		{"1-D", NewPruned(tensor.Ones(4)).LnStructured(Fraction(0.5), 2, 0)},
	} {
		if c.err == nil || !strings.HasPrefix(c.err.Error(), "compress: ") {
			t.Errorf("%s: error %v; want a compress: error", c.name, c.err)
		}
	}
	if kept(p.Mask) != 10 {
		t.Errorf("failed steps changed the mask: %v", p.Mask.Data())
	}
	defer func() {
		if _, ok := recover().(*tensor.ShapeError); !ok {
			t.Errorf("mismatched mask did not panic with a *tensor.ShapeError")
		}
	}()
	(&Pruned{Orig: tensor.Ones(2, 2), Mask: tensor.Ones(4)}).L1Unstructured(Count(1))
}
