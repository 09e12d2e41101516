package tensor

import (
	"fmt"
	"math"
	"slices"
	"testing"
)

// refReduce reduces x over axis ax by hand: it returns the values of each
// slice through the axis, keyed by the reduced index, in row-major order.
func refReduce(x *Tensor, ax int) [][]float32 {
	shape := x.Shape()
	var out [][]float32
	rest := slices.Delete(slices.Clone(shape), ax, ax+1)
	forEachIndex(rest, func(idx []int) {
		full := slices.Insert(slices.Clone(idx), ax, 0)
		var vals []float32
		for k := range shape[ax] {
			full[ax] = k
			vals = append(vals, x.At(full...))
		}
		out = append(out, vals)
	})
	if len(rest) > 0 && len(out) == 0 {
		return nil
	}
	return out
}

func TestReduceAxes(t *testing.T) {
	for _, shape := range [][]int{{2, 3, 4}, {3, 5, 300}, {1, 7, 1}, {600, 2, 3}} {
		x := seqTensor(7, shape...)
		for axis := -3; axis < 3; axis++ {
			ax := (axis + 3) % 3
			slices := refReduce(x, ax)
			for _, keepdim := range []bool{false, true} {
				t.Run(fmt.Sprintf("x=%s/axis=%d/keepdim=%v", shapeName(shape), axis, keepdim), func(t *testing.T) {
					want := reducedShape(shape, ax, keepdim)
					sum, mean, mx := Sum(x, axis, keepdim), Mean(x, axis, keepdim), Max(x, axis, keepdim)
					arg := Argmax(x, axis)
					for _, r := range []*Tensor{sum, mean, mx} {
						if !equalInts(r.Shape(), want) {
							t.Fatalf("reduction of %v over %d (keepdim %v) has shape %v; want %v", shape, axis, keepdim, r.Shape(), want)
						}
					}
					if len(arg) != len(slices) {
						t.Fatalf("Argmax(%v, %d) has %d indices; want %d", shape, axis, len(arg), len(slices))
					}
					for i, s := range slices {
						var ws float64
						wm, wa := s[0], 0
						for k, v := range s {
							ws += float64(v)
							if v > wm {
								wm, wa = v, k
							}
						}
						if g := sum.Data()[i]; g != float32(ws) {
							t.Errorf("Sum[%d] = %v; want %v", i, g, float32(ws))
						}
						if g, w := mean.Data()[i], float32(ws/float64(len(s))); g != w {
							t.Errorf("Mean[%d] = %v; want %v", i, g, w)
						}
						if g := mx.Data()[i]; g != wm {
							t.Errorf("Max[%d] = %v; want %v", i, g, wm)
						}
						if arg[i] != wa {
							t.Errorf("Argmax[%d] = %d; want %d", i, arg[i], wa)
						}
					}
				})
			}
		}
	}
}

func TestReduceShapePanics(t *testing.T) {
	x := New(2, 3, 4)
	tests := []struct {
		name string
		f    func()
	}{
		{"z[2 4].Sum(x, 2, false)", func() { New(2, 4).Sum(x, 2, false) }},
		{"z[2 3].Sum(x, 2, true)", func() { New(2, 3).Sum(x, 2, true) }},
		{"z[2 3 4].Mean(x, 1, true)", func() { New(2, 3, 4).Mean(x, 1, true) }},
		{"z[3 4].Max(x, 1, false)", func() { New(3, 4).Max(x, 1, false) }},
		{"Max(x[2 0 3], 1)", func() { Max(New(2, 0, 3), 1, false) }},
		{"Argmax(x[2 0], 1)", func() { Argmax(New(2, 0), 1) }},
		{"MaxAll(x[0])", func() { MaxAll(New(0)) }},
		{"z[4].SumTo(x)", func() { New(3).SumTo(x) }},
		{"z[1 2 3 4].SumTo(x)", func() { New(1, 2, 3, 4).SumTo(x) }},
	}
	for _, tt := range tests {
		if !panicsWith[*ShapeError](tt.f) {
			t.Errorf("%s did not panic with *ShapeError", tt.name)
		}
	}
	for _, axis := range []int{3, -4} {
		if !panicsWith[*IndexError](func() { Sum(x, axis, false) }) {
			t.Errorf("Sum(x[2 3 4], %d) did not panic with *IndexError", axis)
		}
	}
}

func TestReduceEdgeCases(t *testing.T) {
	if g := Sum(New(2, 0), 1, false); !equalInts(g.Shape(), []int{2}) || g.Data()[0] != 0 {
		t.Errorf("Sum([2 0], 1) = %v; want zeros of shape [2]", g)
	}
	if g := Mean(New(2, 0), 1, false).Data()[0]; !math.IsNaN(float64(g)) {
		t.Errorf("Mean([2 0], 1) = %v; want NaN", g)
	}
	nan := float32(math.NaN())
	x := FromSlice([]float32{1, nan, 5, nan, 3, 9, 2, 9}, 2, 4)
	if g := Max(x, 1, false); !math.IsNaN(float64(g.Data()[0])) || g.Data()[1] != 9 {
		t.Errorf("Max(%v, 1) = %v; want [NaN 9]", x, g)
	}
	if g := Argmax(x, 1); !slices.Equal(g, []int{1, 1}) {
		t.Errorf("Argmax(%v, 1) = %v; want [1 1] (first NaN, first tie)", x, g)
	}
	if g := MaxAll(x); !math.IsNaN(float64(g)) {
		t.Errorf("MaxAll(%v) = %v; want NaN", x, g)
	}
	y := FromSlice([]float32{1, 2, 3, 4, 5, 6}, 2, 3)
	if s, m, mx := SumAll(y), MeanAll(y), MaxAll(y); s != 21 || m != 3.5 || mx != 6 {
		t.Errorf("SumAll, MeanAll, MaxAll(%v) = %v, %v, %v; want 21, 3.5, 6", y, s, m, mx)
	}
	if g := AppendArgmax([]int{-1}, y, 0); !slices.Equal(g, []int{-1, 1, 1, 1}) {
		t.Errorf("AppendArgmax([-1], %v, 0) = %v; want [-1 1 1 1]", y, g)
	}
}

func TestSumAccuracy(t *testing.T) {
	// 2²⁴+ float32 additions of 0.1 drift by percents; float64 does not.
	const n = 1 << 22
	x := Full(0.1, n)
	want := float32(float64(float32(0.1)) * n)
	if g := SumAll(x); g != want {
		t.Errorf("SumAll(0.1 × %d) = %v; want %v", n, g, want)
	}
	if g := Sum(x.Reshape(n/4, 4), 0, false).Data()[0]; g != float32(float64(float32(0.1))*n/4) {
		t.Errorf("Sum over a long leading axis = %v; want %v", g, float32(float64(float32(0.1))*n/4))
	}
}

func TestSumTo(t *testing.T) {
	tests := []struct{ x, z []int }{
		{[]int{2, 3, 4}, []int{4}},
		{[]int{2, 3, 4}, []int{1, 1, 4}},
		{[]int{2, 3, 4}, []int{3, 1}},
		{[]int{2, 3, 4}, []int{}},
		{[]int{2, 3, 4}, []int{1}},
		{[]int{2, 3, 4}, []int{2, 1, 4}},
		{[]int{2, 3, 4}, []int{2, 3, 4}},
		{[]int{2, 3, 4}, []int{2, 3, 1}},
		{[]int{4, 2, 3, 5}, []int{2, 1, 5}},
		{[]int{2, 3, 4, 5}, []int{3, 1, 1}},
		{[]int{5, 2, 3, 2, 7}, []int{2, 1, 2, 1}},
		{[]int{8, 600}, []int{600}},
		{[]int{0, 3}, []int{3}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("x=%s/z=%s", shapeName(tt.x), shapeName(tt.z)), func(t *testing.T) {
			x := seqTensor(5, tt.x...)
			want := make([]float64, checkedNumel("test", tt.z))
			ref := New(tt.z...)
			forEachIndex(tt.x, func(idx []int) {
				want[ref.offset("test", broadcastIndex(idx, tt.z))] += float64(x.At(idx...))
			})
			z := Full(float32(math.NaN()), tt.z...)
			z.SumTo(x)
			for i, w := range want {
				if g := z.Data()[i]; !closeTo(float64(g), w, 1e-6) {
					t.Errorf("SumTo(%v)[%d] = %v; want %v", tt.z, i, g, w)
				}
			}
			if g := SumTo(x, tt.z...); !slices.Equal(g.Data(), z.Data()) {
				t.Errorf("SumTo(x, %v...) = %v; z.SumTo(x) = %v", tt.z, g, z)
			}
		})
	}
}

func TestReduceAllocatesNothing(t *testing.T) {
	x := seqTensor(1, 4, 8, 300)
	for axis := range 3 {
		z := New(reducedShape(x.Shape(), axis, false)...)
		if n := testing.AllocsPerRun(10, func() { z.Sum(x, axis, false).Mean(x, axis, false).Max(x, axis, false) }); n != 0 {
			t.Errorf("z.Sum/Mean/Max(x[4 8 300], %d) allocate %v times; want 0", axis, n)
		}
		dst := make([]int, 0, z.Numel())
		if n := testing.AllocsPerRun(10, func() { AppendArgmax(dst, x, axis) }); n != 0 {
			t.Errorf("AppendArgmax(dst, x[4 8 300], %d) allocates %v times; want 0", axis, n)
		}
	}
	z := New(8, 1)
	if n := testing.AllocsPerRun(10, func() { z.SumTo(x) }); n != 0 {
		t.Errorf("z[8 1].SumTo(x[4 8 300]) allocates %v times; want 0", n)
	}
}

func BenchmarkSum(b *testing.B) {
	for _, axis := range []int{0, 1} {
		b.Run(fmt.Sprintf("x=4096x768/axis=%d", axis), func(b *testing.B) {
			x := seqTensor(1, 4096, 768)
			z := New(reducedShape(x.Shape(), axis, false)...)
			b.ReportAllocs()
			b.SetBytes(int64(4 * x.Numel()))
			for b.Loop() {
				z.Sum(x, axis, false)
			}
		})
	}
}
