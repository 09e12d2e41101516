package autograd

import (
	"flag"
	"fmt"
	"math"
	"testing"

	"github.com/tapegrad/tapegrad/tensor"
)

// flashWith is CausalAttention with the given block sizes.
func flashWith(br, bc int) func(tp *Tape, q, k, v *Value, scale float32) *Value {
	return func(tp *Tape, q, k, v *Value, scale float32) *Value {
		checkAttention("flash", q, k, v)
		return tp.Apply("causal_attention", &flashAttention{scale: scale, br: br, bc: bc}, q, k, v)
	}
}

// runAttention runs attn forward and backward (seeded with fixed random
// weights) on q, k, v [B, H, T, D] drawn from seed, with gradients for the
// inputs named in need ("qkv" for all), and returns the result and the
// gradients (nil where not needed).
func runAttention(attn func(tp *Tape, q, k, v *Value, scale float32) *Value, shape []int, seed uint64, need string) (*tensor.Tensor, []*tensor.Tensor) {
	in := make([]*Value, 3)
	for i, name := range "qkv" {
		x := tensor.Randn(seed+uint64(i), 0, 1, shape...)
		if containsRune(need, name) {
			in[i] = Param(x)
		} else {
			in[i] = Const(x)
		}
	}
	tp := NewTape()
	scale := float32(1 / math.Sqrt(float64(shape[3])))
	out := attn(tp, in[0], in[1], in[2], scale)
	tp.BackwardWith(out, tensor.Randn(seed+99, 0, 1, out.Shape()...))
	grads := make([]*tensor.Tensor, 3)
	for i, v := range in {
		grads[i] = v.Grad
	}
	return out.Data.Clone(), grads
}

func containsRune(s string, r rune) bool {
	for _, c := range s {
		if c == r {
			return true
		}
	}
	return false
}

// nearTol fails unless got and want agree within tol·(1 + |want|) everywhere.
func nearTol(t *testing.T, what string, got, want *tensor.Tensor, tol float64) {
	t.Helper()
	if !got.SameShape(want) {
		t.Fatalf("%s: shape %v; want %v", what, got.Shape(), want.Shape())
	}
	for i, w := range want.Data() {
		g := got.Data()[i]
		if d := math.Abs(float64(g - w)); !(d <= tol*(1+math.Abs(float64(w)))) {
			t.Fatalf("%s[%d] = %v; naive %v (diff %.3g)", what, i, g, w, d)
		}
	}
}

func TestFlashMatchesNaive(t *testing.T) {
	naive := (*Tape).CausalAttentionNaive
	tiles := []struct{ br, bc int }{{flashBr, flashBc}, {16, 32}, {32, 16}, {5, 3}}
	for _, T := range []int{1, 7, 64, 129, 200} {
		for _, D := range []int{4, 16, 32} {
			for _, tl := range tiles {
				shape := []int{2, 3, T, D}
				t.Run(fmt.Sprintf("T=%d/D=%d/tile=%dx%d", T, D, tl.br, tl.bc), func(t *testing.T) {
					seed := uint64(T*100 + D)
					fy, fg := runAttention(flashWith(tl.br, tl.bc), shape, seed, "qkv")
					ny, ng := runAttention(naive, shape, seed, "qkv")
					nearTol(t, "value", fy, ny, 1e-5)
					for i, name := range []string{"dq", "dk", "dv"} {
						nearTol(t, name, fg[i], ng[i], 1e-5)
					}
				})
			}
		}
	}
}

// TestFlashMatchesNaiveRoPE: the same with RoPE on q and k before the
// attention, as the GPT does, so gradients flow through both ops.
func TestFlashMatchesNaiveRoPE(t *testing.T) {
	withRoPE := func(attn func(tp *Tape, q, k, v *Value, scale float32) *Value) func(tp *Tape, q, k, v *Value, scale float32) *Value {
		return func(tp *Tape, q, k, v *Value, scale float32) *Value {
			return attn(tp, tp.RoPE(q, 10000, 0), tp.RoPE(k, 10000, 0), v, scale)
		}
	}
	for _, T := range []int{1, 7, 64, 129} {
		t.Run(fmt.Sprintf("T=%d", T), func(t *testing.T) {
			shape := []int{2, 2, T, 16}
			fy, fg := runAttention(withRoPE((*Tape).CausalAttention), shape, 5, "qkv")
			ny, ng := runAttention(withRoPE((*Tape).CausalAttentionNaive), shape, 5, "qkv")
			nearTol(t, "value", fy, ny, 1e-5)
			for i, name := range []string{"dq", "dk", "dv"} {
				nearTol(t, name, fg[i], ng[i], 1e-5)
			}
		})
	}
}

// TestFlashPublicIsFlash: CausalAttention is the flash op with the
// calibrated tiles.
func TestFlashPublicIsFlash(t *testing.T) {
	shape := []int{1, 2, 150, 8}
	fy, fg := runAttention((*Tape).CausalAttention, shape, 7, "qkv")
	ny, ng := runAttention(flashWith(flashBr, flashBc), shape, 7, "qkv")
	nearTol(t, "value", fy, ny, 0)
	for i := range fg {
		nearTol(t, "grad", fg[i], ng[i], 0)
	}
}

// TestFlashSomeGrads: inputs that need no gradient get none, and the others
// still match the reference.
func TestFlashSomeGrads(t *testing.T) {
	shape := []int{1, 2, 70, 8}
	for _, need := range []string{"q", "k", "v", "qk", "kv", "qv"} {
		t.Run(need, func(t *testing.T) {
			fy, fg := runAttention(flashWith(16, 16), shape, 3, need)
			ny, ng := runAttention((*Tape).CausalAttentionNaive, shape, 3, need)
			nearTol(t, "value", fy, ny, 1e-5)
			for i, name := range "qkv" {
				if (fg[i] != nil) != containsRune(need, name) {
					t.Fatalf("grad of %c is %v; want it only for %q", name, fg[i], need)
				}
				if fg[i] != nil {
					nearTol(t, "d"+string(name), fg[i], ng[i], 1e-5)
				}
			}
		})
	}
}

func TestFlashCheckGrad(t *testing.T) {
	for _, c := range []struct {
		shape  []int
		br, bc int
	}{
		{[]int{1, 2, 6, 3}, 2, 3},
		{[]int{2, 1, 7, 4}, 3, 2},
		{[]int{1, 1, 9, 2}, flashBr, flashBc},
	} {
		t.Run(fmt.Sprintf("%v/tile=%dx%d", c.shape, c.br, c.bc), func(t *testing.T) {
			f := func(tp *Tape, in []*Value) *Value {
				return flashWith(c.br, c.bc)(tp, in[0], in[1], in[2], 0.7)
			}
			var inputs []*tensor.Tensor
			for i := range 3 {
				inputs = append(inputs, tensor.Randn(uint64(10+i), 0, 1, c.shape...))
			}
			for i, e := range CheckGrad(f, inputs...) {
				if e > 2e-3 {
					t.Errorf("input %d: relative gradient error %.3g; want ≤ 2e-3", i, e)
				}
			}
		})
	}
}

// TestFlashNoGrad: under NoGrad (or with no input needing a gradient) the op
// records nothing and keeps only its result.
func TestFlashNoGrad(t *testing.T) {
	shape := []int{2, 2, 100, 8}
	q, k, v := Param(tensor.Randn(1, 0, 1, shape...)), Param(tensor.Randn(2, 0, 1, shape...)), Param(tensor.Randn(3, 0, 1, shape...))
	want := func() *tensor.Tensor {
		tp := NewTape()
		return tp.CausalAttentionNaive(q, k, v, 0.3).Data.Clone()
	}()
	for _, c := range []struct {
		name string
		run  func(tp *Tape) *Value
	}{
		{"NoGrad", func(tp *Tape) (y *Value) {
			tp.NoGrad(func() { y = tp.CausalAttention(q, k, v, 0.3) })
			return y
		}},
		{"consts", func(tp *Tape) *Value {
			return tp.CausalAttention(Const(q.Data), Const(k.Data), Const(v.Data), 0.3)
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			tp := NewTape()
			y := c.run(tp)
			if tp.Len() != 0 || len(tp.owned) != 1 {
				t.Errorf("recorded %d ops, owns %d buffers; want 0 and 1 (the result)", tp.Len(), len(tp.owned))
			}
			if y.requiresGrad {
				t.Error("result requires a gradient")
			}
			if lent, out := tp.Pool().Stats().Lent, int64(4*y.Data.Numel()); lent > 2*out {
				t.Errorf("pool lends %d bytes after the op; want only the result's %d (rounded up)", lent, out)
			}
			nearTol(t, "value", y.Data, want, 1e-5)
		})
	}
}

// attentionPeak returns the tape pool's peak during forward and backward.
func attentionPeak(attn func(tp *Tape, q, k, v *Value, scale float32) *Value, shape []int) int64 {
	q, k, v := Param(tensor.Randn(1, 0, 1, shape...)), Param(tensor.Randn(2, 0, 1, shape...)), Param(tensor.Randn(3, 0, 1, shape...))
	g := tensor.Randn(4, 0, 1, shape...)
	tp := NewTape()
	tp.Pool().ResetPeak()
	tp.BackwardWith(attn(tp, q, k, v, 0.2), g)
	return tp.Pool().Stats().PeakLent
}

func TestFlashPeakMemory(t *testing.T) {
	shape := []int{1, 4, 512, 32}
	flash := attentionPeak((*Tape).CausalAttention, shape)
	naive := attentionPeak((*Tape).CausalAttentionNaive, shape)
	t.Logf("T=512: peak %d bytes flash, %d naive (%.3f)", flash, naive, float64(flash)/float64(naive))
	if flash*10 >= naive {
		t.Errorf("flash peak %d bytes ≥ 1/10 of naive's %d", flash, naive)
	}
	// Linear in T: doubling T at most a bit more than doubles the peak.
	long := attentionPeak((*Tape).CausalAttention, []int{1, 4, 1024, 32})
	if long > 2*flash+flash/2 {
		t.Errorf("flash peak %d bytes at T=1024, %d at T=512: not linear in T", long, flash)
	}
}

// BenchmarkAttention times forward + backward of the flash and the naive
// attention side by side, B=1, H=4, D=32.
func BenchmarkAttention(b *testing.B) {
	impls := []struct {
		name string
		f    func(tp *Tape, q, k, v *Value, scale float32) *Value
	}{{"flash", (*Tape).CausalAttention}, {"naive", (*Tape).CausalAttentionNaive}}
	for _, T := range []int{256, 1024, 2048} {
		for _, im := range impls {
			b.Run(fmt.Sprintf("impl=%s/T=%d", im.name, T), func(b *testing.B) {
				benchAttention(b, im.f, []int{1, 4, T, 32})
			})
		}
	}
}

func benchAttention(b *testing.B, f func(tp *Tape, q, k, v *Value, scale float32) *Value, shape []int) {
	q, k, v := Param(tensor.Randn(1, 0, 1, shape...)), Param(tensor.Randn(2, 0, 1, shape...)), Param(tensor.Randn(3, 0, 1, shape...))
	g := tensor.Randn(4, 0, 1, shape...)
	tp := NewTape()
	scale := float32(1 / math.Sqrt(float64(shape[3])))
	b.ReportAllocs()
	for b.Loop() {
		tp.Reset()
		tp.BackwardWith(f(tp, q, k, v, scale), g)
	}
	tp.Pool().ResetPeak()
	tp.Reset()
	tp.BackwardWith(f(tp, q, k, v, scale), g)
	b.ReportMetric(float64(tp.Pool().Stats().PeakLent)/(1<<20), "peak-MiB")
}

// BenchmarkAttentionSmall times forward + backward at the shapes of a small
// GPT's training step (B=12, H=4, D=32, short T), where per-call overhead
// rather than arithmetic decides the speed. impl=tiled is the flash op on
// flashBr×flashBc tiles, against which flashWhole (one tile per head up to
// that T) is calibrated.
func BenchmarkAttentionSmall(b *testing.B) {
	impls := []struct {
		name string
		f    func(tp *Tape, q, k, v *Value, scale float32) *Value
	}{{"flash", (*Tape).CausalAttention}, {"tiled", flashWith(flashBr, flashBc)}, {"naive", (*Tape).CausalAttentionNaive}}
	for _, T := range []int{32, 64, 96, 128, 192} {
		for _, im := range impls {
			b.Run(fmt.Sprintf("impl=%s/T=%d", im.name, T), func(b *testing.B) {
				benchAttention(b, im.f, []int{12, 4, T, 32})
			})
		}
	}
}

var calibrate = flag.Bool("calibrate", false, "run the flash attention tile calibration (BenchmarkFlashTiles)")

// BenchmarkFlashTiles calibrates flashBr and flashBc: forward + backward at
// T = 1024 and 4096 (B=1, H=4, D=32 and 64) for each pair of block sizes.
// It runs only with -calibrate:
//
//	go test ./autograd -run XXX -bench FlashTiles -calibrate
func BenchmarkFlashTiles(b *testing.B) {
	if !*calibrate {
		b.Skip("calibration: run with -calibrate")
	}
	for _, shape := range [][]int{{1, 4, 1024, 32}, {1, 4, 4096, 32}, {1, 4, 1024, 64}} {
		for _, br := range []int{32, 64, 128} {
			for _, bc := range []int{32, 64, 128, 256} {
				b.Run(fmt.Sprintf("T=%d/D=%d/br=%d/bc=%d", shape[2], shape[3], br, bc), func(b *testing.B) {
					benchAttention(b, flashWith(br, bc), shape)
				})
			}
		}
	}
}
