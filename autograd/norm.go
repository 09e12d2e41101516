package autograd

import (
	"fmt"
	"math"

	"github.com/tapegrad/tapegrad/tensor"
)

// LayerNorm normalises x [..., C] over its last axis to zero mean and unit
// (biased) variance, then scales by w [C] and shifts by b [C] (b may be nil):
// y = (x − mean)/√(var + eps)·w + b. It is one fused op that saves the mean
// and 1/√(var + eps) of every row for backward.
func (tp *Tape) LayerNorm(x, w, b *Value, eps float32) *Value {
	c := x.Data.Dim(-1)
	checkVector("LayerNorm", "weight", w, c)
	op := &layerNorm{eps: float64(eps)}
	if b == nil {
		return tp.Apply("layer_norm", op, x, w)
	}
	checkVector("LayerNorm", "bias", b, c)
	return tp.Apply("layer_norm", op, x, w, b)
}

type layerNorm struct {
	eps        float64
	mean, rstd []float32 // per row
}

// Forward normalises each row (tensor.LayerNormForward): the mean and
// variance summed in float64, then y = (x − mean)·rstd·w + b in float32.
func (ln *layerNorm) Forward(ctx *Context, in []*tensor.Tensor) *tensor.Tensor {
	x, w := in[0].Data(), in[1].Data()
	var b []float32
	if len(in) == 3 {
		b = in[2].Data()
	}
	c := len(w)
	rows := len(x) / max(c, 1)
	y := ctx.Alloc(in[0].Shape()...)
	yd := y.Data()
	if ctx.Recording() {
		stats := ctx.Alloc(2, rows).Data()
		ln.mean, ln.rstd = stats[:rows], stats[rows:]
	}
	tensor.LayerNormForward(yd, x, w, b, ln.mean, ln.rstd, ln.eps)
	return y
}

// Backward: with x̂ = (x − mean)·rstd and d = g·w,
// dx = rstd·(d − mean(d) − x̂·mean(d·x̂)), dw = Σ g·x̂, db = Σ g over rows.
func (ln *layerNorm) Backward(ctx *Context, gOut *tensor.Tensor, in []*tensor.Tensor, out *tensor.Tensor, grads []*tensor.Tensor) {
	x, w, g := in[0].Data(), in[1].Data(), gOut.Data()
	c := len(w)
	var dx, dw, db []float32
	if grads[0] != nil {
		dx = grads[0].Data()
	}
	if grads[1] != nil {
		dw = grads[1].Data()[:c]
	}
	if len(grads) == 3 && grads[2] != nil {
		db = grads[2].Data()[:c]
	}
	tensor.LayerNormBackward(dx, dw, db, x, g, w, ln.mean, ln.rstd)
}

// RMSNorm scales each row of x [..., C] by 1/√(mean(x²) + eps) and then by
// w [C]: y = x·w/√(mean(x²) + eps). One fused op.
func (tp *Tape) RMSNorm(x, w *Value, eps float32) *Value {
	checkVector("RMSNorm", "weight", w, x.Data.Dim(-1))
	return tp.Apply("rms_norm", &rmsNorm{eps: float64(eps)}, x, w)
}

type rmsNorm struct {
	eps  float64
	rstd []float64
}

func (rn *rmsNorm) Forward(ctx *Context, in []*tensor.Tensor) *tensor.Tensor {
	x, w := in[0].Data(), in[1].Data()
	c := len(w)
	rows := len(x) / max(c, 1)
	y := ctx.Alloc(in[0].Shape()...)
	yd := y.Data()
	if ctx.Recording() {
		rn.rstd = make([]float64, rows)
	}
	for r := range rows {
		row := x[r*c : (r+1)*c]
		var ss float64
		for _, v := range row {
			ss += float64(v) * float64(v)
		}
		rstd := 1 / math.Sqrt(ss/float64(c)+rn.eps)
		for j, v := range row {
			yd[r*c+j] = float32(float64(v) * rstd * float64(w[j]))
		}
		if rn.rstd != nil {
			rn.rstd[r] = rstd
		}
	}
	return y
}

// Backward: with r = rstd and d = g·w, dx = r·(d − x·r²·mean(d·x)),
// dw = Σ g·x·r over rows.
func (rn *rmsNorm) Backward(ctx *Context, gOut *tensor.Tensor, in []*tensor.Tensor, out *tensor.Tensor, grads []*tensor.Tensor) {
	x, w, g := in[0].Data(), in[1].Data(), gOut.Data()
	c := len(w)
	for r, rstd := range rn.rstd {
		row, grow := x[r*c:(r+1)*c], g[r*c:(r+1)*c]
		var mdx float64
		for j, gj := range grow {
			mdx += float64(gj) * float64(w[j]) * float64(row[j])
			if grads[1] != nil {
				grads[1].Data()[j] += float32(float64(gj) * float64(row[j]) * rstd)
			}
		}
		if grads[0] == nil {
			continue
		}
		mdx /= float64(c)
		drow := grads[0].Data()[r*c : (r+1)*c]
		for j, gj := range grow {
			d := float64(gj) * float64(w[j])
			drow[j] += float32(rstd * (d - float64(row[j])*rstd*rstd*mdx))
		}
	}
}

func checkVector(op, name string, v *Value, c int) {
	if s := v.Shape(); len(s) != 1 || s[0] != c {
		panic(&tensor.ShapeError{Op: op, Msg: fmt.Sprintf("%s has shape %v; want [%d]", name, s, c)})
	}
}
