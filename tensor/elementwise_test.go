package tensor

import (
	"fmt"
	"math"
	"testing"
)

func sigmoidRef(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

var unaryOps = []struct {
	name   string
	method func(z, x *Tensor) *Tensor
	fn     func(x *Tensor) *Tensor
	ref    func(x float64) float64
}{
	{"Neg", (*Tensor).Neg, Neg, func(x float64) float64 { return -x }},
	{"Exp", (*Tensor).Exp, Exp, math.Exp},
	{"Log", (*Tensor).Log, Log, math.Log},
	{"Sqrt", (*Tensor).Sqrt, Sqrt, math.Sqrt},
	{"Tanh", (*Tensor).Tanh, Tanh, math.Tanh},
	{"Sigmoid", (*Tensor).Sigmoid, Sigmoid, sigmoidRef},
	{"Relu", (*Tensor).Relu, Relu, func(x float64) float64 { return max(x, 0) }},
	{"Silu", (*Tensor).Silu, Silu, func(x float64) float64 { return x * sigmoidRef(x) }},
	{"GeluErf", (*Tensor).GeluErf, GeluErf, func(x float64) float64 { return 0.5 * x * (1 + math.Erf(x/math.Sqrt2)) }},
	{"GeluTanh", (*Tensor).GeluTanh, GeluTanh, func(x float64) float64 {
		return 0.5 * x * (1 + math.Tanh(math.Sqrt(2/math.Pi)*(x+0.044715*x*x*x)))
	}},
}

// unaryInputs spans the ranges the ops see in training, both signs.
var unaryInputs = []float32{-20, -8, -3, -1, -0.5, -1e-3, 0, 1e-3, 0.25, 0.5, 1, 2, 3, 8, 20}

func TestUnary(t *testing.T) {
	for _, op := range unaryOps {
		t.Run("op="+op.name, func(t *testing.T) {
			x := FromSlice(append([]float32(nil), unaryInputs...), 3, 5)
			got := op.fn(x)
			for i, v := range unaryInputs {
				want := op.ref(float64(v))
				if math.IsNaN(want) { // Log and Sqrt below 0
					if g := got.Data()[i]; !math.IsNaN(float64(g)) {
						t.Errorf("%s(%v) = %v; want NaN", op.name, v, g)
					}
					continue
				}
				// float32 rounding of the result, plus the references'
				// own cancellation for large negative inputs.
				if g := float64(got.Data()[i]); !closeTo(g, want, 2e-7) && math.Abs(g-want) > 1e-7 {
					t.Errorf("%s(%v) = %v; want %v", op.name, v, g, want)
				}
			}
			z := New(3, 5)
			if r := op.method(z, x); r != z || !z.SameShape(got) {
				t.Fatalf("z.%s(x) did not return z of shape [3 5]", op.name)
			}
			for i := range z.Data() {
				if a, b := z.Data()[i], got.Data()[i]; a != b && !(a != a && b != b) {
					t.Errorf("z.%s(x)[%d] = %v; %s(x) gives %v", op.name, i, a, op.name, b)
				}
			}
			op.method(x, x) // in place
			for i := range x.Data() {
				if a, b := x.Data()[i], got.Data()[i]; a != b && !(a != a && b != b) {
					t.Errorf("x.%s(x)[%d] = %v; want %v", op.name, i, a, b)
				}
			}
			if !panicsWith[*ShapeError](func() { op.method(New(5, 3), New(3, 5)) }) {
				t.Errorf("z[5 3].%s(x[3 5]) did not panic with *ShapeError", op.name)
			}
		})
	}
}

func TestGeluKnownValues(t *testing.T) {
	// Values of PyTorch's F.gelu(x) and F.gelu(x, approximate="tanh"),
	// computed in float64.
	tests := []struct {
		x, erf, tanh float64
	}{
		{1, 0.8413447460685429, 0.8411919906082768},
		{-1, -0.15865525393145707, -0.15880800939172324},
		{2, 1.9544997361036416, 1.954597694087775},
		{-3, -0.004049694094890287, -0.0036373920817729943},
		{0.5, 0.34573123063700656, 0.34571400982514394},
		{0, 0, 0},
		{-10, -7.619853024160593e-23, -1.2e-37},
	}
	for _, tt := range tests {
		x := Scalar(float32(tt.x))
		if g := float64(GeluErf(x).Item()); !closeTo(g/tt.erf, 1, 1e-6) && !(tt.erf == 0 && g == 0) {
			t.Errorf("GeluErf(%v) = %v; want %v", tt.x, g, tt.erf)
		}
		if tt.x == -10 { // the float64 formula cancels to 0; we keep the tail
			if g := GeluTanh(x).Item(); !(g < 0 && g > -1e-30) {
				t.Errorf("GeluTanh(-10) = %v; want a tiny negative number", g)
			}
			continue
		}
		if g := float64(GeluTanh(x).Item()); !closeTo(g/tt.tanh, 1, 1e-6) && !(tt.tanh == 0 && g == 0) {
			t.Errorf("GeluTanh(%v) = %v; want %v", tt.x, g, tt.tanh)
		}
	}
}

func TestSigmoidExtremes(t *testing.T) {
	x := FromSlice([]float32{-1000, -100, -88, 88, 100, 1000, float32(math.Inf(-1)), float32(math.Inf(1))}, 8)
	tests := []struct {
		name string
		got  *Tensor
		want []float32
	}{
		{"Sigmoid", Sigmoid(x), []float32{0, 3.720076e-44, 6.0546e-39, 1, 1, 1, 0, 1}},
		{"Silu", Silu(x), []float32{0, -3.720076e-42, -5.3281e-37, 88, 100, 1000, float32(math.NaN()), float32(math.Inf(1))}},
		{"GeluErf", GeluErf(x), []float32{0, 0, 0, 88, 100, 1000, float32(math.NaN()), float32(math.Inf(1))}},
		{"GeluTanh", GeluTanh(x), []float32{0, 0, 0, 88, 100, 1000, float32(math.NaN()), float32(math.Inf(1))}},
	}
	for _, tt := range tests {
		for i, w := range tt.want {
			g := tt.got.Data()[i]
			if w != w {
				continue // inf·0: NaN in PyTorch too; not pinned here
			}
			// relative 1e-4, and one float32 denormal step of σ(x) or
			// Φ(x) for the tails, which the product with x scales up
			step := 2e-45 * max(1, math.Abs(float64(x.Data()[i])))
			if g != g || math.Abs(float64(g-w)) > 1e-4*math.Abs(float64(w))+step {
				t.Errorf("%s(%v) = %v; want %v", tt.name, x.Data()[i], g, w)
			}
		}
	}
}

func TestScaleShiftAxpy(t *testing.T) {
	x := FromSlice([]float32{1, -2, 3, 0.5}, 2, 2)
	tests := []struct {
		name string
		got  *Tensor
		want []float32
	}{
		{"Scale(x, 3)", Scale(x, 3), []float32{3, -6, 9, 1.5}},
		{"AddScalar(x, -1)", AddScalar(x, -1), []float32{0, -3, 2, -0.5}},
		{"Ones.AddScaled(x, 2)", Ones(2, 2).AddScaled(x, 2), []float32{3, -3, 7, 2}},
		{"x.Scale(x, 0.5)", x.Clone().Scale(x, 0.5), []float32{0.5, -1, 1.5, 0.25}},
	}
	for _, tt := range tests {
		for i, w := range tt.want {
			if g := tt.got.Data()[i]; g != w {
				t.Errorf("%s[%d] = %v; want %v", tt.name, i, g, w)
			}
		}
	}
	y := x.Clone()
	y.AddScaled(y, 1)
	if y.At(1, 0) != 6 {
		t.Errorf("y.AddScaled(y, 1) = %v; want 2·x", y)
	}
	if !panicsWith[*ShapeError](func() { New(4).AddScaled(x, 1) }) {
		t.Errorf("z[4].AddScaled(x[2 2], 1) did not panic with *ShapeError")
	}
}

func TestUnaryAllocatesNothing(t *testing.T) {
	x := seqTensor(1, 4, 16)
	z := New(4, 16)
	for _, op := range unaryOps {
		if n := testing.AllocsPerRun(10, func() { op.method(z, x) }); n != 0 {
			t.Errorf("z.%s(x) allocates %v times; want 0", op.name, n)
		}
	}
	if n := testing.AllocsPerRun(10, func() { z.AddScaled(x, 0.1).Scale(z, 2).AddScalar(z, 1) }); n != 0 {
		t.Errorf("AddScaled, Scale, AddScalar allocate %v times; want 0", n)
	}
}

func BenchmarkGeluErf(b *testing.B) {
	for _, n := range []int{1 << 10, 1 << 16, 1 << 20} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			x, z := seqTensor(1, n), New(n)
			b.ReportAllocs()
			b.SetBytes(int64(4 * n))
			for b.Loop() {
				z.GeluErf(x)
			}
		})
	}
}
