package tensor

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// naiveMatMul computes op(x)·op(y) for 2-D or equally batched 3-D operands.
func naiveMatMul(x *Tensor, tx bool, y *Tensor, ty bool) *Tensor {
	p := matmulPlan("naive", x, tx, y, ty)
	z := New(p.out()...)
	for bi := range p.batch {
		yoff := bi * p.k * p.n
		if p.sharedY {
			yoff = 0
		}
		for i := range p.m {
			for j := range p.n {
				var s float64
				for q := range p.k {
					xi := bi*p.m*p.k + i*p.k + q
					if tx {
						xi = bi*p.m*p.k + q*p.m + i
					}
					yi := yoff + q*p.n + j
					if ty {
						yi = yoff + j*p.k + q
					}
					s += float64(x.data[xi]) * float64(y.data[yi])
				}
				z.data[bi*p.m*p.n+i*p.n+j] = float32(s)
			}
		}
	}
	return z
}

func TestMatMul(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	rnd := func(shape ...int) *Tensor { return FromSlice(randFloats(r, checkedNumel("", shape)), shape...) }
	cases := []struct {
		x, y   []int
		tx, ty bool
	}{
		{[]int{3, 4}, []int{4, 5}, false, false},
		{[]int{4, 3}, []int{4, 5}, true, false},
		{[]int{3, 4}, []int{5, 4}, false, true},
		{[]int{4, 3}, []int{5, 4}, true, true},
		{[]int{2, 7, 8}, []int{8, 9}, false, false},       // shared weight
		{[]int{2, 7, 8}, []int{9, 8}, false, true},        // Linear: x·Wᵀ
		{[]int{2, 8, 7}, []int{8, 9}, true, false},        // shared weight, transposed x
		{[]int{6, 33, 16}, []int{6, 33, 16}, false, true}, // attention q·kᵀ
		{[]int{2, 3, 5, 4}, []int{2, 3, 4, 6}, false, false},
		{[]int{1, 1}, []int{1, 1}, false, false},
		{[]int{0, 4}, []int{4, 3}, false, false},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("x=%v/tx=%v/y=%v/ty=%v", c.x, c.tx, c.y, c.ty), func(t *testing.T) {
			x, y := rnd(c.x...), rnd(c.y...)
			got, want := MatMulTrans(x, c.tx, y, c.ty), naiveMatMul(x, c.tx, y, c.ty)
			if !got.SameShape(want) {
				t.Fatalf("shape %v; want %v", got.Shape(), want.Shape())
			}
			for i := range got.data {
				if math.Abs(float64(got.data[i]-want.data[i])) > 1e-4 {
					t.Fatalf("MatMulTrans(%v, %v)[%d] = %v; want %v", c.x, c.y, i, got.data[i], want.data[i])
				}
			}
		})
	}
}

func TestMatMulPanics(t *testing.T) {
	for _, c := range []struct{ x, y, z []int }{
		{[]int{3, 4}, []int{5, 6}, []int{3, 6}},
		{[]int{3, 4}, []int{4, 6}, []int{3, 5}},
		{[]int{2, 3, 4}, []int{3, 4, 6}, []int{2, 3, 6}},
		{[]int{4}, []int{4, 6}, []int{6}},
	} {
		func() {
			defer func() {
				var se *ShapeError
				if err, _ := recover().(error); !errors.As(err, &se) {
					t.Errorf("MatMul(%v, %v) into %v did not panic with a *ShapeError", c.x, c.y, c.z)
				}
			}()
			New(c.z...).MatMul(New(c.x...), New(c.y...))
		}()
	}
}

func TestGemmBatched(t *testing.T) {
	r := rand.New(rand.NewPCG(23, 24))
	for _, threads := range []int{1, 2} {
		prev := SetMaxThreads(threads)
		for _, batch := range []int{1, 3, 8} {
			for _, tr := range allTrans {
				const m, n, k = 17, 23, 29
				a, b := randFloats(r, batch*m*k+5), randFloats(r, batch*k*n+5)
				c := randFloats(r, batch*m*n)
				want := append([]float32(nil), c...)
				lda, ldb := k, n
				if tr[0] {
					lda = m
				}
				if tr[1] {
					ldb = k
				}
				GemmBatched(tr[0], tr[1], batch, m, n, k, 0.5, a[1:], lda, m*k, b[2:], ldb, k*n, 2, c, n, m*n)
				for i := range batch {
					naiveGemm(tr[0], tr[1], m, n, k, 0.5, a[1+i*m*k:], lda, b[2+i*k*n:], ldb, 2, want[i*m*n:], n)
				}
				for i := range c {
					if math.Abs(float64(c[i]-want[i])) > 1e-3 {
						t.Fatalf("threads=%d batch=%d %s: c[%d] = %v; want %v", threads, batch, transName(tr[0], tr[1]), i, c[i], want[i])
					}
				}
			}
		}
		SetMaxThreads(prev)
	}
}

func TestMatMulAllocatesNothing(t *testing.T) {
	x, y := Randn(1, 0, 1, 4, 64, 32), Randn(2, 0, 1, 4, 64, 32)
	z := New(4, 64, 64)
	z.MatMulTrans(x, false, y, true)
	if allocs := testing.AllocsPerRun(20, func() { z.MatMulTrans(x, false, y, true) }); allocs != 0 {
		t.Errorf("z.MatMulTrans allocates %v times per call; want 0", allocs)
	}
}

func TestAddMatMulTrans(t *testing.T) {
	x, y := Randn(1, 0, 1, 2, 5, 3), Randn(2, 0, 1, 4, 3)
	z := Randn(3, 0, 1, 2, 5, 4)
	want := Add(z, naiveMatMul(x, false, y, true))
	z.AddMatMulTrans(x, false, y, true)
	for i := range z.data {
		if math.Abs(float64(z.data[i]-want.data[i])) > 1e-5 {
			t.Fatalf("AddMatMulTrans[%d] = %v; want %v", i, z.data[i], want.data[i])
		}
	}
}

func TestAddSumTo(t *testing.T) {
	x := Randn(4, 0, 1, 2, 3, 4)
	z := Ones(3, 1)
	want := Add(Ones(3, 1), SumTo(x, 3, 1))
	z.AddSumTo(x)
	for i := range z.data {
		if math.Abs(float64(z.data[i]-want.data[i])) > 1e-5 {
			t.Fatalf("AddSumTo[%d] = %v; want %v", i, z.data[i], want.data[i])
		}
	}
}
