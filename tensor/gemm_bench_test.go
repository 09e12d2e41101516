package tensor

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

func benchGemm(b *testing.B, transA, transB bool, m, n, k int) {
	r := rand.New(rand.NewPCG(1, 1))
	x, y, z := randFloats(r, m*k), randFloats(r, k*n), make([]float32, m*n)
	lda, ldb := k, n
	if transA {
		lda = m
	}
	if transB {
		ldb = k
	}
	b.ReportAllocs()
	for b.Loop() {
		Gemm(transA, transB, m, n, k, 1, x, lda, y, ldb, 0, z, n)
	}
	b.ReportMetric(2*float64(m)*float64(n)*float64(k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

// BenchmarkGemm measures square products for every micro-kernel, transpose
// combination and thread count: compare with benchstat across commits.
func BenchmarkGemm(b *testing.B) {
	for _, impl := range GemmImpls() {
		for _, tr := range allTrans[:3] {
			for _, n := range []int{64, 256, 512, 1024} {
				for _, threads := range []int{1, 2} {
					if impl == "generic" && n > 256 {
						continue
					}
					b.Run(fmt.Sprintf("impl=%s/trans=%s/n=%d/threads=%d", impl, transName(tr[0], tr[1]), n, threads), func(b *testing.B) {
						prevImpl, _ := SetGemmImpl(impl)
						prev := SetMaxThreads(threads)
						defer SetGemmImpl(prevImpl)
						defer SetMaxThreads(prev)
						benchGemm(b, tr[0], tr[1], n, n, n)
					})
				}
			}
		}
	}
}

// BenchmarkGemmShapes measures the rectangular products a GPT step runs:
// [B·T, C]·[C, 3C] and friends for the shakespeare-char-cpu recipe.
func BenchmarkGemmShapes(b *testing.B) {
	for _, s := range []struct {
		name    string
		ta, tb  bool
		m, n, k int
	}{
		{"qkv", false, true, 768, 384, 128},
		{"fc", false, true, 768, 512, 128},
		{"proj", false, true, 768, 128, 512},
		{"dW", true, false, 512, 128, 768},
		{"lm_head", false, true, 768, 65, 128},
	} {
		b.Run(fmt.Sprintf("shape=%s/m=%d/n=%d/k=%d", s.name, s.m, s.n, s.k), func(b *testing.B) {
			benchGemm(b, s.ta, s.tb, s.m, s.n, s.k)
		})
	}
}
