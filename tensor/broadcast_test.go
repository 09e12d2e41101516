package tensor

import (
	"fmt"
	"math"
	"slices"
	"testing"
)

// Helpers shared by the op tests in this package.

// seqTensor returns a tensor of the given shape holding distinct values
// (derived from seed), so that a misplaced element shows.
func seqTensor(seed uint64, shape ...int) *Tensor { return Randn(seed, 0, 1, shape...) }

// forEachIndex calls f with every multi-index of shape in row-major order.
// f must not keep idx.
func forEachIndex(shape []int, f func(idx []int)) {
	for _, d := range shape {
		if d == 0 {
			return
		}
	}
	idx := make([]int, len(shape))
	for {
		f(idx)
		k := len(shape) - 1
		for ; k >= 0; k-- {
			idx[k]++
			if idx[k] < shape[k] {
				break
			}
			idx[k] = 0
		}
		if k < 0 {
			return
		}
	}
}

// broadcastIndex maps an index of a broadcast result to the index of an
// operand of the given shape.
func broadcastIndex(idx, shape []int) []int {
	out := make([]int, len(shape))
	off := len(idx) - len(shape)
	for i, d := range shape {
		if d != 1 {
			out[i] = idx[off+i]
		}
	}
	return out
}

// shapeName formats a shape for test and benchmark names: "8x256x768", or
// "scalar" for [].
func shapeName(shape []int) string {
	if len(shape) == 0 {
		return "scalar"
	}
	s := fmt.Sprint(shape[0])
	for _, d := range shape[1:] {
		s += fmt.Sprintf("x%d", d)
	}
	return s
}

// panicsWith reports whether f panics with a value of type E.
func panicsWith[E any](f func()) (ok bool) {
	defer func() {
		_, ok = recover().(E)
	}()
	f()
	return false
}

// closeTo reports whether got is within tol of want, relative to max(1, |want|).
func closeTo(got, want float64, tol float64) bool {
	if math.IsNaN(want) || math.IsInf(want, 0) {
		return got == want || (math.IsNaN(got) && math.IsNaN(want))
	}
	return math.Abs(got-want) <= tol*max(1, math.Abs(want))
}

func TestBroadcastShape(t *testing.T) {
	tests := []struct {
		a, b, want []int
		ok         bool
	}{
		{[]int{2, 3}, []int{3}, []int{2, 3}, true},
		{[]int{2, 1}, []int{1, 3}, []int{2, 3}, true},
		{[]int{4, 1, 3}, []int{2, 1}, []int{4, 2, 3}, true},
		{[]int{}, []int{2, 3}, []int{2, 3}, true},
		{[]int{2, 3}, []int{}, []int{2, 3}, true},
		{[]int{}, []int{}, []int{}, true},
		{[]int{5, 0}, []int{1}, []int{5, 0}, true},
		{[]int{1, 1}, []int{7}, []int{1, 7}, true},
		{[]int{2, 3}, []int{2}, nil, false},
		{[]int{0}, []int{2}, nil, false},
		{[]int{4, 3, 2}, []int{5, 1, 1}, nil, false},
	}
	for _, tt := range tests {
		got, err := BroadcastShape(tt.a, tt.b)
		if (err == nil) != tt.ok || !slices.Equal(got, tt.want) {
			t.Errorf("BroadcastShape(%v, %v) = %v, %v; want %v, ok %v", tt.a, tt.b, got, err, tt.want, tt.ok)
		}
		if _, isShape := err.(*ShapeError); err != nil && !isShape {
			t.Errorf("BroadcastShape(%v, %v) error %T; want *ShapeError", tt.a, tt.b, err)
		}
	}
}

var binaryOps = []struct {
	name   string
	method func(z, x, y *Tensor) *Tensor
	fn     func(x, y *Tensor) *Tensor
	ref    func(a, b float32) float32
}{
	{"Add", (*Tensor).Add, Add, func(a, b float32) float32 { return a + b }},
	{"Sub", (*Tensor).Sub, Sub, func(a, b float32) float32 { return a - b }},
	{"Mul", (*Tensor).Mul, Mul, func(a, b float32) float32 { return a * b }},
	{"Div", (*Tensor).Div, Div, func(a, b float32) float32 { return a / b }},
}

var broadcastCases = []struct{ x, y []int }{
	{[]int{2, 3}, []int{2, 3}},
	{[]int{2, 3}, []int{3}},
	{[]int{3}, []int{2, 3}},
	{[]int{2, 1}, []int{1, 3}},
	{[]int{4, 1, 3}, []int{2, 1}},
	{[]int{2, 1}, []int{4, 1, 3}},
	{[]int{2, 3, 4}, []int{}},
	{[]int{}, []int{2, 3, 4}},
	{[]int{}, []int{}},
	{[]int{1}, []int{3, 4}},
	{[]int{3, 1, 1}, []int{1, 4, 5}},
	{[]int{2, 3, 4}, []int{2, 1, 4}},
	{[]int{2, 3, 4}, []int{3, 1}},
	{[]int{2, 3, 5, 7}, []int{1, 3, 1, 7}},
	{[]int{1, 1}, []int{1}},
	{[]int{0, 3}, []int{3}},
	{[]int{2, 1, 2, 1, 2, 1, 2, 1, 2, 1}, []int{1, 2, 1, 2, 1, 2, 1, 2, 1, 2}},
}

func TestBinaryBroadcast(t *testing.T) {
	for _, op := range binaryOps {
		for _, c := range broadcastCases {
			t.Run(fmt.Sprintf("op=%s/x=%s/y=%s", op.name, shapeName(c.x), shapeName(c.y)), func(t *testing.T) {
				x, y := seqTensor(1, c.x...), seqTensor(2, c.y...)
				got := op.fn(x, y)
				want, _ := BroadcastShape(c.x, c.y)
				if !slices.Equal(got.Shape(), want) {
					t.Fatalf("%s(%v, %v) has shape %v; want %v", op.name, c.x, c.y, got.Shape(), want)
				}
				forEachIndex(want, func(idx []int) {
					w := op.ref(x.At(broadcastIndex(idx, c.x)...), y.At(broadcastIndex(idx, c.y)...))
					if g := got.At(idx...); g != w {
						t.Fatalf("%s(%v, %v)%v = %v; want %v", op.name, c.x, c.y, idx, g, w)
					}
				})
				z := Full(float32(math.NaN()), want...)
				if r := op.method(z, x, y); r != z || !slices.Equal(z.Data(), got.Data()) {
					t.Errorf("z.%s(x, y) differs from %s(x, y)", op.name, op.name)
				}
			})
		}
	}
}

func TestBinaryAliasing(t *testing.T) {
	for _, op := range binaryOps {
		for _, c := range [][2][]int{{{2, 3}, {2, 3}}, {{4, 5}, {5}}, {{4, 5}, {4, 1}}, {{4, 5}, {}}} {
			t.Run(fmt.Sprintf("op=%s/x=%s/y=%s", op.name, shapeName(c[0]), shapeName(c[1])), func(t *testing.T) {
				x, y := seqTensor(3, c[0]...), seqTensor(4, c[1]...)
				want := op.fn(x, y)
				op.method(x, x, y)
				if !slices.Equal(x.Data(), want.Data()) {
					t.Errorf("x.%s(x, y) = %v; want %v", op.name, x, want)
				}
			})
		}
	}
}

func TestBinaryShapePanics(t *testing.T) {
	tests := []struct{ z, x, y []int }{
		{[]int{2, 3}, []int{2, 3}, []int{2}},
		{[]int{2, 3}, []int{2, 3}, []int{3, 3}},
		{[]int{3}, []int{2, 3}, []int{3}},
		{[]int{2, 3, 1}, []int{2, 3}, []int{3}},
		{[]int{1, 2, 3}, []int{2, 3}, []int{3}},
		{[]int{2, 4}, []int{2, 1}, []int{1, 3}},
		{[]int{4, 3}, []int{2, 1}, []int{1, 3}},
	}
	for _, op := range binaryOps {
		for _, tt := range tests {
			z, x, y := New(tt.z...), New(tt.x...), New(tt.y...)
			if !panicsWith[*ShapeError](func() { op.method(z, x, y) }) {
				t.Errorf("z%v.%s(%v, %v) did not panic with *ShapeError", tt.z, op.name, tt.x, tt.y)
			}
		}
		if !panicsWith[*ShapeError](func() { op.fn(New(2, 3), New(2)) }) {
			t.Errorf("%s([2 3], [2]) did not panic with *ShapeError", op.name)
		}
	}
}

func TestBinaryAllocatesNothing(t *testing.T) {
	for _, c := range broadcastCases[:14] {
		x, y := seqTensor(1, c.x...), seqTensor(2, c.y...)
		shape, _ := BroadcastShape(c.x, c.y)
		z := New(shape...)
		if n := testing.AllocsPerRun(10, func() { z.Add(x, y) }); n != 0 {
			t.Errorf("z.Add(x%v, y%v) allocates %v times; want 0", c.x, c.y, n)
		}
	}
}

func TestPlanCollapses(t *testing.T) {
	tests := []struct {
		x, y          []int
		shape, xs, ys []int
	}{
		{[]int{2, 3, 4}, []int{2, 3, 4}, []int{24}, []int{1}, []int{1}},
		{[]int{2, 3, 4}, []int{4}, []int{6, 4}, []int{4, 1}, []int{0, 1}},
		{[]int{2, 3, 4}, []int{}, []int{24}, []int{1}, []int{0}},
		{[]int{2, 1}, []int{1, 3}, []int{2, 3}, []int{1, 0}, []int{0, 1}},
		{[]int{4, 1, 3}, []int{2, 1}, []int{4, 2, 3}, []int{3, 0, 1}, []int{0, 1, 0}},
		{[]int{1, 1}, []int{1}, []int{}, []int{}, []int{}},
	}
	for _, tt := range tests {
		out, _ := BroadcastShape(tt.x, tt.y)
		shape, xs, ys := broadcastPlan("test", out, tt.x, tt.y, nil, nil, nil)
		if !slices.Equal(shape, tt.shape) || !slices.Equal(xs, tt.xs) || !slices.Equal(ys, tt.ys) {
			t.Errorf("broadcastPlan(%v, %v) = %v %v %v; want %v %v %v", tt.x, tt.y, shape, xs, ys, tt.shape, tt.xs, tt.ys)
		}
	}
}

func BenchmarkAdd(b *testing.B) {
	for _, c := range []struct {
		name string
		x, y []int
	}{
		{"same", []int{8, 256, 768}, []int{8, 256, 768}},
		{"row", []int{8, 256, 768}, []int{768}},
		{"col", []int{8, 256, 768}, []int{8, 256, 1}},
		{"scalar", []int{8, 256, 768}, []int{}},
	} {
		b.Run(fmt.Sprintf("case=%s/x=%s/y=%s", c.name, shapeName(c.x), shapeName(c.y)), func(b *testing.B) {
			x, y := seqTensor(1, c.x...), seqTensor(2, c.y...)
			z := New(c.x...)
			b.ReportAllocs()
			b.SetBytes(int64(4 * z.Numel()))
			for b.Loop() {
				z.Add(x, y)
			}
		})
	}
}
