//go:build !purego

package kernel

import "golang.org/x/sys/cpu"

// HasAVX2 reports whether the AVX2+FMA kernel can run on this CPU.
var HasAVX2 = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// GemmAVX2 is the AVX2+FMA micro-kernel with the same contract as
// GemmGeneric. It must only be called when HasAVX2 is true.
func GemmAVX2(kc int, a, b, c []float32, ldc int, alpha, beta float32) {
	if kc < 0 || len(a) < kc*MR || len(b) < kc*NR || ldc < NR || len(c) < (MR-1)*ldc+NR {
		panic("kernel: GemmAVX2: slices too short for the tile")
	}
	if kc == 0 {
		GemmGeneric(0, a, b, c, ldc, alpha, beta)
		return
	}
	gemm6x16(kc, &a[0], &b[0], &c[0], ldc, alpha, beta)
}

// gemm6x16 is implemented in kernel_amd64.s. The caller checks the bounds.
//
//go:noescape
func gemm6x16(kc int, a, b, c *float32, ldc int, alpha, beta float32)

// PackAAVX2 is PackAGeneric with AVX2 copies and 8×8 transposes.
func PackAAVX2(dst, src []float32, lds, kc int, trans bool) {
	checkPack("PackAAVX2", dst, src, lds, kc, MR, trans)
	if kc == 0 {
		return
	}
	if trans {
		copy6(kc, &src[0], lds, &dst[0])
		return
	}
	if k8 := kc / 8; k8 > 0 {
		transpose6(k8, &src[0], lds, &dst[0])
	}
	for p := kc &^ 7; p < kc; p++ {
		for i := range MR {
			dst[p*MR+i] = src[i*lds+p]
		}
	}
}

// PackBAVX2 is PackBGeneric with AVX2 copies and 8×8 transposes.
func PackBAVX2(dst, src []float32, lds, kc int, trans bool) {
	checkPack("PackBAVX2", dst, src, lds, kc, NR, trans)
	if kc == 0 {
		return
	}
	if !trans {
		copy16(kc, &src[0], lds, &dst[0])
		return
	}
	if k8 := kc / 8; k8 > 0 {
		transpose8(k8, &src[0], lds, &dst[0], NR)
		transpose8(k8, &src[8*lds], lds, &dst[8], NR)
	}
	for p := kc &^ 7; p < kc; p++ {
		for j := range NR {
			dst[p*NR+j] = src[j*lds+p]
		}
	}
}

// checkPack panics unless src and dst hold a full panel of width w.
func checkPack(name string, dst, src []float32, lds, kc, w int, trans bool) {
	rows, cols := w, kc // src as stored
	if trans != (w == NR) {
		rows, cols = kc, w
	}
	if kc < 0 || len(dst) < kc*w || lds < cols || (rows > 0 && cols > 0 && len(src) < (rows-1)*lds+cols) {
		panic("kernel: " + name + ": slices too short for the panel")
	}
}

// copy6 copies 6 floats from src+p*lds to dst+p*6 for p < kc.
//
//go:noescape
func copy6(kc int, src *float32, lds int, dst *float32)

// copy16 copies 16 floats from src+p*lds to dst+p*16 for p < kc.
//
//go:noescape
func copy16(kc int, src *float32, lds int, dst *float32)

// transpose6 writes dst[p*6+i] = src[i*lds+p] for i < 6, p < 8*k8.
//
//go:noescape
func transpose6(k8 int, src *float32, lds int, dst *float32)

// transpose8 writes dst[p*ldd+i] = src[i*lds+p] for i < 8, p < 8*k8.
//
//go:noescape
func transpose8(k8 int, src *float32, lds int, dst *float32, ldd int)
