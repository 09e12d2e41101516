package compress

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/tapegrad/tapegrad/tensor"
)

func randn(seed uint64, scale float32, n int) []float32 {
	r := rand.New(rand.NewPCG(seed, 7))
	x := make([]float32, n)
	for i := range x {
		x[i] = scale * float32(r.NormFloat64())
	}
	return x
}

// TestInt8Bound: every value is within half a step (scale/2) of its row's
// dequantized value, the largest |w| of a row maps to ±127 exactly, and an
// all-zero row keeps scale 1.
func TestInt8Bound(t *testing.T) {
	for _, shape := range [][]int{{1, 1}, {3, 5}, {16, 64}, {7}, {2, 3, 4}, {4, 0}} {
		for _, scale := range []float32{1e-3, 1, 30} {
			t.Run(fmt.Sprintf("shape=%v/scale=%g", shape, scale), func(t *testing.T) {
				n := 1
				for _, d := range shape {
					n *= d
				}
				w := tensor.FromSlice(randn(uint64(n), scale, n), shape...)
				if shape[0] > 1 { // an all-zero row
					for i := range n / shape[0] {
						w.Data()[i] = 0
					}
				}
				q := QuantizeInt8(w)
				deq := q.Dequantize()
				if fmt.Sprint(deq.Shape()) != fmt.Sprint(shape) {
					t.Fatalf("Dequantize shape %v; want %v", deq.Shape(), shape)
				}
				cols := q.Cols()
				for i, v := range w.Data() {
					s := q.Scale[i/cols]
					if err := math.Abs(float64(deq.Data()[i] - v)); err > float64(s)/2*(1+1e-6) {
						t.Fatalf("value %d: %v → %v, error %g > scale/2 = %g", i, v, deq.Data()[i], err, s/2)
					}
				}
				for r := range q.Rows() {
					var amax float32
					var peak int8
					for j := range cols {
						if a := abs32(w.Data()[r*cols+j]); a > amax {
							amax, peak = a, q.Q[r*cols+j]
						}
					}
					if amax == 0 && q.Scale[r] != 1 {
						t.Errorf("all-zero row %d: scale %v; want 1", r, q.Scale[r])
					}
					if amax > 0 && peak != 127 && peak != -127 {
						t.Errorf("row %d: largest |w| quantized to %d; want ±127", r, peak)
					}
				}
			})
		}
	}
}

// TestBlockBound: quantize → dequantize stays within each format's bound,
// block by block: Q8_0 within d/2 plus the fp16 rounding of d (127·|d|·2⁻¹¹),
// Q4_0 within |d| (a step, as the value opposite the block's extreme may
// clamp from 16 to 15) plus 8·|d|·2⁻¹¹.
func TestBlockBound(t *testing.T) {
	for _, blocks := range []int{0, 1, 2, 9} {
		for _, scale := range []float32{1e-2, 1, 100} {
			t.Run(fmt.Sprintf("blocks=%d/scale=%g", blocks, scale), func(t *testing.T) {
				x := randn(uint64(blocks)+3, scale, blocks*BlockLen)
				for _, f := range []struct {
					name  string
					quant func([]byte, []float32) ([]byte, error)
					deq   func([]float32, []byte) ([]float32, error)
					bytes int
					bound func(amax float64) float64
				}{
					{"q8_0", AppendQ8_0, DequantizeQ8_0, Q8_0BlockBytes, func(a float64) float64 { d := a / 127; return d/2 + 127*d*0x1p-11 }},
					{"q4_0", AppendQ4_0, DequantizeQ4_0, Q4_0BlockBytes, func(a float64) float64 { d := a / 8; return d + 8*d*0x1p-11 }},
				} {
					b, err := f.quant(nil, x)
					if err != nil || len(b) != blocks*f.bytes {
						t.Fatalf("%s: %d bytes, %v; want %d", f.name, len(b), err, blocks*f.bytes)
					}
					y, err := f.deq(nil, b)
					if err != nil || len(y) != len(x) {
						t.Fatalf("%s: dequantized %d values, %v; want %d", f.name, len(y), err, len(x))
					}
					for k := 0; k < len(x); k += BlockLen {
						var amax float64
						for _, v := range x[k : k+BlockLen] {
							amax = max(amax, math.Abs(float64(v)))
						}
						for i := k; i < k+BlockLen; i++ {
							if e := math.Abs(float64(y[i] - x[i])); e > f.bound(amax) {
								t.Fatalf("%s: x[%d] = %v → %v, error %g > %g", f.name, i, x[i], y[i], e, f.bound(amax))
							}
						}
					}
				}
			})
		}
	}
}

func TestBlockErrors(t *testing.T) {
	for _, n := range []int{1, 31, 33} {
		if b, err := AppendQ8_0(nil, make([]float32, n)); err == nil || len(b) != 0 {
			t.Errorf("AppendQ8_0(%d values) = %d bytes, %v; want an error", n, len(b), err)
		}
		if b, err := AppendQ4_0(nil, make([]float32, n)); err == nil || len(b) != 0 {
			t.Errorf("AppendQ4_0(%d values) = %d bytes, %v; want an error", n, len(b), err)
		}
	}
	for _, n := range []int{1, 33, 35, 17, 19} {
		if n%Q8_0BlockBytes != 0 {
			if y, err := DequantizeQ8_0(nil, make([]byte, n)); err == nil || len(y) != 0 {
				t.Errorf("DequantizeQ8_0(%d bytes) = %d values, %v; want an error", n, len(y), err)
			}
		}
		if n%Q4_0BlockBytes != 0 {
			if y, err := DequantizeQ4_0(nil, make([]byte, n)); err == nil || len(y) != 0 {
				t.Errorf("DequantizeQ4_0(%d bytes) = %d values, %v; want an error", n, len(y), err)
			}
		}
	}
}

// TestBlockZero: an all-zero block has d = 0 and decodes to zeros (Q4_0's
// nibbles are 8, its zero).
func TestBlockZero(t *testing.T) {
	x := make([]float32, BlockLen)
	b8, _ := AppendQ8_0(nil, x)
	b4, _ := AppendQ4_0(nil, x)
	for i, c := range b8 {
		if c != 0 {
			t.Fatalf("Q8_0 of zeros: byte %d = %#x", i, c)
		}
	}
	for i, c := range b4[2:] {
		if c != 0x88 {
			t.Fatalf("Q4_0 of zeros: qs[%d] = %#x; want 0x88", i, c)
		}
	}
}

// TestQ8_0Float32: Q8_0 computes as ggml's C reference does, in float32:
// d = amax/127, id = 1.0f/d, roundf(x·id). Here x·id is −66.5 exactly in
// float32 and rounds away from zero to −67; a reciprocal taken in float64
// and then rounded (numpy's 1.0/d on a float64 d, as
// ../shared/ref/gen_compress_golden.py does) gives −66.49999 and −66. The
// values come from the Q8_0 block of that generator's rng seed 691.
func TestQ8_0Float32(t *testing.T) {
	x := make([]float32, BlockLen)
	x[0] = math.Float32frombits(0x4013e49a) // 2.3108277, the block's max |x|
	x[1] = math.Float32frombits(0xbf9ae14a) // −1.2100003
	b, err := AppendQ8_0(nil, x)
	if err != nil {
		t.Fatal(err)
	}
	if q := int8(b[3]); q != -67 {
		t.Errorf("qs[1] = %d; want −67 (ggml's float32 arithmetic)", q)
	}
}

// adversarialRows are rows of n values that stress a quantizer's bound: all
// zeros, one huge value among small ones, a negative maximum, the maximum
// and its opposite, values at half steps, tiny values (subnormal fp16
// scales) and values near fp16's top.
func adversarialRows(n int) map[string][]float32 {
	rows := map[string][]float32{}
	fill := func(name string, f func(i int) float32) {
		x := make([]float32, n)
		for i := range x {
			x[i] = f(i)
		}
		rows[name] = x
	}
	small := randn(uint64(n), 1e-3, n)
	fill("zeros", func(int) float32 { return 0 })
	fill("one huge", func(i int) float32 {
		if i == n/2 {
			return 1e4
		}
		return small[i]
	})
	fill("negative max", func(i int) float32 {
		if i == 1 {
			return -3
		}
		return small[i] * 1000
	})
	fill("max and its opposite", func(i int) float32 { return []float32{-2, 2, 1.9, -1.9, 0}[i%5] })
	fill("half steps", func(i int) float32 { return float32(i%16) - 7.5 })
	fill("tiny", func(i int) float32 { return small[i] * 1e-5 })
	fill("large", func(i int) float32 { return small[i] * 1e9 })
	fill("random", func(i int) float32 { return small[i] * 1e3 })
	return rows
}

// TestInt8FP16Bound: QuantizeInt8FP16's scales are float16 values, never
// below max|w|/127 and at most one float16 step above it, and every value is
// within half a step, scale/2, of its dequantized value — on random and
// adversarial rows.
func TestInt8FP16Bound(t *testing.T) {
	const n = 64
	for name, row := range adversarialRows(n) {
		t.Run(name, func(t *testing.T) {
			w := tensor.FromSlice(append(append([]float32(nil), row...), randn(9, 0.02, n)...), 2, n)
			q, err := QuantizeInt8FP16(w)
			if err != nil {
				t.Fatal(err)
			}
			deq := q.Dequantize().Data()
			for r := range 2 {
				s := q.Scale[r]
				if Float16Value(Float16Bits(s)) != s {
					t.Errorf("row %d: scale %v is not a float16", r, s)
				}
				var amax float32
				for _, v := range w.Data()[r*n : (r+1)*n] {
					amax = max(amax, abs32(v))
				}
				if amax == 0 {
					if s != 1 {
						t.Errorf("all-zero row %d: scale %v; want 1", r, s)
					}
				} else if s < amax/127 || s > amax/127*(1+0x1p-10) && s > 0x1p-14 {
					t.Errorf("row %d: scale %v for max|w| %v (max|w|/127 = %v)", r, s, amax, amax/127)
				}
				for j := range n {
					i := r*n + j
					if e := math.Abs(float64(deq[i] - w.Data()[i])); e > float64(s)/2*(1+1e-6) {
						t.Fatalf("w[%d,%d] = %v → %v, error %g > scale/2 = %g", r, j, w.Data()[i], deq[i], e, s/2)
					}
				}
			}
		})
	}
	for _, v := range []float32{8.4e6, float32(math.Inf(-1)), float32(math.NaN())} {
		if _, err := QuantizeInt8FP16(tensor.FromSlice([]float32{0, v}, 1, 2)); err == nil {
			t.Errorf("QuantizeInt8FP16 of %v gave no error", v)
		}
	}
	if _, err := QuantizeInt8FP16(tensor.FromSlice([]float32{0, 8.3e6}, 1, 2)); err != nil {
		t.Errorf("QuantizeInt8FP16 of 8.3e6: %v", err)
	}
}

// TestBlockBoundAdversarial checks Q8_0 and Q4_0 against their exact bounds,
// derived from ggml's arithmetic, with d the float32 scale and d16 its fp16
// rounding (what the block stores):
//
//   - Q8_0: d = max|x|/127, q = round(x/d) ∈ [−127, 127] never clamps, so
//     |x − q·d| ≤ d/2 and |x − q·d16| ≤ d/2 + 127·|d − d16|.
//   - Q4_0: d = m/−8 with m the x of largest |x|, so y = x/d ∈ [−8, 8] and
//     q = min(15, trunc(y + 8.5)); y + 8.5 > 0, so trunc is floor and q − 8 is
//     y rounded half up: |y − (q−8)| ≤ 1/2 — except for y ∈ (7.5, 8] (values
//     of m's opposite sign with |x| > 15/16·|m|), which clamp to 7: error
//     8 − 7 = 1 step at y = 8 (x = −m decodes to 7/8 of it). Hence
//     |x − (q−8)·d16| ≤ |d|/2 + 8·|d − d16| where y ≤ 7.5, and ≤ |d| + 8·|d − d16|
//     elsewhere; both are attained.
//
// Float32 rounding of 1/d and x·(1/d) adds a relative 2⁻²³ or so, hence the
// slack.
func TestBlockBoundAdversarial(t *testing.T) {
	rows := adversarialRows(2 * BlockLen)
	for name, x := range rows {
		t.Run(name, func(t *testing.T) {
			b8, _ := AppendQ8_0(nil, x)
			y8, _ := DequantizeQ8_0(nil, b8)
			b4, _ := AppendQ4_0(nil, x)
			y4, _ := DequantizeQ4_0(nil, b4)
			for k := 0; k < len(x); k += BlockLen {
				blk := x[k : k+BlockLen]
				var amax, m float32
				for _, v := range blk {
					if a := abs32(v); amax < a {
						amax, m = a, v
					}
				}
				d8 := float64(amax / 127)
				d8h := float64(Float16Value(Float16Bits(amax / 127)))
				d4 := float64(m / -8)
				d4h := float64(Float16Value(Float16Bits(m / -8)))
				slack := 1e-6 * float64(amax)
				for i, v := range blk {
					e8 := math.Abs(float64(y8[k+i] - v))
					if b := d8/2 + 127*math.Abs(d8-d8h) + slack; e8 > b {
						t.Errorf("Q8_0: x = %v → %v, error %g > %g", v, y8[k+i], e8, b)
					}
					e4 := math.Abs(float64(y4[k+i] - v))
					b := math.Abs(d4)/2 + 8*math.Abs(d4-d4h) + slack
					if d4 != 0 && float64(v)/d4 > 7.5 {
						b = math.Abs(d4) + 8*math.Abs(d4-d4h) + slack
					}
					if e4 > b {
						t.Errorf("Q4_0: x = %v (x/d = %v) → %v, error %g > %g", v, float64(v)/d4, y4[k+i], e4, b)
					}
				}
			}
		})
	}
	// The Q4_0 bound is attained: −m decodes to 7/8 of itself.
	x := make([]float32, BlockLen)
	x[0], x[1] = 8, -8
	b4, _ := AppendQ4_0(nil, x)
	y4, _ := DequantizeQ4_0(nil, b4)
	if y4[0] != 8 || y4[1] != -7 {
		t.Errorf("Q4_0 of [8, −8, 0…] = %v, %v; want 8, −7 (one step, |d|, off)", y4[0], y4[1])
	}
}
