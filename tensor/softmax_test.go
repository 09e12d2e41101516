package tensor

import (
	"fmt"
	"math"
	"testing"
)

// softmaxRef is the softmax of one row in float64, the textbook way.
func softmaxRef(row []float32) []float64 {
	m := math.Inf(-1)
	for _, v := range row {
		m = max(m, float64(v))
	}
	var s float64
	out := make([]float64, len(row))
	for i, v := range row {
		out[i] = math.Exp(float64(v) - m)
		s += out[i]
	}
	for i := range out {
		out[i] /= s
	}
	return out
}

func TestSoftmax(t *testing.T) {
	tests := []struct {
		name  string
		x     *Tensor
		scale float32
	}{
		{"x=2x3", seqTensor(1, 2, 3), 1},
		{"x=4x5x7", seqTensor(2, 4, 5, 7), 1},
		{"x=3x65/scale=30", seqTensor(3, 3, 65), 30},
		{"x=1", seqTensor(4, 1), 1},
		{"x=2x1000/scale=1000", seqTensor(5, 2, 1000), 1000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := Scale(tt.x, tt.scale)
			got, lg := Softmax(x), LogSoftmax(x)
			n := x.Dim(-1)
			for r := 0; r < x.Numel(); r += n {
				row := x.Data()[r : r+n]
				want := softmaxRef(row)
				var sum float64
				for i, w := range want {
					g, l := got.Data()[r+i], lg.Data()[r+i]
					sum += float64(g)
					if !closeTo(float64(g), w, 1e-6) {
						t.Errorf("Softmax row %d [%d] = %v; want %v", r/n, i, g, w)
					}
					if math.IsInf(float64(l), 0) || math.IsNaN(float64(l)) {
						t.Fatalf("LogSoftmax row %d [%d] = %v; want finite", r/n, i, l)
					}
					if w > 1e-30 && !closeTo(float64(l), math.Log(w), 1e-6) {
						t.Errorf("LogSoftmax row %d [%d] = %v; log(softmax) = %v", r/n, i, l, math.Log(w))
					}
				}
				if math.Abs(sum-1) > 1e-5 {
					t.Errorf("Softmax row %d sums to %v; want 1", r/n, sum)
				}
			}
		})
	}
}

func TestSoftmaxLargeInputs(t *testing.T) {
	x := FromSlice([]float32{1000, 999, 0, -1000, 1000, 1000, 1000, 1000}, 2, 4)
	want := [][]float64{softmaxRef(x.Data()[:4]), {0.25, 0.25, 0.25, 0.25}}
	got := Softmax(x)
	for r, row := range want {
		for i, w := range row {
			if g := got.At(r, i); math.IsNaN(float64(g)) || !closeTo(float64(g), w, 1e-6) {
				t.Errorf("Softmax(%v)[%d, %d] = %v; want %v", x, r, i, g, w)
			}
		}
	}
	lg := LogSoftmax(x)
	if g := lg.At(0, 3); !closeTo(float64(g), -2000-math.Log1p(math.Exp(-1)), 1e-6) {
		t.Errorf("LogSoftmax(%v)[0, 3] = %v; want %v", x, g, -2000-math.Log1p(math.Exp(-1)))
	}
}

func TestSoftmaxInPlace(t *testing.T) {
	x := seqTensor(9, 3, 17)
	want, wantLog := Softmax(x), LogSoftmax(x)
	y := x.Clone()
	y.Softmax(y)
	x.LogSoftmax(x)
	for i := range y.Data() {
		if y.Data()[i] != want.Data()[i] || x.Data()[i] != wantLog.Data()[i] {
			t.Fatalf("in-place Softmax/LogSoftmax differ at %d: %v, %v; want %v, %v",
				i, y.Data()[i], x.Data()[i], want.Data()[i], wantLog.Data()[i])
		}
	}
}

func TestSoftmaxPanics(t *testing.T) {
	if !panicsWith[*ShapeError](func() { New(2, 3).Softmax(New(3, 2)) }) {
		t.Errorf("z[2 3].Softmax(x[3 2]) did not panic with *ShapeError")
	}
	if !panicsWith[*IndexError](func() { Softmax(Scalar(1)) }) {
		t.Errorf("Softmax(scalar) did not panic with *IndexError")
	}
	if !panicsWith[*ShapeError](func() { New(4).LogSoftmax(New(5)) }) {
		t.Errorf("z[4].LogSoftmax(x[5]) did not panic with *ShapeError")
	}
}

func TestSoftmaxAllocatesNothing(t *testing.T) {
	x := seqTensor(1, 8, 65)
	z := New(8, 65)
	if n := testing.AllocsPerRun(10, func() { z.Softmax(x) }); n != 0 {
		t.Errorf("z.Softmax(x) allocates %v times; want 0", n)
	}
	if n := testing.AllocsPerRun(10, func() { z.LogSoftmax(x) }); n != 0 {
		t.Errorf("z.LogSoftmax(x) allocates %v times; want 0", n)
	}
}

func BenchmarkSoftmax(b *testing.B) {
	for _, c := range []struct{ rows, n int }{{2048, 65}, {1024, 1024}, {64, 50257}} {
		b.Run(fmt.Sprintf("rows=%d/n=%d", c.rows, c.n), func(b *testing.B) {
			x, z := seqTensor(1, c.rows, c.n), New(c.rows, c.n)
			b.ReportAllocs()
			b.SetBytes(int64(4 * c.rows * c.n))
			for b.Loop() {
				z.Softmax(x)
			}
		})
	}
}
