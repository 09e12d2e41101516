package kernel

// PackAGeneric packs one full micro-panel of MR rows of A, kc steps deep,
// into dst (dst[p*MR+i] = A[i, p]). When trans is false, src holds row i of
// the block at src[i*lds:]; when it is true, src holds step p at src[p*lds:]
// (A is stored transposed).
func PackAGeneric(dst, src []float32, lds, kc int, trans bool) {
	dst = dst[:kc*MR]
	if trans {
		for p := range kc {
			s := src[p*lds : p*lds+MR]
			d := dst[p*MR : p*MR+MR]
			d[0], d[1], d[2], d[3], d[4], d[5] = s[0], s[1], s[2], s[3], s[4], s[5]
		}
		return
	}
	for i := range MR {
		for p, v := range src[i*lds : i*lds+kc] {
			dst[p*MR+i] = v
		}
	}
}

// PackBGeneric packs one full micro-panel of NR columns of B, kc steps deep,
// into dst (dst[p*NR+j] = B[p, j]). When trans is false, src holds step p at
// src[p*lds:]; when it is true, column j of the block at src[j*lds:] (B is
// stored transposed).
func PackBGeneric(dst, src []float32, lds, kc int, trans bool) {
	dst = dst[:kc*NR]
	if trans {
		for j := range NR {
			for p, v := range src[j*lds : j*lds+kc] {
				dst[p*NR+j] = v
			}
		}
		return
	}
	for p := range kc {
		*(*[NR]float32)(dst[p*NR:]) = *(*[NR]float32)(src[p*lds:])
	}
}
