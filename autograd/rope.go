package autograd

import (
	"fmt"
	"math"

	"github.com/tapegrad/tapegrad/tensor"
)

// RoPE applies rotary position embeddings to x [B, H, T, D] (D even) for
// positions pos0, …, pos0+T−1, with rotate-half pairing: dimension i pairs
// with i + D/2 and both turn by the angle pos·base^(−2i/D):
//
//	y[i]     = x[i]·cos − x[i+D/2]·sin
//	y[i+D/2] = x[i]·sin + x[i+D/2]·cos
//
// The gradient turns back by the same angle. The cosines and sines are
// computed in float64 and rounded, as the reference does.
func (tp *Tape) RoPE(x *Value, base float64, pos0 int) *Value {
	s := x.Shape()
	if len(s) != 4 || s[3]%2 != 0 {
		panic(&tensor.ShapeError{Op: "RoPE", Msg: fmt.Sprintf("input has shape %v; want [B, H, T, D] with D even", s)})
	}
	t, d := s[2], s[3]
	half := d / 2
	cos, sin := tp.alloc(t, half), tp.alloc(t, half)
	ropeTables(cos.Data(), sin.Data(), pos0, t, d, base)
	y := tp.alloc(s...)
	rotate(y.Data(), x.Data.Data(), cos.Data(), sin.Data(), t, d, false)
	out := tp.result(y, tp.needsGrad(x))
	if !out.requiresGrad {
		return out
	}
	tp.record("rope", out, func(g *tensor.Tensor) {
		rotate(tp.gradOf(x).Data(), g.Data(), cos.Data(), sin.Data(), t, d, true)
	})
	return out
}

// ropeTables fills cos and sin [T, D/2] with the angles of positions pos0….
func ropeTables(cos, sin []float32, pos0, t, d int, base float64) {
	half := d / 2
	for i := range half {
		inv := 1 / math.Pow(base, float64(2*i)/float64(d))
		for p := range t {
			ang := float64(pos0+p) * inv
			cos[p*half+i] = float32(math.Cos(ang))
			sin[p*half+i] = float32(math.Sin(ang))
		}
	}
}

// rotate turns every pair (i, i+D/2) of every row of src by its position's
// angle and stores into dst; with back it turns by minus the angle and adds
// into dst (the gradient of the forward rotation).
func rotate(dst, src, cos, sin []float32, t, d int, back bool) {
	half := d / 2
	for r := 0; r < len(src); r += d {
		p := (r / d) % t
		c, s := cos[p*half:(p+1)*half], sin[p*half:(p+1)*half]
		x1, x2 := src[r:r+half], src[r+half:r+d]
		y1, y2 := dst[r:r+half], dst[r+half:r+d]
		for i := range half {
			if back {
				y1[i] += x1[i]*c[i] + x2[i]*s[i]
				y2[i] += x2[i]*c[i] - x1[i]*s[i]
			} else {
				y1[i] = x1[i]*c[i] - x2[i]*s[i]
				y2[i] = x1[i]*s[i] + x2[i]*c[i]
			}
		}
	}
}
