package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

type layerNormKernels struct {
	sums func(dw, db, x, g, w []float32, mean, rstd float32) (float32, float32)
	dx   func(dx, x, g, w []float32, mean, rstd, md, mdx float32)
}

func layerNormImpls() map[string]layerNormKernels {
	ks := map[string]layerNormKernels{"generic": {LayerNormSumsGeneric, LayerNormDxGeneric}}
	if HasAVX2 {
		ks["avx2"] = layerNormKernels{LayerNormSumsAVX2, LayerNormDxAVX2}
	}
	return ks
}

// TestLayerNormKernels runs every implementation against the formulas in
// float64 on rows of 0..100 values at odd offsets, with guard values after
// the outputs.
func TestLayerNormKernels(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	for name, k := range layerNormImpls() {
		for n := 0; n <= 100; n++ {
			off := n % 8
			x := randSlice(r, off+n)[off:]
			g := randSlice(r, off+n)[off:]
			w := randSlice(r, off+n)[off:]
			mean, rstd := float32(r.NormFloat64()*0.1), float32(0.5+r.Float64())
			dw0, db0, dx0 := randSlice(r, off+n+4), randSlice(r, off+n+4), randSlice(r, off+n+4)
			for _, s := range [][]float32{dw0, db0, dx0} {
				for i := off + n; i < len(s); i++ {
					s[i] = guard
				}
			}
			dw, db, dx := append([]float32(nil), dw0...), append([]float32(nil), db0...), append([]float32(nil), dx0...)
			sd, sdx := k.sums(dw[off:], db[off:], x, g, w, mean, rstd)
			var wd, wdx float64
			for j := range n {
				xh := float64(x[j]-mean) * float64(rstd)
				d := float64(g[j]) * float64(w[j])
				wd += d
				wdx += d * xh
			}
			const tol = 1e-5
			if math.Abs(float64(sd)-wd) > tol*(1+float64(n)) || math.Abs(float64(sdx)-wdx) > tol*(1+float64(n)) {
				t.Fatalf("%s sums(n=%d) = %v, %v; want %v, %v", name, n, sd, sdx, wd, wdx)
			}
			md, mdx := sd/float32(max(n, 1)), sdx/float32(max(n, 1))
			k.dx(dx[off:], x, g, w, mean, rstd, md, mdx)
			for j := range off + n + 4 {
				if j < off || j >= off+n {
					if dw[j] != dw0[j] || db[j] != db0[j] || dx[j] != dx0[j] {
						t.Fatalf("%s(n=%d): wrote outside the row at %d", name, n, j-off)
					}
					continue
				}
				i := j - off
				xh := float64(x[i]-mean) * float64(rstd)
				wantW := float64(dw0[j]) + float64(g[i])*xh
				wantB := float64(db0[j]) + float64(g[i])
				wantX := float64(dx0[j]) + float64(rstd)*(float64(g[i])*float64(w[i])-float64(md)-xh*float64(mdx))
				for _, c := range [][3]float64{{float64(dw[j]), wantW, 0}, {float64(db[j]), wantB, 1}, {float64(dx[j]), wantX, 2}} {
					if math.Abs(c[0]-c[1]) > tol*(1+math.Abs(c[1])) {
						t.Fatalf("%s(n=%d): %s[%d] = %v; want %v", name, n, []string{"dw", "db", "dx"}[int(c[2])], i, c[0], c[1])
					}
				}
			}
		}
	}
}

// TestLayerNormAVX2MatchesGeneric compares the assembly with its twin: the
// same sums in the same order, within a few ulp (the assembly fuses its
// multiply-adds).
func TestLayerNormAVX2MatchesGeneric(t *testing.T) {
	if !HasAVX2 {
		t.Skip("no AVX2+FMA kernel on this machine or build")
	}
	r := rand.New(rand.NewPCG(23, 24))
	for _, n := range []int{8, 64, 128, 131, 384, 768} {
		x, g, w := randSlice(r, n), randSlice(r, n), randSlice(r, n)
		dw1, db1, dx1 := make([]float32, n), make([]float32, n), make([]float32, n)
		dw2, db2, dx2 := make([]float32, n), make([]float32, n), make([]float32, n)
		s1, t1 := LayerNormSumsGeneric(dw1, db1, x, g, w, 0.1, 1.3)
		s2, t2 := LayerNormSumsAVX2(dw2, db2, x, g, w, 0.1, 1.3)
		LayerNormDxGeneric(dx1, x, g, w, 0.1, 1.3, 0.2, -0.3)
		LayerNormDxAVX2(dx2, x, g, w, 0.1, 1.3, 0.2, -0.3)
		if !ulpClose(s1, s2, 4*float32(math.Sqrt(float64(n)))) || !ulpClose(t1, t2, 4*float32(math.Sqrt(float64(n)))) {
			t.Errorf("n=%d: sums %v, %v (avx2); %v, %v (generic)", n, s2, t2, s1, t1)
		}
		for j := range n {
			if db1[j] != db2[j] || !ulpClose(dw1[j], dw2[j], 2) || !ulpClose(dx1[j], dx2[j], 4) {
				t.Fatalf("n=%d j=%d: avx2 dw %v db %v dx %v; generic %v %v %v", n, j, dw2[j], db2[j], dx2[j], dw1[j], db1[j], dx1[j])
			}
		}
	}
}

// ulpClose reports whether a and b differ by at most k units in the last
// place of the larger, or by at most k·2⁻²³ near zero.
func ulpClose(a, b, k float32) bool {
	scale := max(abs32(a), abs32(b), 1)
	return abs32(a-b) <= k*scale*(1.0/(1<<23))
}

func BenchmarkLayerNormBackward(b *testing.B) {
	for name, k := range layerNormImpls() {
		for _, n := range []int{128, 384} {
			b.Run(fmt.Sprintf("impl=%s/C=%d", name, n), func(b *testing.B) {
				r := rand.New(rand.NewPCG(25, 26))
				x, g, w := randSlice(r, n), randSlice(r, n), randSlice(r, n)
				dw, db, dx := make([]float32, n), make([]float32, n), make([]float32, n)
				for b.Loop() {
					sd, sdx := k.sums(dw, db, x, g, w, 0.1, 1.3)
					k.dx(dx, x, g, w, 0.1, 1.3, sd/float32(n), sdx/float32(n))
				}
			})
		}
	}
}

// TestLayerNormForwardAVX2MatchesGeneric checks the forward kernels bit for
// bit against their twins on rows of 0..100 values at odd offsets, and the
// twin against the formulas in float64.
func TestLayerNormForwardAVX2MatchesGeneric(t *testing.T) {
	r := rand.New(rand.NewPCG(27, 28))
	for n := 1; n <= 100; n++ {
		off := n % 8
		x := randSlice(r, off+n)[off:]
		for i := range x {
			x[i] = x[i]*3 + 5 // an offset mean
		}
		w, b := randSlice(r, n), randSlice(r, n)
		m1, r1 := LayerNormStatsGeneric(x, 1e-5)
		var s, ss float64
		for _, v := range x {
			s += float64(v)
		}
		for _, v := range x {
			ss += (float64(v) - s/float64(n)) * (float64(v) - s/float64(n))
		}
		wm, wr := s/float64(n), 1/math.Sqrt(ss/float64(n)+1e-5)
		if math.Abs(float64(m1)-wm) > 1e-5*(1+math.Abs(wm)) || math.Abs(float64(r1)-wr) > 1e-5*wr {
			t.Fatalf("LayerNormStatsGeneric(n=%d) = %v, %v; want %v, %v", n, m1, r1, wm, wr)
		}
		y1 := make([]float32, n+1)
		y1[n] = guard
		LayerNormApplyGeneric(y1, x, w, b, m1, r1)
		if y1[n] != guard {
			t.Fatalf("LayerNormApplyGeneric(n=%d) wrote past the row", n)
		}
		if !HasAVX2 {
			continue
		}
		m2, r2 := LayerNormStatsAVX2(x, 1e-5)
		if m1 != m2 || r1 != r2 {
			t.Fatalf("LayerNormStatsAVX2(n=%d) = %v, %v; generic %v, %v", n, m2, r2, m1, r1)
		}
		y2 := make([]float32, n+1)
		y2[n] = guard
		LayerNormApplyAVX2(y2, x, w, b, m1, r1)
		for j := range y1 {
			if y1[j] != y2[j] {
				t.Fatalf("LayerNormApplyAVX2(n=%d): y[%d] = %v; generic %v", n, j, y2[j], y1[j])
			}
		}
	}
}
