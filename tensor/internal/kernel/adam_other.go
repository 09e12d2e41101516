//go:build !amd64 || purego

package kernel

// AdamAVX2 is not available in this build; it panics.
func AdamAVX2(p, g, m, v []float32, c AdamCoef) { noAVX2("AdamAVX2") }
