package tensor

import (
	"fmt"
	"sync"

	"github.com/tapegrad/tapegrad/tensor/internal/kernel"
)

// LayerNormForward normalises rows of C = len(w) values: for each row of x
// [rows, C] it takes the mean and rstd = 1/√(var + eps) (both sums in
// float64, four lanes) and sets y = (x − mean)·rstd·w + b, rounding after
// each float32 operation; b may be nil. When mean and rstd are not nil
// ([rows]) they receive each row's statistics. y must not overlap x unless
// it is x. It panics with a *ShapeError if a slice is shorter than its shape
// or len(x) is not a multiple of C.
func LayerNormForward(y, x, w, b, mean, rstd []float32, eps float64) {
	c := len(w)
	if c == 0 {
		return
	}
	rows := len(x) / c
	if len(x) != rows*c || len(y) < rows*c || (b != nil && len(b) < c) || (mean != nil && len(mean) < rows) || (rstd != nil && len(rstd) < rows) {
		panic(&ShapeError{Op: "LayerNormForward", Msg: fmt.Sprintf("x %d, y %d values for rows of %d (bias %d, mean %d, rstd %d)",
			len(x), len(y), c, len(b), len(mean), len(rstd))})
	}
	for r := range rows {
		xr, yr := x[r*c:(r+1)*c], y[r*c:(r+1)*c]
		var m, rs float32
		if vecAVX2 {
			m, rs = kernel.LayerNormStatsAVX2(xr, eps)
		} else {
			m, rs = kernel.LayerNormStatsGeneric(xr, eps)
		}
		switch {
		case b == nil:
			for j, v := range xr {
				yr[j] = (v - m) * rs * w[j]
			}
		case vecAVX2:
			kernel.LayerNormApplyAVX2(yr, xr, w, b, m, rs)
		default:
			kernel.LayerNormApplyGeneric(yr, xr, w, b, m, rs)
		}
		if mean != nil {
			mean[r] = m
		}
		if rstd != nil {
			rstd[r] = rs
		}
	}
}

// LayerNormBackward accumulates the gradients of a layer norm over rows of
// C = len(w) values: x and g (the gradient of the output) are [rows, C],
// mean and rstd [rows] are each row's mean and 1/√(var + eps). With
// x̂ = (x − mean)·rstd and d = g·w,
//
//	dx += rstd·(d − mean(d) − x̂·mean(d·x̂)),  dw += Σ_rows g·x̂,  db += Σ_rows g.
//
// Any of dx ([rows, C]), dw and db ([C]) may be nil to skip it. The row
// sums are float32, taken in 8 lanes (AVX2 where the CPU has it); a nil dw or
// db is summed into scratch and dropped, so every call runs the same kernels. It panics with a
// *ShapeError if a slice is shorter than its shape.
func LayerNormBackward(dx, dw, db, x, g, w, mean, rstd []float32) {
	c := len(w)
	rows := len(mean)
	if len(rstd) < rows || len(x) < rows*c || len(g) < rows*c || (dx != nil && len(dx) < rows*c) ||
		(dw != nil && len(dw) < c) || (db != nil && len(db) < c) {
		panic(&ShapeError{Op: "LayerNormBackward", Msg: fmt.Sprintf("%d rows of %d: x %d, g %d, dx %d, dw %d, db %d, rstd %d values",
			rows, c, len(x), len(g), len(dx), len(dw), len(db), len(rstd))})
	}
	if c == 0 {
		return
	}
	if dw == nil || db == nil { // a bias-free layer, or dx alone: the same kernels, into scratch sums
		buf := normScratch.Get().(*[]float32)
		defer normScratch.Put(buf)
		if cap(*buf) < 2*c {
			*buf = make([]float32, 2*c)
		}
		scratch := (*buf)[:2*c]
		clear(scratch)
		if dw == nil {
			dw = scratch[:c]
		}
		if db == nil {
			db = scratch[c:]
		}
	}
	inv := 1 / float32(c)
	for r := range rows {
		xr, gr := x[r*c:(r+1)*c], g[r*c:(r+1)*c]
		var sd, sdx float32
		if vecAVX2 {
			sd, sdx = kernel.LayerNormSumsAVX2(dw, db, xr, gr, w, mean[r], rstd[r])
		} else {
			sd, sdx = kernel.LayerNormSumsGeneric(dw, db, xr, gr, w, mean[r], rstd[r])
		}
		if dx == nil {
			continue
		}
		if vecAVX2 {
			kernel.LayerNormDxAVX2(dx[r*c:], xr, gr, w, mean[r], rstd[r], sd*inv, sdx*inv)
		} else {
			kernel.LayerNormDxGeneric(dx[r*c:], xr, gr, w, mean[r], rstd[r], sd*inv, sdx*inv)
		}
	}
}

// normScratch holds the parameter-gradient sums LayerNormBackward computes
// and drops when the caller wants no dw or db.
var normScratch = sync.Pool{New: func() any { return new([]float32) }}
