//go:build !purego

package kernel

// LayerNormSumsAVX2 is LayerNormSumsGeneric in AVX2 assembly. It must only
// be called when HasAVX2 is true.
func LayerNormSumsAVX2(dw, db, x, g, w []float32, mean, rstd float32) (sd, sdx float32) {
	n := len(x)
	dw, db, g, w = dw[:n], db[:n], g[:n], w[:n]
	n8 := n &^ 7
	if n8 > 0 {
		sd, sdx = layerNormSumsAVX2(&dw[0], &db[0], &x[0], &g[0], &w[0], n8, mean, rstd)
	}
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

// LayerNormDxAVX2 is LayerNormDxGeneric in AVX2 assembly. It must only be
// called when HasAVX2 is true.
func LayerNormDxAVX2(dx, x, g, w []float32, mean, rstd, md, mdx float32) {
	n := len(x)
	dx, g, w = dx[:n], g[:n], w[:n]
	n8 := n &^ 7
	if n8 > 0 {
		layerNormDxAVX2(&dx[0], &x[0], &g[0], &w[0], n8, mean, rstd, md, mdx)
	}
	for j := n8; j < n; j++ {
		xh := (x[j] - mean) * rstd
		t := g[j]*w[j] - md
		t -= xh * mdx
		dx[j] += rstd * t
	}
}

// layerNormSumsAVX2 is implemented in norm_amd64.s; n is a positive
// multiple of 8.
//
//go:noescape
func layerNormSumsAVX2(dw, db, x, gy, w *float32, n int, mean, rstd float32) (sd, sdx float32)

// layerNormDxAVX2 is implemented in norm_amd64.s; n is a positive multiple
// of 8.
//
//go:noescape
func layerNormDxAVX2(dx, x, gy, w *float32, n int, mean, rstd, md, mdx float32)

// LayerNormStatsAVX2 is LayerNormStatsGeneric in AVX2 assembly, bit for bit.
// It must only be called when HasAVX2 is true.
func LayerNormStatsAVX2(x []float32, eps float64) (mean, rstd float32) {
	var s [4]float64
	n4 := len(x) &^ 3
	if n4 > 0 {
		layerNormSum4AVX2(&x[0], n4, &s)
	}
	m := statsMean(x, &s)
	s = [4]float64{}
	if n4 > 0 {
		layerNormSqDev4AVX2(&x[0], n4, m, &s)
	}
	return statsFinish(x, m, eps, &s)
}

// LayerNormApplyAVX2 is LayerNormApplyGeneric in AVX2 assembly, bit for
// bit. It must only be called when HasAVX2 is true.
func LayerNormApplyAVX2(y, x, w, b []float32, mean, rstd float32) {
	n := len(x)
	y, w, b = y[:n], w[:n], b[:n]
	n8 := n &^ 7
	if n8 > 0 {
		layerNormApplyAVX2(&y[0], &x[0], &w[0], &b[0], n8, mean, rstd)
	}
	for j := n8; j < n; j++ {
		t := (x[j] - mean) * rstd
		y[j] = float32(t*w[j]) + b[j]
	}
}

// layerNormSum4AVX2 adds x[i] to s[i%4] for i < n, a positive multiple of 4.
//
//go:noescape
func layerNormSum4AVX2(x *float32, n int, s *[4]float64)

// layerNormSqDev4AVX2 adds (x[i] − m)² to s[i%4] for i < n, a positive
// multiple of 4.
//
//go:noescape
func layerNormSqDev4AVX2(x *float32, n int, m float64, s *[4]float64)

// layerNormApplyAVX2 is LayerNormApplyGeneric's loop; n is a positive
// multiple of 8.
//
//go:noescape
func layerNormApplyAVX2(y, x, w, b *float32, n int, mean, rstd float32)
