package compress

import (
	"fmt"
	"math"
	"testing"

	"github.com/tapegrad/tapegrad/autograd"
	"github.com/tapegrad/tapegrad/tensor"
)

// softRef is T²·KL(softmax(t/T) ‖ softmax(s/T)) averaged over rows, in float64.
func softRef(s, t []float32, v int, T float64) float64 {
	logsm := func(x []float32) []float64 {
		mx := math.Inf(-1)
		for _, a := range x {
			mx = max(mx, float64(a)/T)
		}
		var z float64
		for _, a := range x {
			z += math.Exp(float64(a)/T - mx)
		}
		out := make([]float64, len(x))
		for i, a := range x {
			out[i] = float64(a)/T - mx - math.Log(z)
		}
		return out
	}
	var kl float64
	for r := 0; r < len(s); r += v {
		lq, lp := logsm(s[r:r+v]), logsm(t[r:r+v])
		for j := range lp {
			kl += math.Exp(lp[j]) * (lp[j] - lq[j])
		}
	}
	return kl / float64(len(s)/v) * T * T
}

func TestDistillLoss(t *testing.T) {
	for _, shape := range [][]int{{1, 3}, {4, 7}, {2, 3, 5}} {
		for _, T := range []float32{1, 2, 4} {
			t.Run(fmt.Sprintf("shape=%v/T=%g", shape, T), func(t *testing.T) {
				n := 1
				for _, d := range shape {
					n *= d
				}
				v := shape[len(shape)-1]
				s := tensor.FromSlice(randn(uint64(n), 2, n), shape...)
				teacher := tensor.FromSlice(randn(uint64(n)+1, 2, n), shape...)
				labels := make([]int, n/v)
				for i := range labels {
					labels[i] = (i * 5) % v
				}
				tp := autograd.NewTape()
				got := SoftLoss(tp, autograd.Const(s), teacher, T).Item()
				if want := softRef(s.Data(), teacher.Data(), v, float64(T)); math.Abs(float64(got)-want) > 1e-5+1e-4*want {
					t.Errorf("SoftLoss = %v; want %v", got, want)
				}
				self := SoftLoss(tp, autograd.Const(s), s, T).Item()
				if math.Abs(float64(self)) > 1e-6 {
					t.Errorf("SoftLoss(s, s) = %v; want 0", self)
				}
				const alpha = 0.3
				errs := autograd.CheckGrad(func(tp *autograd.Tape, in []*autograd.Value) *autograd.Value {
					return DistillLoss(tp, in[0], teacher, labels, T, alpha)
				}, s.Clone())
				if errs[0] > 1e-2 {
					t.Errorf("DistillLoss gradient: relative error %.3g", errs[0])
				}
			})
		}
	}
}
