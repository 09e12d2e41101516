package kernel

// GemmGeneric is the pure-Go micro-kernel. a holds at least kc*MR values,
// b at least kc*NR and c at least (MR-1)*ldc+NR; see the package comment for
// the layouts and the contract.
//
// It computes the tile in 3×4 blocks whose twelve sums stay in registers,
// which is several times faster than accumulating the whole tile in memory.
func GemmGeneric(kc int, a, b, c []float32, ldc int, alpha, beta float32) {
	a = a[:kc*MR]
	b = b[:kc*NR]
	_ = c[(MR-1)*ldc+NR-1]
	for i0 := 0; i0 < MR; i0 += 3 {
		for j0 := 0; j0 < NR; j0 += 4 {
			var s00, s01, s02, s03, s10, s11, s12, s13, s20, s21, s22, s23 float32
			for p := range kc {
				ap := a[p*MR+i0 : p*MR+i0+3 : p*MR+i0+3]
				bp := b[p*NR+j0 : p*NR+j0+4 : p*NR+j0+4]
				a0, a1, a2 := ap[0], ap[1], ap[2]
				b0, b1, b2, b3 := bp[0], bp[1], bp[2], bp[3]
				s00 += a0 * b0
				s01 += a0 * b1
				s02 += a0 * b2
				s03 += a0 * b3
				s10 += a1 * b0
				s11 += a1 * b1
				s12 += a1 * b2
				s13 += a1 * b3
				s20 += a2 * b0
				s21 += a2 * b1
				s22 += a2 * b2
				s23 += a2 * b3
			}
			storeRow(c[i0*ldc+j0:], alpha, beta, s00, s01, s02, s03)
			storeRow(c[(i0+1)*ldc+j0:], alpha, beta, s10, s11, s12, s13)
			storeRow(c[(i0+2)*ldc+j0:], alpha, beta, s20, s21, s22, s23)
		}
	}
}

// storeRow sets c[0:4] = alpha·s + beta·c, not reading c when beta is 0.
func storeRow(c []float32, alpha, beta, s0, s1, s2, s3 float32) {
	c = c[:4:4]
	if beta == 0 {
		c[0], c[1], c[2], c[3] = alpha*s0, alpha*s1, alpha*s2, alpha*s3
		return
	}
	c[0] = alpha*s0 + beta*c[0]
	c[1] = alpha*s1 + beta*c[1]
	c[2] = alpha*s2 + beta*c[2]
	c[3] = alpha*s3 + beta*c[3]
}
