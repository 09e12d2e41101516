package tensor

import (
	"fmt"
	"math"
	"testing"
)

// specialize puts zeros, infinities, NaN and a subnormal at some positions
// of t so the implementations are compared on IEEE corner cases too.
func specialize(t *Tensor) *Tensor {
	sp := []float32{0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()), 1e-40}
	for i := 3; i < len(t.data); i += 11 {
		t.data[i] = sp[i%len(sp)]
	}
	return t
}

// sameData reports the first index where a and b differ in their bits (NaNs
// are equal), or -1.
func sameData(a, b []float32) int {
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) && !(a[i] != a[i] && b[i] != b[i]) {
			return i
		}
	}
	return -1
}

// TestElementwiseImpls runs the broadcasting binary ops, the scalar ops,
// AddScaled, AddMul and the sums through every implementation of the
// kernels under them, on the shapes that reach each path (same shape, a
// row or column broadcast, a scalar on either side), and requires every
// implementation to give the generic one's bits.
func TestElementwiseImpls(t *testing.T) {
	shapes := [][2][]int{
		{{5, 37}, {5, 37}},
		{{4, 3, 35}, {35}},
		{{35}, {4, 3, 35}},
		{{6, 1}, {6, 33}},
		{{2, 41}, {}},
		{{1}, {3, 9}},
		{{1, 40}, {3, 1}},
		{{2, 1, 3}, {4, 1}},
		{{7}, {7}},
	}
	ops := []struct {
		name string
		f    func(z, x, y *Tensor) *Tensor
	}{{"Add", (*Tensor).Add}, {"Sub", (*Tensor).Sub}, {"Mul", (*Tensor).Mul}, {"Div", (*Tensor).Div}}
	results := map[string][]float32{}
	record := func(t *testing.T, key string, got []float32) {
		if want, ok := results[key]; ok {
			if i := sameData(got, want); i >= 0 {
				t.Errorf("%s [%d] = %v; generic gives %v", key, i, got[i], want[i])
			}
			return
		}
		results[key] = append([]float32(nil), got...)
	}
	withVecImpls(t, func(t *testing.T) {
		for si, sh := range shapes {
			x := specialize(Randn(uint64(2*si+1), 0, 2, sh[0]...))
			y := specialize(Randn(uint64(2*si+2), 0, 2, sh[1]...))
			for _, op := range ops {
				z := newBroadcast(op.name, x, y)
				op.f(z, x, y)
				record(t, fmt.Sprintf("%s(%v, %v)", op.name, sh[0], sh[1]), z.data)
			}
		}
		x := specialize(Randn(7, 0, 1, 13, 29))
		y := Randn(8, 0, 1, 13, 29)
		z := specialize(Randn(9, 0, 1, 13, 29))
		record(t, "Scale", New(13, 29).Scale(x, -1.5).data)
		record(t, "AddScalar", New(13, 29).AddScalar(x, 0.25).data)
		record(t, "AddScaled", z.Clone().AddScaled(x, 0.3).data)
		record(t, "AddMul", z.Clone().AddMul(x, y).data)
		zs := z.Clone()
		record(t, "AddScaled self", zs.AddScaled(zs, 0.3).data)
		zs = z.Clone()
		record(t, "AddMul self", zs.AddMul(zs, y).data)
		for _, n := range []int{0, 1, 3, 4, 5, 33, 300} {
			for _, c := range []int{1, 3, 16, 31, 300} {
				x := Randn(uint64(n*1000+c), 0.5, 3, n, c)
				record(t, fmt.Sprintf("Sum([%d %d], 0)", n, c), Sum(x, 0, false).data)
				s := Randn(1, 0, 1, c)
				s.AddSumTo(x)
				record(t, fmt.Sprintf("AddSumTo([%d %d])", n, c), s.data)
			}
		}
		x3 := Randn(11, 0, 1, 3, 70, 20)
		record(t, "Sum([3 70 20], 1)", Sum(x3, 1, true).data)
		record(t, "SumTo([3 70 20], [20])", SumTo(x3, 20).data)
		record(t, "SumTo([3 70 20], [3 1 20])", SumTo(x3, 3, 1, 20).data)
	})
}

func TestElementwiseImplsAllocateNothing(t *testing.T) {
	x, y, r := Randn(1, 0, 1, 8, 40), Randn(2, 0, 1, 8, 40), Randn(3, 0, 1, 40)
	z, s := New(8, 40), New(40)
	withVecImpls(t, func(t *testing.T) {
		if n := testing.AllocsPerRun(10, func() {
			z.Add(x, y).Sub(z, r).Mul(z, y).Div(z, x).AddMul(x, y).AddScaled(x, 2)
			s.SumTo(z)
		}); n != 0 {
			t.Errorf("elementwise ops and SumTo allocate %v times; want 0", n)
		}
	})
}
