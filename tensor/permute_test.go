package tensor

import (
	"fmt"
	"slices"
	"testing"
)

func TestPermute(t *testing.T) {
	tests := []struct {
		shape, perm []int
	}{
		{[]int{2, 3}, []int{1, 0}},
		{[]int{37, 70}, []int{1, 0}},
		{[]int{3, 37, 70}, []int{0, 2, 1}},
		{[]int{2, 5, 3, 4}, []int{0, 2, 1, 3}},
		{[]int{2, 5, 3, 4}, []int{0, 2, 3, 1}},
		{[]int{2, 3, 4}, []int{2, 0, 1}},
		{[]int{2, 3, 4}, []int{1, 2, 0}},
		{[]int{2, 3, 4}, []int{0, 1, 2}},
		{[]int{2, 3, 4}, []int{-1, -3, -2}},
		{[]int{1, 3, 1, 4}, []int{3, 2, 1, 0}},
		{[]int{2, 1, 3}, []int{1, 2, 0}},
		{[]int{3, 2, 4, 3, 2}, []int{4, 1, 3, 0, 2}},
		{[]int{2, 2, 2, 2, 2, 2, 2, 2, 2, 2}, []int{9, 7, 5, 3, 1, 8, 6, 4, 2, 0}},
		{[]int{0, 3}, []int{1, 0}},
		{[]int{5}, []int{0}},
		{[]int{}, []int{}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("x=%s/perm=%v", shapeName(tt.shape), tt.perm), func(t *testing.T) {
			x := seqTensor(3, tt.shape...)
			got := Permute(x, tt.perm...)
			p := make([]int, len(tt.perm))
			for k, a := range tt.perm {
				p[k] = (a + len(tt.shape)) % max(len(tt.shape), 1)
			}
			if want := permutedShape(tt.shape, p); !slices.Equal(got.Shape(), want) {
				t.Fatalf("Permute(%v, %v) has shape %v; want %v", tt.shape, tt.perm, got.Shape(), want)
			}
			forEachIndex(got.Shape(), func(idx []int) {
				src := make([]int, len(idx))
				for k, a := range p {
					src[a] = idx[k]
				}
				if g, w := got.At(idx...), x.At(src...); g != w {
					t.Fatalf("Permute(%v, %v)%v = %v; want x%v = %v", tt.shape, tt.perm, idx, g, src, w)
				}
			})
			inv := make([]int, len(p))
			for k, a := range p {
				inv[a] = k
			}
			back := New(tt.shape...).Permute(got, inv...)
			if !slices.Equal(back.Data(), x.Data()) {
				t.Errorf("Permute(Permute(x, %v), %v) != x", tt.perm, inv)
			}
		})
	}
}

func TestTranspose(t *testing.T) {
	x := FromSlice([]float32{1, 2, 3, 4, 5, 6}, 2, 3)
	if got, want := Transpose(x, 0, 1), []float32{1, 4, 2, 5, 3, 6}; !slices.Equal(got.Data(), want) || !slices.Equal(got.Shape(), []int{3, 2}) {
		t.Errorf("Transpose(%v, 0, 1) = %v; want [3 2] %v", x, got, want)
	}
	y := seqTensor(4, 2, 3, 4, 5)
	for _, ij := range [][2]int{{-1, -2}, {0, 3}, {1, 1}, {2, -3}} {
		got := Transpose(y, ij[0], ij[1])
		p := []int{0, 1, 2, 3}
		i, j := (ij[0]+4)%4, (ij[1]+4)%4
		p[i], p[j] = p[j], p[i]
		if want := Permute(y, p...); !slices.Equal(got.Data(), want.Data()) || !slices.Equal(got.Shape(), want.Shape()) {
			t.Errorf("Transpose(y, %d, %d) differs from Permute(y, %v)", ij[0], ij[1], p)
		}
	}
}

func TestPermutePanics(t *testing.T) {
	x := New(2, 3, 4)
	indexCases := []struct {
		name string
		f    func()
	}{
		{"Permute(x, 0, 1)", func() { Permute(x, 0, 1) }},
		{"Permute(x, 0, 1, 1)", func() { Permute(x, 0, 1, 1) }},
		{"Permute(x, 0, 1, -1, 2)", func() { Permute(x, 0, 1, -1, 2) }},
		{"Permute(x, 0, 1, 3)", func() { Permute(x, 0, 1, 3) }},
		{"Permute(x, 2, -1, 0)", func() { Permute(x, 2, -1, 0) }},
		{"Transpose(x, 0, 3)", func() { Transpose(x, 0, 3) }},
	}
	for _, tt := range indexCases {
		if !panicsWith[*IndexError](tt.f) {
			t.Errorf("%s did not panic with *IndexError", tt.name)
		}
	}
	if !panicsWith[*ShapeError](func() { New(2, 3, 4).Permute(x, 0, 2, 1) }) {
		t.Errorf("z[2 3 4].Permute(x[2 3 4], 0, 2, 1) did not panic with *ShapeError")
	}
	if !panicsWith[*ShapeError](func() { New(4, 3).Transpose(x, 0, 2) }) {
		t.Errorf("z[4 3].Transpose(x[2 3 4], 0, 2) did not panic with *ShapeError")
	}
}

func TestPermuteAllocatesNothing(t *testing.T) {
	x := seqTensor(1, 2, 8, 4, 16)
	z := New(2, 4, 8, 16)
	if n := testing.AllocsPerRun(10, func() { z.Permute(x, 0, 2, 1, 3) }); n != 0 {
		t.Errorf("z.Permute(x, 0, 2, 1, 3) allocates %v times; want 0", n)
	}
	w := New(2, 8, 16, 4)
	if n := testing.AllocsPerRun(10, func() { w.Transpose(x, -1, -2) }); n != 0 {
		t.Errorf("z.Transpose(x, -1, -2) allocates %v times; want 0", n)
	}
}

func BenchmarkTranspose(b *testing.B) {
	for _, n := range []int{64, 1000, 1024} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			x, z := seqTensor(1, n, n), New(n, n)
			b.ReportAllocs()
			b.SetBytes(int64(4 * n * n))
			for b.Loop() {
				z.Transpose(x, 0, 1)
			}
		})
	}
}
