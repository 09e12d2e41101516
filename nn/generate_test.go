package nn

import (
	"fmt"
	"math"
	"testing"

	"github.com/tapegrad/tapegrad/tensor"
)

func testGPT(t testing.TB, rope bool) *GPT {
	g, err := NewGPT(Config{VocabSize: 17, BlockSize: 12, NLayer: 2, NHead: 2, NEmbd: 16, RoPE: rope, Bias: true}, 3)
	if err != nil {
		t.Fatal(err)
	}
	// Larger weights than the init, so logits differ visibly between tokens.
	for i, p := range g.Params() {
		p.Value.Data.Add(p.Value.Data, tensor.Randn(uint64(100+i), 0, 0.3, p.Value.Shape()...))
	}
	return g
}

// TestCachedDecodingMatchesFullContext: logits from the KV-cached decoder
// equal those of re-running the whole context while it fits in the block,
// and, with learned positions, of re-running the cropped context after it;
// with RoPE the cache slides (sliding-window attention) and stays finite.
func TestCachedDecodingMatchesFullContext(t *testing.T) {
	for _, rope := range []bool{true, false} {
		t.Run(fmt.Sprintf("rope=%v", rope), func(t *testing.T) {
			g := testGPT(t, rope)
			d := g.NewDecoder()
			context := []int{1, 5, 9}
			got := d.Append(context...)
			for step := range 20 {
				want := g.LastLogits(context)
				sliding := rope && len(context) > g.Config.BlockSize
				for i := range want {
					if sliding {
						if math.IsNaN(float64(got[i])) || math.IsInf(float64(got[i]), 0) {
							t.Fatalf("step %d: sliding-window logit[%d] = %v", step, i, got[i])
						}
						continue
					}
					if math.Abs(float64(got[i]-want[i])) > 1e-5*(1+math.Abs(float64(want[i]))) {
						t.Fatalf("step %d (context %d): cached logit[%d] = %v; full context %v", step, len(context), i, got[i], want[i])
					}
				}
				next := (step*7 + 3) % g.Config.VocabSize
				context = append(context, next)
				got = d.Append(next)
			}
		})
	}
}

func TestGenerate(t *testing.T) {
	g := testGPT(t, true)
	greedy, err := g.Generate([]int{1, 2}, 9, Sampling{}) // 11 tokens: within the block
	if err != nil {
		t.Fatal(err)
	}
	uncached, err := g.Generate([]int{1, 2}, 9, Sampling{NoCache: true})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(greedy) != fmt.Sprint(uncached) {
		t.Errorf("greedy cached %v; uncached %v", greedy, uncached)
	}
	s := Sampling{Temperature: 0.8, TopK: 5, TopP: 0.9, Seed: 7}
	a, _ := g.Generate([]int{3}, 30, s)
	b, _ := g.Generate([]int{3}, 30, s)
	if len(a) != 30 || fmt.Sprint(a) != fmt.Sprint(b) {
		t.Errorf("same seed gave %v and %v", a, b)
	}
	var streamed []int
	s.OnToken = func(id int) bool { streamed = append(streamed, id); return len(streamed) < 4 }
	c, _ := g.Generate([]int{3}, 30, s)
	if len(c) != 4 || fmt.Sprint(c) != fmt.Sprint(a[:4]) {
		t.Errorf("OnToken stop: got %v; want %v", c, a[:4])
	}
	for _, bad := range []struct {
		prompt []int
		s      Sampling
	}{{nil, Sampling{}}, {[]int{99}, Sampling{}}, {[]int{1}, Sampling{TopP: 2}}} {
		if _, err := g.Generate(bad.prompt, 3, bad.s); err == nil {
			t.Errorf("Generate(%v, %+v) gave no error", bad.prompt, bad.s)
		}
	}
}

func TestTopKOne(t *testing.T) {
	g := testGPT(t, false)
	greedy, _ := g.Generate([]int{4}, 10, Sampling{})
	topk1, _ := g.Generate([]int{4}, 10, Sampling{Temperature: 1, TopK: 1, Seed: 3})
	if fmt.Sprint(greedy) != fmt.Sprint(topk1) {
		t.Errorf("top-k 1 sampling %v differs from greedy %v", topk1, greedy)
	}
}

func BenchmarkGenerate(b *testing.B) {
	g, _ := NewGPT(Config{VocabSize: 65, BlockSize: 256, NLayer: 4, NHead: 4, NEmbd: 128, Bias: true}, 1)
	for _, cached := range []bool{true, false} {
		b.Run(fmt.Sprintf("cached=%v", cached), func(b *testing.B) {
			for b.Loop() {
				g.Generate([]int{1}, 64, Sampling{NoCache: !cached})
			}
			b.ReportMetric(64*float64(b.N)/b.Elapsed().Seconds(), "tokens/s")
		})
	}
}
