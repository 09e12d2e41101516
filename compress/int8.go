package compress

import (
	"fmt"
	"math"

	"github.com/tapegrad/tapegrad/tensor"
)

// Int8 is a tensor quantized symmetrically per output row: row r of the
// tensor (its first axis; the remaining axes flattened) is approximately
// Q[r·Cols : (r+1)·Cols] times Scale[r].
type Int8 struct {
	Shape []int     // the shape of the float tensor
	Q     []int8    // [Rows·Cols] in [−127, 127], row-major
	Scale []float32 // [Rows]: max|w|/127 of the row, 1 for an all-zero row
}

// Rows returns the number of rows (the first axis, 1 for a scalar).
func (q *Int8) Rows() int { return len(q.Scale) }

// Cols returns the number of values per row.
func (q *Int8) Cols() int {
	if len(q.Scale) == 0 {
		return 0
	}
	return len(q.Q) / len(q.Scale)
}

// QuantizeInt8 quantizes w per output row as PyTorch's symmetric per-channel
// scheme with the restricted range [−127, 127] on axis 0: in float32,
// scale = max|w|/127 (1 when the row is all zeros) and
// q = clamp(round(w/scale), −127, 127) with ties rounded to even, as
// torch.round. A row holding a NaN or an infinity quantizes to garbage (its
// scale is NaN or infinite); callers check finiteness first.
func QuantizeInt8(w *tensor.Tensor) *Int8 {
	q, _ := quantizeRows(w, func(_ int, amax float32) (float32, error) { return amax / 127, nil })
	return q
}

// quantizeRows quantizes w per output row (axis 0) symmetrically to
// [−127, 127], rounding half to even, with the scale scaleOf returns for a
// row's max|w| (never called for an all-zero row, whose scale is 1). A NaN
// reaches scaleOf as amax (max propagates it); an error from scaleOf stops.
func quantizeRows(w *tensor.Tensor, scaleOf func(row int, amax float32) (float32, error)) (*Int8, error) {
	data := w.Data()
	rows := 1
	if w.Dims() > 0 {
		rows = w.Dim(0)
	}
	cols := 0
	if rows > 0 {
		cols = len(data) / rows
	}
	q := &Int8{Shape: append([]int(nil), w.Shape()...), Q: make([]int8, len(data)), Scale: make([]float32, rows)}
	for r := range rows {
		row := data[r*cols : (r+1)*cols]
		var amax float32
		for _, v := range row {
			amax = max(amax, abs32(v))
		}
		scale := float32(1)
		if amax != 0 {
			var err error
			if scale, err = scaleOf(r, amax); err != nil {
				return nil, err
			}
		}
		q.Scale[r] = scale
		for j, v := range row {
			x := math.RoundToEven(float64(v / scale))
			q.Q[r*cols+j] = int8(max(-127, min(127, x)))
		}
	}
	return q, nil
}

// Dequantize returns the float tensor Q·Scale row by row, in q's Shape.
func (q *Int8) Dequantize() *tensor.Tensor {
	out := make([]float32, len(q.Q))
	cols := q.Cols()
	for i, v := range q.Q {
		out[i] = float32(v) * q.Scale[i/max(cols, 1)]
	}
	return tensor.FromSlice(out, q.Shape...)
}

func abs32(x float32) float32 { return math.Float32frombits(math.Float32bits(x) &^ (1 << 31)) }

// QuantizeInt8FP16 quantizes w per output row as QuantizeInt8 does, but with
// scales that are IEEE 754 binary16 values, so that a file can store them in
// two bytes: scale = max|w|/127 in float32, rounded up to the next float16
// (1 for an all-zero row), and q = clamp(round-half-to-even(w/scale), −127,
// 127) computed with that float16 scale. Rounding the scale up means no value
// clamps, so every value is within half a step of the stored scale:
// |w − q·scale| ≤ scale/2 (plus float32 rounding), where scale is at most
// max|w|/127·(1 + 2⁻¹⁰) for a normal float16, and the largest |w| of a row
// maps to ±127 unless the scale is subnormal (max|w| < 7.8e−3).
//
// (ggml's Q8_0 instead quantizes with the float32 scale and then rounds it
// to float16, which adds up to 127·|d − fp16(d)| to the error.)
//
// It returns an error when a value is not finite or a row's scale exceeds
// the largest float16, 65504 (max|w| > 8.3e6).
func QuantizeInt8FP16(w *tensor.Tensor) (*Int8, error) {
	return quantizeRows(w, func(r int, amax float32) (float32, error) {
		if math.IsNaN(float64(amax)) || math.IsInf(float64(amax), 0) {
			return 0, fmt.Errorf("compress: QuantizeInt8FP16: row %d holds %v", r, amax)
		}
		s := amax / 127
		h := Float16Bits(s)
		if Float16Value(h) < s {
			h++ // the next float16 up (the bits of positive values are ordered)
		}
		if h >= 0x7c00 {
			return 0, fmt.Errorf("compress: QuantizeInt8FP16: row %d: scale %g exceeds the largest float16", r, s)
		}
		return Float16Value(h), nil
	})
}
