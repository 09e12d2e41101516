package gorgonia

import (
	"fmt"
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/tapegrad/tapegrad/tensor"
	gtensor "gorgonia.org/tensor"
)

// iota32 returns 0, 1, ..., n-1 as float32.
func iota32(n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(i)
	}
	return s
}

func numel(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

// denseValues reads every element of d through Gorgonia's At, in row-major
// order of the logical index: the oracle for what FromDense must return.
func denseValues(t *testing.T, d *gtensor.Dense) []float32 {
	t.Helper()
	shape := d.Shape()
	out := make([]float32, 0, numel(shape))
	idx := make([]int, len(shape))
	for range numel(shape) {
		v, err := d.At(idx...)
		if err != nil {
			t.Fatalf("At(%v) of %v: %v", idx, shape, err)
		}
		switch v := v.(type) {
		case float32:
			out = append(out, v)
		case float64:
			out = append(out, float32(v))
		default:
			t.Fatalf("At(%v) = %T", idx, v)
		}
		for ax := len(shape) - 1; ax >= 0; ax-- {
			if idx[ax]++; idx[ax] < shape[ax] {
				break
			}
			idx[ax] = 0
		}
	}
	return out
}

// shareMemory reports whether writes to x's data show up in y's and the other
// way round, restoring the values it changes.
func sharesMemory(x []float32, y func() []float32) bool {
	if len(x) == 0 {
		return false
	}
	old := x[0]
	defer func() { x[0] = old }()
	x[0] = 12345
	return y()[0] == 12345
}

func TestToDenseSharesMemory(t *testing.T) {
	for _, shape := range [][]int{{}, {1}, {5}, {2, 3}, {2, 3, 4}, {1, 1, 7}, {2, 1, 3, 2}} {
		t.Run(fmt.Sprint(shape), func(t *testing.T) {
			x := tensor.FromSlice(iota32(numel(shape)), shape...)
			d := ToDense(x)
			if got, want := []int(d.Shape()), shape; !cmp.Equal(got, want, cmpopts.EquateEmpty()) {
				t.Fatalf("ToDense(%v).Shape() = %v; want %v", shape, got, want)
			}
			if len(shape) == 0 && !d.IsScalar() {
				t.Errorf("ToDense(scalar).IsScalar() = false; shape %v", d.Shape())
			}
			if d.Dtype() != gtensor.Float32 {
				t.Errorf("ToDense(%v).Dtype() = %v; want float32", shape, d.Dtype())
			}
			if diff := cmp.Diff(x.Data(), denseValues(t, d)); diff != "" {
				t.Errorf("ToDense(%v) values (-tapegrad +gorgonia):\n%s", shape, diff)
			}

			// tapegrad → gorgonia.
			last := len(x.Data()) - 1
			x.Data()[last] = -7
			if v := denseValues(t, d)[last]; v != -7 {
				t.Errorf("after writing -7 to the tensor's last element, the Dense holds %v", v)
			}
			// gorgonia → tapegrad.
			idx := make([]int, len(shape))
			for i := range idx {
				idx[i] = shape[i] - 1
			}
			if err := d.SetAt(float32(42), idx...); err != nil {
				t.Fatalf("SetAt: %v", err)
			}
			if v := x.Data()[last]; v != 42 {
				t.Errorf("after Dense.SetAt(42, %v), the tensor holds %v", idx, v)
			}
			// A Gorgonia op in place writes into the tensor.
			if _, err := gtensor.Mul(d, float32(2), gtensor.UseUnsafe()); err != nil {
				t.Fatalf("Mul: %v", err)
			}
			if v := x.Data()[last]; v != 84 {
				t.Errorf("after Mul(d, 2, UseUnsafe()), the tensor holds %v; want 84", v)
			}
		})
	}
}

func TestFromDenseSharesMemory(t *testing.T) {
	for _, shape := range [][]int{{}, {1}, {6}, {2, 3}, {2, 3, 4}, {3, 1}, {1, 4}} {
		t.Run(fmt.Sprint(shape), func(t *testing.T) {
			var d *gtensor.Dense
			if len(shape) == 0 {
				d = gtensor.New(gtensor.FromScalar(float32(3)))
			} else {
				d = gtensor.New(gtensor.WithBacking(iota32(numel(shape))), gtensor.WithShape(shape...))
			}
			x, err := FromDense(d)
			if err != nil {
				t.Fatalf("FromDense(%v): %v", shape, err)
			}
			if diff := cmp.Diff(shape, x.Shape(), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("FromDense shape (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(denseValues(t, d), x.Data()); diff != "" {
				t.Errorf("FromDense values (-gorgonia +tapegrad):\n%s", diff)
			}
			if !sharesMemory(x.Data(), func() []float32 { return denseValues(t, d) }) {
				t.Errorf("a write to the tensor is not seen by the Dense")
			}
			if !sharesMemory(d.Float32s(), x.Data) {
				t.Errorf("a write to the Dense is not seen by the tensor")
			}
		})
	}
}

// TestFromDenseLayouts converts Dense tensors whose values are not in
// row-major order (transposes, column-major, slices) and checks the values
// against Gorgonia's own indexing, and whether memory is shared.
func TestFromDenseLayouts(t *testing.T) {
	tests := []struct {
		name  string
		make  func() (*gtensor.Dense, error)
		share bool
	}{
		{"T 2x3", func() (*gtensor.Dense, error) {
			d := gtensor.New(gtensor.WithBacking(iota32(6)), gtensor.WithShape(2, 3))
			return d, d.T()
		}, false},
		{"T(2,0,1) 2x3x4", func() (*gtensor.Dense, error) {
			d := gtensor.New(gtensor.WithBacking(iota32(24)), gtensor.WithShape(2, 3, 4))
			return d, d.T(2, 0, 1)
		}, false},
		{"T(0,2,1) 3x4x5", func() (*gtensor.Dense, error) {
			d := gtensor.New(gtensor.WithBacking(iota32(60)), gtensor.WithShape(3, 4, 5))
			return d, d.T(0, 2, 1)
		}, false},
		{"T 1x5", func() (*gtensor.Dense, error) {
			d := gtensor.New(gtensor.WithBacking(iota32(5)), gtensor.WithShape(1, 5))
			return d, d.T()
		}, true}, // (5, 1) in the same memory order: nothing to move
		{"col-major 2x3", func() (*gtensor.Dense, error) {
			return gtensor.New(gtensor.WithBacking(iota32(6)), gtensor.WithShape(2, 3), gtensor.AsFortran(nil)), nil
		}, false},
		{"columns 1:3 of 3x4", func() (*gtensor.Dense, error) {
			d := gtensor.New(gtensor.WithBacking(iota32(12)), gtensor.WithShape(3, 4))
			v, err := d.Slice(nil, gtensor.S(1, 3))
			return asDense(v), err
		}, false},
		{"column 2 of 3x4", func() (*gtensor.Dense, error) {
			d := gtensor.New(gtensor.WithBacking(iota32(12)), gtensor.WithShape(3, 4))
			v, err := d.Slice(nil, gtensor.S(2))
			return asDense(v), err
		}, false},
		{"every other of 10", func() (*gtensor.Dense, error) {
			d := gtensor.New(gtensor.WithBacking(iota32(10)), gtensor.WithShape(10))
			v, err := d.Slice(gtensor.S(1, 9, 2))
			return asDense(v), err
		}, false},
		{"row 1 of 3x4", func() (*gtensor.Dense, error) {
			d := gtensor.New(gtensor.WithBacking(iota32(12)), gtensor.WithShape(3, 4))
			v, err := d.Slice(gtensor.S(1))
			return asDense(v), err
		}, true}, // one contiguous block
		{"rows 1:3 of 4x2x3", func() (*gtensor.Dense, error) {
			d := gtensor.New(gtensor.WithBacking(iota32(24)), gtensor.WithShape(4, 2, 3))
			v, err := d.Slice(gtensor.S(1, 3))
			return asDense(v), err
		}, true},
		{"[1, :, 1:] of 3x2x3", func() (*gtensor.Dense, error) {
			d := gtensor.New(gtensor.WithBacking(iota32(18)), gtensor.WithShape(3, 2, 3))
			v, err := d.Slice(gtensor.S(1), nil, gtensor.S(1, 3))
			return asDense(v), err
		}, false},
		{"T of columns 1:3 of 3x4", func() (*gtensor.Dense, error) {
			d := gtensor.New(gtensor.WithBacking(iota32(12)), gtensor.WithShape(3, 4))
			v, err := d.Slice(nil, gtensor.S(1, 3))
			if err != nil {
				return nil, err
			}
			vd := asDense(v)
			return vd, vd.T()
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := tt.make()
			if err != nil {
				t.Fatal(err)
			}
			want := denseValues(t, d)
			x, err := FromDense(d)
			if err != nil {
				t.Fatalf("FromDense: %v", err)
			}
			if diff := cmp.Diff([]int(d.Shape()), x.Shape(), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("FromDense shape (-gorgonia +tapegrad):\n%s", diff)
			}
			if diff := cmp.Diff(want, x.Data()); diff != "" {
				t.Errorf("FromDense values (-gorgonia +tapegrad):\n%s", diff)
			}
			if got := sharesMemory(x.Data(), func() []float32 { return denseValues(t, d) }); got != tt.share {
				t.Errorf("FromDense shares memory = %v; want %v", got, tt.share)
			}
			// Materialize is Gorgonia's own copy: it must agree.
			if m, ok := d.Materialize().(*gtensor.Dense); ok {
				if diff := cmp.Diff(denseValues(t, m), x.Data()); diff != "" {
					t.Errorf("FromDense disagrees with Materialize (-materialized +tapegrad):\n%s", diff)
				}
			}
		})
	}
}

func asDense(v gtensor.View) *gtensor.Dense {
	if v == nil {
		return nil
	}
	return v.(*gtensor.Dense)
}

func TestFromDenseFloat64(t *testing.T) {
	d := gtensor.New(gtensor.WithBacking([]float64{0.1, -2, 1e40, 3}), gtensor.WithShape(2, 2))
	x, err := FromDense(d)
	if err != nil {
		t.Fatalf("FromDense(float64): %v", err)
	}
	inf := float32(math.Inf(1)) // 1e40 overflows float32
	want := []float32{0.1, -2, inf, 3}
	if diff := cmp.Diff(want, x.Data()); diff != "" {
		t.Errorf("FromDense(float64) (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int{2, 2}, x.Shape()); diff != "" {
		t.Errorf("FromDense(float64) shape (-want +got):\n%s", diff)
	}
	// Transposed float64 goes through the same gather.
	if err := d.T(); err != nil {
		t.Fatal(err)
	}
	x, err = FromDense(d)
	if err != nil {
		t.Fatalf("FromDense(float64ᵀ): %v", err)
	}
	if diff := cmp.Diff([]float32{0.1, inf, -2, 3}, x.Data()); diff != "" {
		t.Errorf("FromDense(float64ᵀ) (-want +got):\n%s", diff)
	}
	s, err := FromDense(gtensor.New(gtensor.FromScalar(2.5)))
	if err != nil || s.Dims() != 0 || s.Item() != 2.5 {
		t.Errorf("FromDense(float64 scalar 2.5) = %v, %v; want Tensor[][2.5]", s, err)
	}
}

func TestFromDenseErrors(t *testing.T) {
	masked := gtensor.New(gtensor.WithBacking([]float32{1, 2}, []bool{false, true}), gtensor.WithShape(2))
	tests := []struct {
		name string
		d    *gtensor.Dense
	}{
		{"nil", nil},
		{"int", gtensor.New(gtensor.WithBacking([]int{1, 2}), gtensor.WithShape(2))},
		{"complex64", gtensor.New(gtensor.WithBacking([]complex64{1}), gtensor.WithShape(1))},
		{"bool", gtensor.New(gtensor.WithBacking([]bool{true}), gtensor.WithShape(1))},
		{"masked", masked},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x, err := FromDense(tt.d)
			if err == nil {
				t.Fatalf("FromDense(%s) = %v, nil; want an error", tt.name, x)
			}
			t.Log(err)
		})
	}
}

func TestRoundTrip(t *testing.T) {
	for _, shape := range [][]int{{}, {1}, {7}, {1, 1}, {3, 5}, {2, 3, 4}, {2, 1, 3, 1, 2}, {0}, {0, 3}, {2, 0, 4}} {
		t.Run(fmt.Sprint(shape), func(t *testing.T) {
			x := tensor.Rand(uint64(len(shape)), -1, 1, shape...)
			d := ToDense(x)
			y, err := FromDense(d)
			if err != nil {
				t.Fatalf("FromDense(ToDense(%v)): %v", shape, err)
			}
			if diff := cmp.Diff(x.Shape(), y.Shape(), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("shape after round trip (-before +after):\n%s", diff)
			}
			if diff := cmp.Diff(x.Data(), y.Data(), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("values after round trip (-before +after):\n%s", diff)
			}
			if len(x.Data()) > 0 && &x.Data()[0] != &y.Data()[0] {
				t.Errorf("the round trip copied: the result does not share the original's memory")
			}
		})
	}
}

func TestToDensePanics(t *testing.T) {
	defer func() {
		if _, ok := recover().(*tensor.ShapeError); !ok {
			t.Errorf("ToDense(&tensor.Tensor{}) did not panic with a *tensor.ShapeError")
		}
	}()
	ToDense(&tensor.Tensor{}) // shape [] but no value
}

// TestGemmMatchesGorgonia checks tensor.Gemm against Gorgonia's MatMul
// (gonum's BLAS underneath) for every GEMM implementation and thread count.
// Transposed operands are stored transposed on both sides: Gorgonia sees them
// through a thunked T, tensor.Gemm through its trans flags.
func TestGemmMatchesGorgonia(t *testing.T) {
	type shape struct{ m, k, n int }
	shapes := []shape{{1, 1, 1}, {7, 13, 5}, {64, 64, 64}, {768, 128, 384}, {33, 1, 17}, {5, 300, 3}}
	if testing.Short() {
		shapes = shapes[:3]
	}
	trans := []string{"NN", "NT", "TN", "TT"}

	prevImpl, prevThreads := tensor.GemmImpl(), tensor.MaxThreads()
	t.Cleanup(func() {
		tensor.SetGemmImpl(prevImpl)
		tensor.SetMaxThreads(prevThreads)
	})

	seed := uint64(1)
	for _, s := range shapes {
		for _, tr := range trans {
			transA, transB := tr[0] == 'T', tr[1] == 'T'
			ar, ac := s.m, s.k
			if transA {
				ar, ac = ac, ar
			}
			br, bc := s.k, s.n
			if transB {
				br, bc = bc, br
			}
			seed++
			a := tensor.Rand(seed, -1, 1, ar, ac)
			b := tensor.Rand(seed+1000, -1, 1, br, bc)
			c0 := tensor.Rand(seed+2000, -1, 1, s.m, s.n)

			// The oracle: A and B copied into fresh Dense tensors (so
			// Gorgonia's in-place T leaves ours alone), transposed lazily.
			ga := gtensor.New(gtensor.WithBacking(append([]float32(nil), a.Data()...)), gtensor.WithShape(ar, ac))
			gb := gtensor.New(gtensor.WithBacking(append([]float32(nil), b.Data()...)), gtensor.WithShape(br, bc))
			if transA {
				mustNil(t, ga.T())
			}
			if transB {
				mustNil(t, gb.T())
			}
			gc, err := gtensor.MatMul(ga, gb)
			if err != nil {
				t.Fatalf("MatMul %dx%dx%d %s: %v", s.m, s.k, s.n, tr, err)
			}
			want, err := FromDense(gc.(*gtensor.Dense))
			if err != nil {
				t.Fatal(err)
			}
			// C + A·B, for beta = 1.
			incr := gtensor.New(gtensor.WithBacking(append([]float32(nil), c0.Data()...)), gtensor.WithShape(s.m, s.n))
			gci, err := gtensor.MatMul(ga, gb, gtensor.WithIncr(incr))
			if err != nil {
				t.Fatalf("MatMul(WithIncr) %dx%dx%d %s: %v", s.m, s.k, s.n, tr, err)
			}
			wantIncr, err := FromDense(gci.(*gtensor.Dense))
			if err != nil {
				t.Fatal(err)
			}

			for _, impl := range tensor.GemmImpls() {
				if _, err := tensor.SetGemmImpl(impl); err != nil {
					t.Fatal(err)
				}
				for _, threads := range []int{1, 2} {
					tensor.SetMaxThreads(threads)
					name := fmt.Sprintf("impl=%s/threads=%d/m=%d/k=%d/n=%d/trans=%s", impl, threads, s.m, s.k, s.n, tr)
					t.Run(name, func(t *testing.T) {
						got := make([]float32, s.m*s.n)
						for i := range got {
							got[i] = float32(math.NaN())
						}
						tensor.Gemm(transA, transB, s.m, s.n, s.k, 1, a.Data(), ac, b.Data(), bc, 0, got, s.n)
						if diff := diffApprox(want.Data(), got); diff != "" {
							t.Errorf("Gemm(%s) differs from gorgonia MatMul (-gorgonia +tapegrad):\n%s", tr, diff)
						}

						// beta = 1: C = A·B + C.
						got = append(got[:0], c0.Data()...)
						tensor.Gemm(transA, transB, s.m, s.n, s.k, 1, a.Data(), ac, b.Data(), bc, 1, got, s.n)
						if diff := diffApprox(wantIncr.Data(), got); diff != "" {
							t.Errorf("Gemm(%s, beta=1) differs from gorgonia MatMul(WithIncr) (-gorgonia +tapegrad):\n%s", tr, diff)
						}
					})
				}
			}
		}
	}
}

// Gemm results match when |x-y| ≤ max(gemmMargin, gemmFraction·min(|x|, |y|)).
// Inputs are uniform in [-1, 1) and k ≤ 300, so sums stay below ~30 and
// float32 rounding below ~1e-5: these leave a margin of 10 or more.
const (
	gemmFraction = 1e-4
	gemmMargin   = 1e-4
)

// diffApprox is cmp.Diff(want, got, cmpopts.EquateApprox(gemmFraction,
// gemmMargin)), with a plain loop applying the same rule first: cmp's
// reflection costs about 2 µs an element, too slow for 300k-element results
// that match, which is the common case.
func diffApprox(want, got []float32) string {
	if len(want) == len(got) {
		ok := true
		for i := range want {
			x, y := float64(want[i]), float64(got[i])
			if !(math.Abs(x-y) <= max(gemmMargin, gemmFraction*min(math.Abs(x), math.Abs(y)))) {
				ok = false
				break
			}
		}
		if ok {
			return ""
		}
	}
	return cmp.Diff(want, got, cmpopts.EquateApprox(gemmFraction, gemmMargin))
}

func mustNil(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestDiffApprox(t *testing.T) {
	nan := float32(math.NaN())
	tests := []struct {
		want, got []float32
		equal     bool
	}{
		{[]float32{1, 2, 3}, []float32{1, 2, 3}, true},
		{[]float32{1000, 0}, []float32{1000.05, 5e-5}, true},
		{[]float32{1000, 0}, []float32{1000.2, 0}, false},
		{[]float32{0}, []float32{2e-4}, false},
		{[]float32{1}, []float32{nan}, false},
		{[]float32{1, 2}, []float32{1}, false},
	}
	for _, tt := range tests {
		if got := diffApprox(tt.want, tt.got) == ""; got != tt.equal {
			t.Errorf("diffApprox(%v, %v) reports equal = %v; want %v", tt.want, tt.got, got, tt.equal)
		}
		if got := cmp.Equal(tt.want, tt.got, cmpopts.EquateApprox(gemmFraction, gemmMargin)); got != tt.equal {
			t.Errorf("cmp.Equal(%v, %v, EquateApprox) = %v; want %v", tt.want, tt.got, got, tt.equal)
		}
	}
}
