package tensor

import (
	"errors"
	"math"
	"math/big"
	"testing"
)

// TestAdamUpdate runs a few Adam and AdamW steps through every
// implementation on odd lengths, against the update written out in float64
// with every operation rounded to float32 and the multiply-adds rounded once
// (PyTorch's float32 arithmetic), and requires the same bits.
func TestAdamUpdate(t *testing.T) {
	defer func(prev bool) { vecAVX2 = prev }(vecAVX2)
	impls := map[string]bool{"generic": false}
	if vecAVX2 {
		impls["avx2"] = true
	}
	f := func(x float64) float64 { return float64(float32(x)) }
	for name, avx2 := range impls {
		vecAVX2 = avx2
		for _, n := range []int{0, 1, 7, 8, 9, 31, 1000} {
			for _, decoupled := range []bool{false, true} {
				const lr, wd, b1, b2, eps = 1e-2, 0.1, 0.9, 0.99, 1e-8
				p := specialize(Randn(uint64(n), 0, 1, n)).data
				m, v := make([]float32, n), make([]float32, n)
				wp, wm, wv := clone32(p), clone32(m), clone32(v)
				for step := 1; step <= 3; step++ {
					g := specialize(Randn(uint64(n+step), 0, 1, n)).data
					c := AdamCoef{Beta1: b1, Beta2: b2, Eps: eps, StepSize: lr / (1 - math.Pow(b1, float64(step))),
						BC2Sqrt: math.Sqrt(1 - math.Pow(b2, float64(step))), Decay: 1}
					if decoupled {
						c.Decay = 1 - lr*wd
					} else {
						c.L2 = wd
					}
					AdamUpdate(p, g, m, v, c)
					for i := range wp {
						gi, pi := float64(g[i]), float64(wp[i])
						if c.L2 != 0 {
							gi = fma32(pi, f(c.L2), gi)
						}
						pi = f(pi * f(c.Decay))
						mi := fma32(gi, f(1-b1), f(float64(wm[i])*f(b1)))
						vi := fma32(f(f(1-b2)*gi), gi, f(float64(wv[i])*f(b2)))
						d := f(f(f(math.Sqrt(vi))/f(c.BC2Sqrt)) + f(eps))
						wp[i], wm[i], wv[i] = float32(f(pi+f(f(-f(c.StepSize)*mi)/d))), float32(mi), float32(vi)
					}
					for _, x := range [][2][]float32{{p, wp}, {m, wm}, {v, wv}} {
						if i := sameData(x[0], x[1]); i >= 0 {
							t.Fatalf("%s n=%d decoupled=%v step %d: [%d] = %v; want %v", name, n, decoupled, step, i, x[0][i], x[1][i])
						}
					}
				}
			}
		}
	}
}

func TestAdamUpdatePanics(t *testing.T) {
	defer func() {
		var se *ShapeError
		if err, _ := recover().(error); !errors.As(err, &se) {
			t.Fatalf("AdamUpdate with lengths 3, 3, 2, 3 panicked with %v; want a *ShapeError", err)
		}
	}()
	AdamUpdate(make([]float32, 3), make([]float32, 3), make([]float32, 2), make([]float32, 3), AdamCoef{})
}

func TestAdamUpdateAllocs(t *testing.T) {
	p, g, m, v := make([]float32, 37), make([]float32, 37), make([]float32, 37), make([]float32, 37)
	c := AdamCoef{Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, StepSize: 1e-3, BC2Sqrt: 0.1, Decay: 1}
	if n := testing.AllocsPerRun(10, func() { AdamUpdate(p, g, m, v, c) }); n != 0 {
		t.Errorf("AdamUpdate allocates %v times", n)
	}
}

// fma32 returns x·y + z rounded once to float32, through math/big.
func fma32(x, y, z float64) float64 {
	if math.IsInf(x, 0) || math.IsInf(y, 0) || math.IsInf(z, 0) || x != x || y != y || z != z {
		return float64(float32(x*y + z))
	}
	xy := new(big.Float).SetPrec(1000).Mul(big.NewFloat(x), big.NewFloat(y))
	r, _ := xy.Add(xy, big.NewFloat(z)).Float32()
	return float64(r)
}

func clone32(x []float32) []float32 { return append([]float32(nil), x...) }
