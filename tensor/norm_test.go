package tensor

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestLayerNormBackward compares the kernel path (AVX2 and pure Go) with the
// plain loops on odd row widths, and checks that nil gradients are skipped.
func TestLayerNormBackward(t *testing.T) {
	r := rand.New(rand.NewPCG(31, 32))
	randn := func(n int) []float32 {
		s := make([]float32, n)
		for i := range s {
			s[i] = float32(r.NormFloat64())
		}
		return s
	}
	defer func(v bool) { vecAVX2 = v }(vecAVX2)
	for _, avx := range []bool{false, vecAVX2} {
		vecAVX2 = avx
		for _, c := range []int{1, 7, 8, 33, 128} {
			const rows = 5
			x, g, w := randn(rows*c), randn(rows*c), randn(c)
			mean, rstd := randn(rows), make([]float32, rows)
			for i := range rstd {
				rstd[i] = 0.5 + r.Float32()
			}
			dx, dw, db := randn(rows*c), randn(c), randn(c)
			wx, ww, wb := append([]float32(nil), dx...), append([]float32(nil), dw...), append([]float32(nil), db...)
			dx2 := append([]float32(nil), dx...)
			LayerNormBackward(dx, dw, db, x, g, w, mean, rstd)
			layerNormBackwardLoops(wx, ww, wb, x, g, w, mean, rstd)
			for _, p := range [][2][]float32{{dx, wx}, {dw, ww}, {db, wb}} {
				for i := range p[0] {
					if d := math.Abs(float64(p[0][i] - p[1][i])); d > 1e-5*(1+math.Abs(float64(p[1][i]))) {
						t.Fatalf("avx2=%v C=%d: [%d] = %v; want %v", avx, c, i, p[0][i], p[1][i])
					}
				}
			}
			// Only dx (dw and db summed into scratch): the same dx as with them.
			LayerNormBackward(dx2, nil, nil, x, g, w, mean, rstd)
			for i := range dx2 {
				if d := math.Abs(float64(dx2[i] - dx[i])); d > 1e-5*(1+math.Abs(float64(dx[i]))) {
					t.Fatalf("avx2=%v C=%d dx only: [%d] = %v; want %v", avx, c, i, dx2[i], dx[i])
				}
			}
		}
	}
}

// layerNormBackwardLoops is LayerNormBackward in plain loops, row by row and
// in order: the reference for the kernels.
func layerNormBackwardLoops(dx, dw, db, x, g, w, mean, rstd []float32) {
	c := len(w)
	for r := range len(mean) {
		row, grow := x[r*c:(r+1)*c], g[r*c:(r+1)*c]
		var md, mdx float32
		for j, gj := range grow {
			xh := (row[j] - mean[r]) * rstd[r]
			d := gj * w[j]
			md += d
			mdx += d * xh
			dw[j] += gj * xh
			db[j] += gj
		}
		md /= float32(c)
		mdx /= float32(c)
		for j, gj := range grow {
			xh := (row[j] - mean[r]) * rstd[r]
			dx[r*c+j] += rstd[r] * (gj*w[j] - md - xh*mdx)
		}
	}
}

func TestLayerNormBackwardShapes(t *testing.T) {
	defer func() {
		if _, ok := recover().(*ShapeError); !ok {
			t.Errorf("LayerNormBackward with a short x did not panic with a *ShapeError")
		}
	}()
	LayerNormBackward(nil, nil, nil, make([]float32, 5), make([]float32, 8), make([]float32, 4), make([]float32, 2), make([]float32, 2))
}

// TestLayerNormForward checks both kernel paths bit for bit against each
// other and against the formulas in float64, with and without a bias.
func TestLayerNormForward(t *testing.T) {
	r := rand.New(rand.NewPCG(33, 34))
	defer func(v bool) { vecAVX2 = v }(vecAVX2)
	for _, c := range []int{1, 7, 8, 33, 128} {
		const rows = 4
		x, w, b := make([]float32, rows*c), make([]float32, c), make([]float32, c)
		for i := range x {
			x[i] = float32(r.NormFloat64()*2 + 3)
		}
		for i := range w {
			w[i], b[i] = float32(r.NormFloat64()), float32(r.NormFloat64())
		}
		for _, bias := range [][]float32{b, nil} {
			var ys [2][]float32
			for i, avx := range []bool{false, vecAVX2} {
				vecAVX2 = avx
				y, mean, rstd := make([]float32, rows*c), make([]float32, rows), make([]float32, rows)
				LayerNormForward(y, x, w, bias, mean, rstd, 1e-5)
				ys[i] = y
				for row := range rows {
					var s, ss float64
					for _, v := range x[row*c : (row+1)*c] {
						s += float64(v)
					}
					m := s / float64(c)
					for _, v := range x[row*c : (row+1)*c] {
						ss += (float64(v) - m) * (float64(v) - m)
					}
					rs := 1 / math.Sqrt(ss/float64(c)+1e-5)
					if math.Abs(float64(mean[row])-m) > 1e-6*(1+math.Abs(m)) || math.Abs(float64(rstd[row])-rs) > 1e-5*rs {
						t.Fatalf("C=%d row %d: mean, rstd = %v, %v; want %v, %v", c, row, mean[row], rstd[row], m, rs)
					}
					for j := range c {
						want := (float64(x[row*c+j])-m)*rs*float64(w[j]) + func() float64 {
							if bias == nil {
								return 0
							}
							return float64(bias[j])
						}()
						if got := float64(y[row*c+j]); math.Abs(got-want) > 1e-5*(1+math.Abs(want)) {
							t.Fatalf("C=%d bias=%v: y[%d, %d] = %v; want %v", c, bias != nil, row, j, got, want)
						}
					}
				}
			}
			for i := range ys[0] {
				if ys[0][i] != ys[1][i] {
					t.Fatalf("C=%d bias=%v: y[%d] = %v (avx2), %v (generic)", c, bias != nil, i, ys[1][i], ys[0][i])
				}
			}
		}
	}
}

// TestLayerNormAllocs checks that both passes allocate nothing: they run for
// every row of every layer norm of every step.
func TestLayerNormAllocs(t *testing.T) {
	const rows, c = 3, 37
	x, g, w, b := make([]float32, rows*c), make([]float32, rows*c), make([]float32, c), make([]float32, c)
	for i := range x {
		x[i], g[i] = float32(i%7), float32(i%5)
	}
	for i := range w {
		w[i], b[i] = 1, 0.5
	}
	y, dx, dw, db := make([]float32, rows*c), make([]float32, rows*c), make([]float32, c), make([]float32, c)
	mean, rstd := make([]float32, rows), make([]float32, rows)
	if n := testing.AllocsPerRun(10, func() {
		LayerNormForward(y, x, w, b, mean, rstd, 1e-5)
		LayerNormBackward(dx, dw, db, x, g, w, mean, rstd)
	}); n != 0 {
		t.Errorf("LayerNormForward + LayerNormBackward allocate %v times per call; want 0", n)
	}
}
