package compress

import (
	"math"
	"slices"
	"testing"

	"github.com/tapegrad/tapegrad/autograd"
	"github.com/tapegrad/tapegrad/tensor"
)

// TestWandaMaskByHand: scores |W_ij|·‖X_j‖ and the half of each row that
// goes, computed by hand; magnitude alone would prune other entries.
func TestWandaMaskByHand(t *testing.T) {
	w := tensor.FromSlice([]float32{
		1, -2, 3, 0.5, // scores 1, 4, 1.5, 2: j0 and j2 go (by |w|: j3 and j0)
		4, 1, -1, 2, //   scores 4, 2, 0.5, 8: j2 and j1 go
	}, 2, 4)
	norms := []float64{1, 2, 0.5, 4}
	m, err := WandaMask(w, norms, Fraction(0.5))
	if err != nil {
		t.Fatal(err)
	}
	if want := []float32{0, 1, 0, 1, 1, 0, 0, 1}; !slices.Equal(m.Data(), want) {
		t.Errorf("WandaMask = %v; want %v", m.Data(), want)
	}
	m, _ = WandaMask(w, norms, Count(1))
	if want := []float32{0, 1, 1, 1, 1, 1, 0, 1}; !slices.Equal(m.Data(), want) {
		t.Errorf("WandaMask(Count(1)) = %v; want %v", m.Data(), want)
	}
	if _, err := WandaMask(w, norms, Fraction(2)); err == nil {
		t.Errorf("WandaMask(Fraction(2)): no error")
	}
}

// TestInputNorms: the norms of layer 0's c_attn input are those of
// ln_1(wte + wpe) computed directly, every prunable weight has norms of
// its input width, and the probes are removed afterwards.
func TestInputNorms(t *testing.T) {
	g, batches := testGPT(t, false)
	norms := InputNorms(g, batches)
	want := make([]float64, 16)
	for _, b := range batches {
		tp := autograd.NewTape()
		tp.NoGrad(func() {
			pos := make([]int, b.T)
			for i := range pos {
				pos[i] = i
			}
			x := tp.Add(g.Wte.Forward(tp, b.X, b.B, b.T), g.Wpe.Forward(tp, pos, b.T))
			for i, v := range g.Blocks[0].Ln1.Forward(tp, x).Data.Data() {
				want[i%16] += float64(v) * float64(v)
			}
		})
	}
	got := norms["transformer.h.0.attn.c_attn.weight"]
	for j := range want {
		if w := math.Sqrt(want[j]); math.Abs(got[j]-w) > 1e-9*(1+w) {
			t.Errorf("‖X_%d‖ = %v; want %v", j, got[j], w)
		}
	}
	ps := PrunableWeights(g)
	if len(ps) != 8 || len(norms) != 8 || ps[3].Name != "transformer.h.0.mlp.c_proj.weight" {
		t.Fatalf("%d prunable weights, %d norms, fourth %q", len(ps), len(norms), ps[3].Name)
	}
	for _, p := range ps {
		if len(norms[p.Name]) != p.Value.Data.Dim(1) {
			t.Errorf("%s: %d norms for %d inputs", p.Name, len(norms[p.Name]), p.Value.Data.Dim(1))
		}
	}
	for _, lin := range blockLinears(g) {
		if lin.Probe != nil {
			t.Fatal("InputNorms left a probe")
		}
	}
	masks, err := WandaMasks(g, norms, 0.25)
	if err != nil {
		t.Fatal(err)
	}
	for name, m := range masks {
		if zeros := zerosOf(m); zeros != m.Numel()/4 {
			t.Errorf("%s: %d of %d pruned; want a quarter", name, zeros, m.Numel())
		}
	}
}

// TestMagnitudeMasksNest: masks at a rising sparsity, applied in turn,
// keep what was pruned pruned; global masks prune the share overall.
func TestMagnitudeMasksNest(t *testing.T) {
	g, _ := testGPT(t, false)
	var prev map[string]*tensor.Tensor
	for _, s := range []float64{0.3, 0.6, 0.9} {
		masks, err := MagnitudeMasks(g, s, false)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range PrunableWeights(g) {
			m := masks[p.Name]
			if zeros := zerosOf(m); zeros != int(math.RoundToEven(s*float64(m.Numel()))) {
				t.Errorf("sparsity %v: %s has %d of %d pruned", s, p.Name, zeros, m.Numel())
			}
			for i, v := range m.Data() {
				if prev != nil && prev[p.Name].Data()[i] == 0 && v != 0 {
					t.Fatalf("sparsity %v: %s[%d] revived", s, p.Name, i)
				}
			}
			p.Value.Data.Mul(p.Value.Data, m)
		}
		prev = masks
	}
	masks, err := MagnitudeMasks(g, 0.95, true)
	if err != nil {
		t.Fatal(err)
	}
	var zeros, total int
	for _, m := range masks {
		zeros += zerosOf(m)
		total += m.Numel()
	}
	if want := int(math.RoundToEven(0.95 * float64(total))); zeros != want {
		t.Errorf("global: %d of %d pruned; want %d", zeros, total, want)
	}
}

func TestCubic(t *testing.T) {
	c := Cubic{Initial: 0, Final: 0.5, Steps: 10, Every: 4}
	for _, tc := range []struct {
		t   int
		s   float64
		due bool
	}{{0, 0, true}, {4, 0.5 - 0.5*0.216, true}, {5, 0.4375, false}, {8, 0.5 - 0.5*0.008, true}, {10, 0.5, true}, {12, 0.5, false}} {
		if s := c.Sparsity(tc.t); math.Abs(s-tc.s) > 1e-12 {
			t.Errorf("Sparsity(%d) = %v; want %v", tc.t, s, tc.s)
		}
		if d := c.Due(tc.t); d != tc.due {
			t.Errorf("Due(%d) = %v; want %v", tc.t, d, tc.due)
		}
	}
	if s := (Cubic{Final: 0.3}).Sparsity(0); s != 0.3 {
		t.Errorf("no steps: Sparsity(0) = %v; want 0.3", s)
	}
}

func zerosOf(m *tensor.Tensor) int {
	n := 0
	for _, v := range m.Data() {
		if v == 0 {
			n++
		}
	}
	return n
}
