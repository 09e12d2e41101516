package compress

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/tapegrad/tapegrad/autograd"
	"github.com/tapegrad/tapegrad/nn"
	"github.com/tapegrad/tapegrad/tensor"
)

// testGPT returns a small GPT with weights larger than the init, so heads
// and units matter visibly, and two calibration batches.
func testGPT(t *testing.T, rope bool) (*nn.GPT, []Batch) {
	t.Helper()
	g, err := nn.NewGPT(nn.Config{VocabSize: 11, BlockSize: 8, NLayer: 2, NHead: 4, NEmbd: 16, RoPE: rope, Bias: true}, 1)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range g.Params() {
		p.Value.Data.Add(p.Value.Data, tensor.Randn(uint64(50+i), 0, 0.3, p.Value.Shape()...))
	}
	var batches []Batch
	for s := range 2 {
		b := Batch{B: 2, T: 6}
		for i := range b.B * b.T {
			b.X = append(b.X, (i*3+s*5)%11)
			b.Y = append(b.Y, (i*7+s+1)%11)
		}
		batches = append(batches, b)
	}
	return g, batches
}

func logitsOf(g *nn.GPT, b Batch) []float32 {
	tp := autograd.NewTape()
	var out *autograd.Value
	tp.NoGrad(func() { out = g.Forward(tp, b.X, b.B, b.T) })
	return slices.Clone(out.Data.Data())
}

func lossOf(g *nn.GPT, b Batch) float64 {
	tp := autograd.NewTape()
	var loss *autograd.Value
	tp.NoGrad(func() { _, loss = g.Loss(tp, b.X, b.Y, b.B, b.T) })
	return float64(loss.Item())
}

func closeLogits(t *testing.T, what string, got, want []float32) {
	t.Helper()
	for i := range want {
		if math.Abs(float64(got[i]-want[i])) > 1e-5*(1+math.Abs(float64(want[i]))) {
			t.Fatalf("%s: logit[%d] = %v; want %v", what, i, got[i], want[i])
		}
	}
}

// scaleHead multiplies head h's v rows (weights and bias) in layer l's
// c_attn by f: its output scales by f exactly, a gate on the head.
func scaleHead(g *nn.GPT, l, h int, f float32) {
	a := g.Blocks[l].Attn
	hd, c := a.HeadSize(), a.CAttn.Weight.Data.Dim(1)
	w := a.CAttn.Weight.Data.Data()
	for r := (2*a.NHead + h) * hd; r < (2*a.NHead+h+1)*hd; r++ {
		for j := range c {
			w[r*c+j] *= f
		}
		a.CAttn.Bias.Data.Data()[r] *= f
	}
}

// scaleUnit multiplies column u of layer l's MLP c_proj by f: a gate on
// hidden unit u.
func scaleUnit(g *nn.GPT, l, u int, f float32) {
	p := g.Blocks[l].MLP.CProj.Weight.Data
	for o := range p.Dim(0) {
		p.Data()[o*p.Dim(1)+u] *= f
	}
}

// TestRemoveZeroHead: a head whose output is exactly zero (its v rows are
// zero) can be removed without changing the logits, and so can a hidden
// unit whose c_proj column is zero; the smaller models have the expected
// shapes and parameter counts.
func TestRemoveZeroHead(t *testing.T) {
	for _, rope := range []bool{false, true} {
		t.Run(fmt.Sprintf("rope=%v", rope), func(t *testing.T) {
			g, batches := testGPT(t, rope)
			scaleHead(g, 0, 2, 0)
			scaleHead(g, 1, 0, 0)
			scaleHead(g, 1, 3, 0)
			want := logitsOf(g, batches[0])
			small, err := RemoveHeads(g, [][]int{{2}, {0, 3}})
			if err != nil {
				t.Fatal(err)
			}
			closeLogits(t, "without the zero heads", logitsOf(small, batches[0]), want)
			if got := small.Config.LayerHeads; !slices.Equal(got, []int{3, 2}) {
				t.Errorf("LayerHeads = %v; want [3 2]", got)
			}
			sd := nn.StateDict(small)
			for name, shape := range map[string][]int{
				"transformer.h.0.attn.c_attn.weight": {36, 16}, "transformer.h.0.attn.c_attn.bias": {36},
				"transformer.h.0.attn.c_proj.weight": {16, 12}, "transformer.h.1.attn.c_attn.weight": {24, 16},
				"transformer.h.1.attn.c_proj.weight": {16, 8}, "transformer.h.1.mlp.c_fc.weight": {64, 16},
			} {
				if !slices.Equal(sd[name].Shape(), shape) {
					t.Errorf("%s: shape %v; want %v", name, sd[name].Shape(), shape)
				}
			}
			// 3 heads of 4 gone, each 3·D·C + 3·D weights and biases in c_attn, C·D in c_proj.
			if got, want := nn.NumParams(small), nn.NumParams(g)-3*(3*4*16+3*4+16*4); got != want {
				t.Errorf("NumParams = %d; want %d", got, want)
			}

			scaleUnit(small, 0, 5, 0)
			scaleUnit(small, 1, 63, 0)
			want = logitsOf(small, batches[1])
			smaller, err := RemoveNeurons(small, [][]int{{5}, {63}})
			if err != nil {
				t.Fatal(err)
			}
			closeLogits(t, "without the zero units", logitsOf(smaller, batches[1]), want)
			if got := smaller.Config.LayerMLP; !slices.Equal(got, []int{63, 63}) || !slices.Equal(smaller.Config.LayerHeads, []int{3, 2}) {
				t.Errorf("config %v; want layer_mlp [63 63], layer_heads [3 2]", smaller.Config)
			}
			if got, want := nn.NumParams(smaller), nn.NumParams(small)-2*(16+1+16); got != want {
				t.Errorf("NumParams = %d; want %d", got, want)
			}
			if _, err := smaller.Generate([]int{1, 2}, 5, nn.Sampling{}); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestGateGradFiniteDifference: the gradient with respect to a head's (or
// a unit's) gate agrees with the central difference of the loss as the
// gate moves around 1.
func TestGateGradFiniteDifference(t *testing.T) {
	g, batches := testGPT(t, true)
	b := batches[0]
	heads, neurons := gateGrads(g, b)
	const eps = 1e-2
	fd := func(scale func(f float32)) float64 {
		scale(1 + eps)
		up := lossOf(g, b)
		scale(1 / (1 + eps))
		scale(1 - eps)
		down := lossOf(g, b)
		scale(1 / (1 - eps))
		return (up - down) / (2 * eps)
	}
	check := func(what string, got, want float64) {
		if math.Abs(got-want) > 2e-3+2e-2*math.Abs(want) {
			t.Errorf("%s: gate gradient %.6f; finite difference %.6f", what, got, want)
		}
	}
	for l := range 2 {
		for h := range 4 {
			check(fmt.Sprintf("layer %d head %d", l, h), heads[l][h], fd(func(f float32) { scaleHead(g, l, h, f) }))
		}
		for _, u := range []int{0, 17, 63} {
			check(fmt.Sprintf("layer %d unit %d", l, u), neurons[l][u], fd(func(f float32) { scaleUnit(g, l, u, f) }))
		}
	}
	for _, p := range g.Params() {
		if p.Value.Grad != nil && slices.ContainsFunc(p.Value.Grad.Data(), func(x float32) bool { return x != 0 }) {
			t.Fatalf("%s: gradient left non-zero", p.Name)
		}
	}
}

// TestHeadImportance: scores are the mean of the per-batch |∂L/∂g|,
// normalised to unit L2 norm in each layer; a zeroed head scores zero.
func TestHeadImportance(t *testing.T) {
	g, batches := testGPT(t, false)
	scaleHead(g, 1, 2, 0)
	heads := HeadImportance(g, batches)
	g0, _ := gateGrads(g, batches[0])
	g1, _ := gateGrads(g, batches[1])
	for l, layer := range heads {
		var norm, raw float64
		for h, s := range layer {
			norm += s * s
			m := (math.Abs(g0[l][h]) + math.Abs(g1[l][h])) / 2
			raw += m * m
		}
		if math.Abs(norm-1) > 1e-9 {
			t.Errorf("layer %d: squared norm %v; want 1", l, norm)
		}
		for h, s := range layer {
			m := (math.Abs(g0[l][h]) + math.Abs(g1[l][h])) / 2
			if want := m / math.Sqrt(raw); math.Abs(s-want) > 1e-12 {
				t.Errorf("score[%d][%d] = %v; want %v", l, h, s, want)
			}
		}
	}
	if heads[1][2] != 0 {
		t.Errorf("zeroed head scores %v; want 0", heads[1][2])
	}
	if n := NeuronImportance(g, batches); len(n) != 2 || len(n[0]) != 64 {
		t.Errorf("NeuronImportance shape %d×%d", len(n), len(n[0]))
	}
}

// TestPruneHeadsSelection: the lowest scores across layers go first, but
// every layer keeps a head; too many is an error.
func TestPruneHeadsSelection(t *testing.T) {
	g, _ := testGPT(t, false)
	scores := [][]float64{{0.1, 0.2, 0.3, 0.05}, {0.9, 0.8, 0.7, 0.6}}
	small, removed, err := PruneHeads(g, scores, Fraction(0.5))
	if err != nil {
		t.Fatal(err)
	}
	if want := [][]int{{0, 1, 3}, {3}}; !slices.EqualFunc(removed, want, slices.Equal) {
		t.Errorf("removed %v; want %v", removed, want)
	}
	if !slices.Equal(small.Config.LayerHeads, []int{1, 3}) {
		t.Errorf("LayerHeads = %v", small.Config.LayerHeads)
	}
	// Seven of eight: layer 0 keeps its best head, then layer 1's go.
	_, removed, err = PruneHeads(g, scores, Count(6))
	if err != nil || !slices.EqualFunc(removed, [][]int{{0, 1, 3}, {1, 2, 3}}, slices.Equal) {
		t.Errorf("Count(6): removed %v, %v", removed, err)
	}
	if _, _, err := PruneHeads(g, scores, Count(7)); err == nil || !strings.Contains(err.Error(), "keeps at least one") {
		t.Errorf("Count(7): %v; want an error", err)
	}
	if _, _, err := PruneHeads(g, scores, Fraction(1.5)); err == nil {
		t.Errorf("Fraction(1.5): no error")
	}
	if _, err := RemoveHeads(g, [][]int{{0, 0}}); err == nil {
		t.Errorf("RemoveHeads with a repeated index: no error")
	}
	small, removed, err = PruneNeurons(g, rampScores(2, 64), Fraction(0.25))
	if err != nil || !slices.Equal(small.Config.LayerMLP, []int{48, 48}) || len(removed[0]) != 16 {
		t.Errorf("PruneNeurons: %v, removed %d, %v", small.Config.LayerMLP, len(removed[0]), err)
	}
}

// rampScores returns l layers of n scores 0, 1, … n−1.
func rampScores(l, n int) [][]float64 {
	s := make([][]float64, l)
	for i := range s {
		for j := range n {
			s[i] = append(s[i], float64(j))
		}
	}
	return s
}
