package tensor

import (
	"fmt"
	"testing"
)

// BenchmarkElementwise times the ops of a GPT step on one [B·T, C]
// activation of nanoGPT's CPU recipe (B·T = 768, C = 128) under every
// implementation of their kernels.
func BenchmarkElementwise(b *testing.B) {
	const rows, c = 768, 128
	x, y := Randn(1, 0, 1, rows, c), Randn(2, 1, 0.1, rows, c)
	bias, z, s := Randn(3, 0, 1, c), New(rows, c), New(c)
	ops := []struct {
		name string
		f    func()
	}{
		{"add", func() { z.Add(x, y) }},
		{"mul", func() { z.Mul(x, y) }},
		{"div", func() { z.Div(x, y) }},
		{"add_row", func() { z.Add(x, bias) }},
		{"scale", func() { z.Scale(x, 0.5) }},
		{"addscaled", func() { z.AddScaled(x, 0.5) }},
		{"addmul", func() { z.AddMul(x, y) }},
		{"sumto", func() { s.SumTo(x) }},
	}
	impls := []string{"generic"}
	if vecAVX2 {
		impls = append(impls, "avx2")
	}
	defer func(prev bool) { vecAVX2 = prev }(vecAVX2)
	for _, op := range ops {
		for _, impl := range impls {
			b.Run(fmt.Sprintf("op=%s/impl=%s", op.name, impl), func(b *testing.B) {
				vecAVX2 = impl == "avx2"
				b.ReportAllocs()
				for b.Loop() {
					op.f()
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/(rows*c), "ns/elem")
			})
		}
	}
}
