//go:build !amd64 || purego

package kernel

// HasAVX2 is false: this build has no assembly kernels.
const HasAVX2 = false

// GemmAVX2 is not available in this build; it panics.
func GemmAVX2(kc int, a, b, c []float32, ldc int, alpha, beta float32) {
	panic("kernel: GemmAVX2 called in a build without assembly")
}

// PackAAVX2 is not available in this build; it panics.
func PackAAVX2(dst, src []float32, lds, kc int, trans bool) {
	panic("kernel: PackAAVX2 called in a build without assembly")
}

// PackBAVX2 is not available in this build; it panics.
func PackBAVX2(dst, src []float32, lds, kc int, trans bool) {
	panic("kernel: PackBAVX2 called in a build without assembly")
}

// LayerNormSumsAVX2 is not available in this build; it panics.
func LayerNormSumsAVX2(dw, db, x, g, w []float32, mean, rstd float32) (sd, sdx float32) {
	panic("kernel: LayerNormSumsAVX2 called in a build without assembly")
}

// LayerNormDxAVX2 is not available in this build; it panics.
func LayerNormDxAVX2(dx, x, g, w []float32, mean, rstd, md, mdx float32) {
	panic("kernel: LayerNormDxAVX2 called in a build without assembly")
}

// LayerNormStatsAVX2 is not available in this build; it panics.
func LayerNormStatsAVX2(x []float32, eps float64) (mean, rstd float32) {
	panic("kernel: LayerNormStatsAVX2 called in a build without assembly")
}

// LayerNormApplyAVX2 is not available in this build; it panics.
func LayerNormApplyAVX2(y, x, w, b []float32, mean, rstd float32) {
	panic("kernel: LayerNormApplyAVX2 called in a build without assembly")
}
