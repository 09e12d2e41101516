package tensor

import (
	"fmt"
	"math"
	"testing"
)

// The float64 loops these ops ran before the vector kernels, kept as the
// baseline of BenchmarkActivation (impl=float64).
var float64Activations = map[string]func(z, x []float32){
	"Exp": func(z, x []float32) {
		for i, v := range x {
			z[i] = float32(math.Exp(float64(v)))
		}
	},
	"Tanh": func(z, x []float32) {
		for i, v := range x {
			z[i] = float32(math.Tanh(float64(v)))
		}
	},
	"Sigmoid": func(z, x []float32) {
		for i, v := range x {
			z[i] = float32(sigmoid64(float64(v)))
		}
	},
	"Silu": func(z, x []float32) {
		for i, v := range x {
			f := float64(v)
			z[i] = float32(f * sigmoid64(f))
		}
	},
	"GeluErf": func(z, x []float32) {
		for i, v := range x {
			f := float64(v)
			z[i] = float32(0.5 * f * math.Erfc(-f*(1/math.Sqrt2)))
		}
	},
	"GeluTanh": func(z, x []float32) {
		for i, v := range x {
			f := float64(v)
			u := 0.7978845608028654 * (f + 0.044715*f*f*f)
			z[i] = float32(f * sigmoid64(2*u))
		}
	},
	// the derivatives as autograd's backward loops computed them
	"SiluGrad": func(z, x []float32) {
		for i, v := range x {
			f := float64(v)
			s := sigmoid64(f)
			z[i] = float32(s * (1 + f*(1-s)))
		}
	},
	"GeluErfGrad": func(z, x []float32) {
		for i, v := range x {
			f := float64(v)
			cdf := 0.5 * math.Erfc(-f/math.Sqrt2)
			pdf := math.Exp(-0.5*f*f) / math.Sqrt(2*math.Pi)
			z[i] = float32(cdf + f*pdf)
		}
	},
	"GeluTanhGrad": func(z, x []float32) {
		const c = 0.7978845608028654
		for i, v := range x {
			f := float64(v)
			t := math.Tanh(c * (f + 0.044715*f*f*f))
			z[i] = float32(0.5*(1+t) + 0.5*f*(1-t*t)*c*(1+3*0.044715*f*f))
		}
	},
	"Softmax": func(z, x []float32) { softmax64(z, x, 1024) },
}

// softmax64 is Softmax as it was: float64 exponentials, rows of n.
func softmax64(z, x []float32, n int) {
	for r := 0; r < len(x); r += n {
		xr, zr := x[r:r+n], z[r:r+n]
		m := float64(maxOf(xr))
		var s float64
		for i, v := range xr {
			e := math.Exp(float64(v) - m)
			s += e
			zr[i] = float32(e)
		}
		inv := 1 / s
		for i, e := range zr {
			zr[i] = float32(float64(e) * inv)
		}
	}
}

// BenchmarkActivation compares, side by side, each activation (and
// Softmax over rows of 1024) as it was in float64 (impl=float64), in the
// pure-Go float32 twin (impl=generic) and in AVX2 (impl=avx2), on 64K
// elements of spread 3.
func BenchmarkActivation(b *testing.B) {
	const n = 1 << 16
	x := Scale(Randn(1, 0, 1, 64, n/64), 3)
	z := New(64, n/64)
	ops := []struct {
		name   string
		method func(z, x *Tensor) *Tensor
	}{
		{"Exp", (*Tensor).Exp}, {"Tanh", (*Tensor).Tanh}, {"Sigmoid", (*Tensor).Sigmoid},
		{"Silu", (*Tensor).Silu}, {"GeluErf", (*Tensor).GeluErf}, {"GeluTanh", (*Tensor).GeluTanh},
		{"SiluGrad", (*Tensor).SiluGrad}, {"GeluErfGrad", (*Tensor).GeluErfGrad},
		{"GeluTanhGrad", (*Tensor).GeluTanhGrad}, {"Softmax", (*Tensor).Softmax},
	}
	impls := []string{"float64", "generic"}
	if vecAVX2 {
		impls = append(impls, "avx2")
	}
	defer func(prev bool) { vecAVX2 = prev }(vecAVX2)
	for _, op := range ops {
		for _, impl := range impls {
			b.Run(fmt.Sprintf("op=%s/impl=%s", op.name, impl), func(b *testing.B) {
				vecAVX2 = impl == "avx2"
				f64 := float64Activations[op.name]
				b.ReportAllocs()
				for b.Loop() {
					if impl == "float64" {
						f64(z.Data(), x.Data())
					} else {
						op.method(z, x)
					}
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/elem")
			})
		}
	}
}
