package tensor

import (
	"math"
	"testing"
)

// withVecImpls runs f once per vector math implementation this build and
// CPU can run, named "avx2" and "generic".
func withVecImpls(t *testing.T, f func(t *testing.T)) {
	impls := []bool{false}
	if vecAVX2 {
		impls = append(impls, true)
	}
	defer func(prev bool) { vecAVX2 = prev }(vecAVX2)
	for _, avx2 := range impls {
		name := "impl=generic"
		if avx2 {
			name = "impl=avx2"
		}
		vecAVX2 = avx2
		t.Run(name, f)
	}
}

func sigmoid64(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

// gradOps are the derivative ops, each with its float64 reference (value
// and the size of its terms, against which errors are measured: the
// derivatives cross 0 by cancellation) and the forward op it
// differentiates.
var gradOps = []struct {
	name    string
	method  func(z, x *Tensor) *Tensor
	fn      func(x *Tensor) *Tensor
	forward func(x float64) float64
	ref     func(x float64) (d, scale float64)
}{
	{"SiluGrad", (*Tensor).SiluGrad, SiluGrad,
		func(x float64) float64 { return x * sigmoid64(x) },
		func(x float64) (float64, float64) {
			s, t := sigmoid64(x), x*sigmoid64(x)*sigmoid64(-x)
			return s + t, s + math.Abs(t)
		}},
	{"GeluErfGrad", (*Tensor).GeluErfGrad, GeluErfGrad,
		func(x float64) float64 { return 0.5 * x * math.Erfc(-x/math.Sqrt2) },
		func(x float64) (float64, float64) {
			c, t := 0.5*math.Erfc(-x/math.Sqrt2), x*math.Exp(-x*x/2)/math.Sqrt(2*math.Pi)
			return c + t, c + math.Abs(t)
		}},
	{"GeluTanhGrad", (*Tensor).GeluTanhGrad, GeluTanhGrad,
		func(x float64) float64 {
			return 0.5 * x * (1 + math.Tanh(math.Sqrt(2/math.Pi)*(x+0.044715*x*x*x)))
		},
		func(x float64) (float64, float64) {
			// PyTorch's gelu_backward (approximate="tanh") computes
			// 0.5(1 + tanh u) + 0.5x(1 − tanh² u)·du/dx, which cancels in
			// the lower tail; 0.5(1 + tanh u) = σ(2u) does not.
			u := math.Sqrt(2/math.Pi) * (x + 0.044715*x*x*x)
			s, r := sigmoid64(2*u), sigmoid64(-2*u)
			a, b := s, 2*x*s*r*math.Sqrt(2/math.Pi)*(1+3*0.044715*x*x)
			return a + b, math.Abs(a) + math.Abs(b)
		}},
}

func TestActivationGrads(t *testing.T) {
	var xs []float32
	for x := float32(-12); x <= 12; x += 0.01 {
		xs = append(xs, x)
	}
	xs = append(xs, -100, 100, -1e-3, 1e-3, 0)
	withVecImpls(t, func(t *testing.T) {
		for _, op := range gradOps {
			x := FromSlice(append([]float32(nil), xs...), len(xs))
			got := op.fn(x)
			for i, v := range xs {
				want, scale := op.ref(float64(v))
				if g := float64(got.Data()[i]); math.Abs(g-want) > 5e-7*scale+1e-40 {
					t.Errorf("%s(%v) = %v; want %v", op.name, v, g, want)
				}
				// and it is the derivative of the forward op
				const h = 1e-4
				if f := float64(v); math.Abs(f) < 8 {
					fd := (op.forward(f+h) - op.forward(f-h)) / (2 * h)
					if g := float64(got.Data()[i]); math.Abs(g-fd) > 1e-6 {
						t.Errorf("%s(%v) = %v; central difference of the forward gives %v", op.name, v, g, fd)
					}
				}
			}
			if r := op.method(x, x); r != x { // in place
				t.Fatalf("x.%s(x) did not return x", op.name)
			}
			for i := range xs {
				if a, b := x.Data()[i], got.Data()[i]; a != b {
					t.Errorf("x.%s(x)[%d] = %v; want %v", op.name, i, a, b)
				}
			}
			if !panicsWith[*ShapeError](func() { op.method(New(5, 3), New(3, 5)) }) {
				t.Errorf("z[5 3].%s(x[3 5]) did not panic with *ShapeError", op.name)
			}
		}
	})
}

func TestActivationGradsExtremes(t *testing.T) {
	inf := float32(math.Inf(1))
	x := FromSlice([]float32{-inf, -1000, 1000, inf, float32(math.NaN())}, 5)
	want := []float32{0, 0, 1, 1, float32(math.NaN())}
	withVecImpls(t, func(t *testing.T) {
		for _, op := range gradOps {
			got := op.fn(x)
			for i, w := range want {
				if g := got.Data()[i]; g != w && !(g != g && w != w) {
					t.Errorf("%s(%v) = %v; want %v", op.name, x.Data()[i], g, w)
				}
			}
		}
	})
}

// TestGeluErfAndGrad checks that the fused op gives GeluErf and GeluErfGrad
// bit for bit, out of place and with either result in place of x, and that
// it panics on mismatched shapes and on z and d sharing their data.
func TestGeluErfAndGrad(t *testing.T) {
	inf := float32(math.Inf(1))
	withVecImpls(t, func(t *testing.T) {
		for _, n := range []int{0, 1, 7, 8, 9, 37, 100} {
			x := Scale(seqTensor(uint64(n), 3, n), 4)
			if n > 5 {
				copy(x.Data(), []float32{-inf, inf, float32(math.NaN()), -30, 1e-40})
			}
			wantY, wantD := GeluErf(x), GeluErfGrad(x)
			same := func(how, what string, got, want *Tensor) {
				t.Helper()
				for i, w := range want.Data() {
					if g := got.Data()[i]; g != w && !(g != g && w != w) {
						t.Errorf("%s (n=%d): %s[%d] = %v; want %v (x = %v)", how, n, what, i, g, w, x.Data()[i])
					}
				}
			}
			y, d := New(3, n), New(3, n)
			if r := y.GeluErfAndGrad(d, x); r != y {
				t.Fatalf("y.GeluErfAndGrad(d, x) did not return y")
			}
			same("y.GeluErfAndGrad(d, x)", "y", y, wantY)
			same("y.GeluErfAndGrad(d, x)", "d", d, wantD)
			xy := x.Clone()
			xy.GeluErfAndGrad(d, xy)
			same("x.GeluErfAndGrad(d, x)", "y", xy, wantY)
			same("x.GeluErfAndGrad(d, x)", "d", d, wantD)
			xd := x.Clone()
			y.GeluErfAndGrad(xd, xd)
			same("y.GeluErfAndGrad(x, x)", "y", y, wantY)
			same("y.GeluErfAndGrad(x, x)", "d", xd, wantD)
		}
		for name, f := range map[string]func(){
			"z[5 3].GeluErfAndGrad(d[3 5], x[3 5])": func() { New(5, 3).GeluErfAndGrad(New(3, 5), New(3, 5)) },
			"z[3 5].GeluErfAndGrad(d[5 3], x[3 5])": func() { New(3, 5).GeluErfAndGrad(New(5, 3), New(3, 5)) },
			"z.GeluErfAndGrad(z, x)":                func() { z := New(3, 5); z.GeluErfAndGrad(z, New(3, 5)) },
		} {
			if !panicsWith[*ShapeError](f) {
				t.Errorf("%s did not panic with *ShapeError", name)
			}
		}
		x, y, d := Randn(1, 0, 3, 4, 33), New(4, 33), New(4, 33)
		if n := testing.AllocsPerRun(10, func() { y.GeluErfAndGrad(d, x) }); n != 0 {
			t.Errorf("GeluErfAndGrad allocates %v times; want 0", n)
		}
	})
}

func TestAddMul(t *testing.T) {
	z := FromSlice([]float32{1, 2, 3, 4}, 2, 2)
	x := FromSlice([]float32{2, -1, 0.5, 0}, 2, 2)
	y := FromSlice([]float32{3, 3, -2, 7}, 2, 2)
	z.AddMul(x, y)
	for i, w := range []float32{7, -1, 2, 4} {
		if g := z.Data()[i]; g != w {
			t.Errorf("z.AddMul(x, y)[%d] = %v; want %v", i, g, w)
		}
	}
	z.AddMul(z, z) // z += z·z
	for i, w := range []float32{56, 0, 6, 20} {
		if g := z.Data()[i]; g != w {
			t.Errorf("z.AddMul(z, z)[%d] = %v; want %v", i, g, w)
		}
	}
	if !panicsWith[*ShapeError](func() { New(2, 2).AddMul(New(2, 2), New(4)) }) {
		t.Errorf("z[2 2].AddMul(x[2 2], y[4]) did not panic with *ShapeError")
	}
	if n := testing.AllocsPerRun(10, func() { z.AddMul(x, y).GeluErfGrad(x).GeluTanhGrad(x).SiluGrad(x) }); n != 0 {
		t.Errorf("AddMul and the activation gradients allocate %v times; want 0", n)
	}
}

// TestVecImplsAgree runs the activations and softmax through both vector
// math implementations on lengths 1..40 and checks they agree (bit for bit
// where the compiler fuses the twin's multiply-adds; otherwise within the
// sum of their error bounds, 1e-6).
func TestVecImplsAgree(t *testing.T) {
	if !vecAVX2 {
		t.Skip("only the pure-Go vector kernels in this build")
	}
	defer func() { vecAVX2 = true }()
	ops := []struct {
		name   string
		method func(z, x *Tensor) *Tensor
		floor  float64 // errors are relative to max(|result|, floor)
	}{
		{"Exp", (*Tensor).Exp, 0}, {"Tanh", (*Tensor).Tanh, 0}, {"Sigmoid", (*Tensor).Sigmoid, 0},
		{"Silu", (*Tensor).Silu, 0}, {"GeluErf", (*Tensor).GeluErf, 0}, {"GeluTanh", (*Tensor).GeluTanh, 0},
		// the derivatives cross 0 by cancellation between terms of size ~1
		{"SiluGrad", (*Tensor).SiluGrad, 1}, {"GeluErfGrad", (*Tensor).GeluErfGrad, 1},
		{"GeluTanhGrad", (*Tensor).GeluTanhGrad, 1},
		{"Softmax", (*Tensor).Softmax, 0}, {"LogSoftmax", (*Tensor).LogSoftmax, 0},
	}
	for n := 1; n <= 40; n++ {
		x := Scale(seqTensor(uint64(n), 3, n), 4)
		for _, op := range ops {
			vecAVX2 = true
			a := op.method(New(3, n), x)
			vecAVX2 = false
			g := op.method(New(3, n), x)
			for i := range a.Data() {
				if av, gv := float64(a.Data()[i]), float64(g.Data()[i]); math.Abs(av-gv) > 1e-6*max(math.Abs(gv), op.floor) {
					t.Errorf("%s(n=%d)[%d]: avx2 %v, generic %v", op.name, n, i, av, gv)
				}
			}
		}
	}
}
