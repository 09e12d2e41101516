package kernel

import "math"

// LayerNorm backward, one row of C values at a time. With x̂ = (x − mean)·rstd
// and d = g·w, the row's gradients are
//
//	dx += rstd·(d − md − x̂·mdx),  dw += g·x̂,  db += g,
//
// where md = mean(d) and mdx = mean(d·x̂). LayerNormSums* accumulate dw and
// db and return the sums Σ d and Σ d·x̂; LayerNormDx* take md and mdx and
// accumulate dx. The twins take the sums in 8 lanes, reduced as the assembly
// reduces them (lane i + lane i+4, then i + i+2, then 0 + 1), over the first
// len(x)&^7 values, and the rest in order after them; they perform the same
// float32 operations as the assembly, which fuses its multiply-adds, so
// results agree to a few ulp (bit for bit where Go fuses them too).

// LayerNormSumsGeneric adds g·x̂ to dw and g to db and returns Σ g·w and
// Σ g·w·x̂ over the row. dw, db, g and w are at least len(x) long.
func LayerNormSumsGeneric(dw, db, x, g, w []float32, mean, rstd float32) (sd, sdx float32) {
	n := len(x)
	dw, db, g, w = dw[:n], db[:n], g[:n], w[:n]
	var ld, ldx [8]float32
	n8 := n &^ 7
	for j := 0; j < n8; j += 8 {
		for l := range 8 {
			xh := (x[j+l] - mean) * rstd
			gj := g[j+l]
			d := gj * w[j+l]
			ld[l] += d
			ldx[l] += d * xh
			dw[j+l] += gj * xh
			db[j+l] += gj
		}
	}
	sd, sdx = reduce8(&ld), reduce8(&ldx)
	for j := n8; j < n; j++ {
		xh := (x[j] - mean) * rstd
		gj := g[j]
		d := gj * w[j]
		sd += d
		sdx += d * xh
		dw[j] += gj * xh
		db[j] += gj
	}
	return sd, sdx
}

// reduce8 sums 8 lanes in the order of the assembly's horizontal sum.
func reduce8(l *[8]float32) float32 {
	a0, a1, a2, a3 := l[0]+l[4], l[1]+l[5], l[2]+l[6], l[3]+l[7]
	b0, b1 := a0+a2, a1+a3
	return b0 + b1
}

// LayerNormDxGeneric adds rstd·(g·w − md − x̂·mdx) to dx over the row; dx,
// g and w are at least len(x) long.
func LayerNormDxGeneric(dx, x, g, w []float32, mean, rstd, md, mdx float32) {
	n := len(x)
	dx, g, w = dx[:n], g[:n], w[:n]
	for j, v := range x {
		xh := (v - mean) * rstd
		t := g[j]*w[j] - md
		t -= xh * mdx
		dx[j] += rstd * t
	}
}

// LayerNorm forward. LayerNormStats* return a row's mean and 1/√(var + eps)
// with both sums in float64 over four lanes (lane l takes the values at
// i ≡ l mod 4 of the first len(x)&^3, the rest go to lane 0, and the lanes
// are added in order), the variance from the float64 mean in a second pass.
// LayerNormApply* set y = (x − mean)·rstd·w + b, rounding after each
// operation. Assembly and twin are bit for bit the same.

// LayerNormStatsGeneric returns the mean of x and 1/√(variance + eps).
func LayerNormStatsGeneric(x []float32, eps float64) (mean, rstd float32) {
	var s [4]float64
	n4 := len(x) &^ 3
	for i := 0; i < n4; i += 4 {
		s[0] += float64(x[i])
		s[1] += float64(x[i+1])
		s[2] += float64(x[i+2])
		s[3] += float64(x[i+3])
	}
	m := statsMean(x, &s)
	s = [4]float64{}
	for i := 0; i < n4; i += 4 {
		d0, d1, d2, d3 := float64(x[i])-m, float64(x[i+1])-m, float64(x[i+2])-m, float64(x[i+3])-m
		s[0] += d0 * d0
		s[1] += d1 * d1
		s[2] += d2 * d2
		s[3] += d3 * d3
	}
	return statsFinish(x, m, eps, &s)
}

// statsMean adds the values of x past len(x)&^3 to lane 0 of s and returns
// the mean.
func statsMean(x []float32, s *[4]float64) float64 {
	for i := len(x) &^ 3; i < len(x); i++ {
		s[0] += float64(x[i])
	}
	return (s[0] + s[1] + s[2] + s[3]) / float64(len(x))
}

// statsFinish adds the squared deviations from m of the values of x past
// len(x)&^3 to lane 0 of s and returns the mean and rstd.
func statsFinish(x []float32, m, eps float64, s *[4]float64) (mean, rstd float32) {
	for i := len(x) &^ 3; i < len(x); i++ {
		d := float64(x[i]) - m
		s[0] += d * d
	}
	return float32(m), float32(1 / math.Sqrt((s[0]+s[1]+s[2]+s[3])/float64(len(x))+eps))
}

// LayerNormApplyGeneric sets y[j] = (x[j] − mean)·rstd·w[j] + b[j]; y, w and
// b are at least len(x) long.
func LayerNormApplyGeneric(y, x, w, b []float32, mean, rstd float32) {
	n := len(x)
	y, w, b = y[:n], w[:n], b[:n]
	for j, v := range x {
		t := (v - mean) * rstd
		y[j] = float32(t*w[j]) + b[j]
	}
}
