package tensor

import (
	"fmt"
	"slices"
	"testing"
)

func TestConcatSplit(t *testing.T) {
	tests := []struct {
		shape []int // of each piece, with the axis size replaced by sizes
		axis  int
		sizes []int
	}{
		{[]int{2, 3, 4}, 0, []int{1, 2, 3}},
		{[]int{2, 3, 4}, 1, []int{3, 1}},
		{[]int{2, 3, 4}, 2, []int{4, 4, 4}},
		{[]int{2, 3, 4}, -1, []int{1, 0, 5}},
		{[]int{2, 3, 4}, -3, []int{2}},
		{[]int{5}, 0, []int{2, 3}},
	}
	for _, tt := range tests {
		ax := (tt.axis + len(tt.shape)) % len(tt.shape)
		t.Run(fmt.Sprintf("shape=%s/axis=%d/sizes=%v", shapeName(tt.shape), tt.axis, tt.sizes), func(t *testing.T) {
			var xs []*Tensor
			for i, s := range tt.sizes {
				xs = append(xs, seqTensor(uint64(i), concatShape(tt.shape, ax, s)...))
			}
			got := Concat(tt.axis, xs...)
			total := 0
			for _, s := range tt.sizes {
				total += s
			}
			if want := concatShape(tt.shape, ax, total); !slices.Equal(got.Shape(), want) {
				t.Fatalf("Concat has shape %v; want %v", got.Shape(), want)
			}
			forEachIndex(got.Shape(), func(idx []int) {
				k, i := idx[ax], 0
				for k >= tt.sizes[i] {
					k -= tt.sizes[i]
					i++
				}
				src := slices.Clone(idx)
				src[ax] = k
				if g, w := got.At(idx...), xs[i].At(src...); g != w {
					t.Fatalf("Concat%v = %v; want piece %d%v = %v", idx, g, i, src, w)
				}
			})
			parts := Split(got, tt.axis, tt.sizes...)
			for i, p := range parts {
				if !slices.Equal(p.Shape(), xs[i].Shape()) || !slices.Equal(p.Data(), xs[i].Data()) {
					t.Errorf("Split(Concat(xs))[%d] = %v; want %v", i, p, xs[i])
				}
			}
			if len(parts) > 0 && parts[0].Numel() > 0 {
				parts[0].Data()[0] = 1e9
				if got.Data()[0] == 1e9 {
					t.Errorf("Split returned a view; want a copy")
				}
			}
		})
	}
}

func TestConcatPanics(t *testing.T) {
	x, y := New(2, 3), New(2, 4)
	shapeCases := []struct {
		name string
		f    func()
	}{
		{"Concat(0)", func() { Concat(0) }},
		{"Concat(0, [2 3], [2 4])", func() { Concat(0, x, y) }},
		{"Concat(1, [2 3], [3])", func() { Concat(1, x, New(3)) }},
		{"z[2 6].Concat(1, [2 3], [2 4])", func() { New(2, 6).Concat(1, x, y) }},
		{"Split([2 3], 1, 1, 1)", func() { Split(x, 1, 1, 1) }},
		{"Split([2 3], 1, 4, -1)", func() { Split(x, 1, 4, -1) }},
		{"SplitInto([2 3], 1, [3 3])", func() { SplitInto(x, 1, New(3, 3)) }},
	}
	for _, tt := range shapeCases {
		if !panicsWith[*ShapeError](tt.f) {
			t.Errorf("%s did not panic with *ShapeError", tt.name)
		}
	}
	if !panicsWith[*IndexError](func() { Concat(2, x, y) }) {
		t.Errorf("Concat(2, [2 3], [2 4]) did not panic with *IndexError")
	}
	if !panicsWith[*IndexError](func() { Split(x, -3, 2) }) {
		t.Errorf("Split([2 3], -3, 2) did not panic with *IndexError")
	}
}

func TestConcatAllocatesNothing(t *testing.T) {
	q, k, v := seqTensor(1, 4, 8, 16), seqTensor(2, 4, 8, 16), seqTensor(3, 4, 8, 16)
	qkv := New(4, 8, 48)
	if n := testing.AllocsPerRun(10, func() { qkv.Concat(-1, q, k, v) }); n != 0 {
		t.Errorf("z.Concat(-1, q, k, v) allocates %v times; want 0", n)
	}
	if n := testing.AllocsPerRun(10, func() { SplitInto(qkv, -1, q, k, v) }); n != 0 {
		t.Errorf("SplitInto(qkv, -1, q, k, v) allocates %v times; want 0", n)
	}
}
