package kernel

// GemmGeneric is the pure-Go micro-kernel. a holds at least kc*MR values,
// b at least kc*NR and c at least (MR-1)*ldc+NR; see the package comment for
// the layouts and the contract.
func GemmGeneric(kc int, a, b, c []float32, ldc int, alpha, beta float32) {
	var acc [MR][NR]float32
	a = a[:kc*MR]
	b = b[:kc*NR]
	for p := 0; p < kc; p++ {
		ap := (*[MR]float32)(a[p*MR:])
		bp := (*[NR]float32)(b[p*NR:])
		for i := range MR {
			av := ap[i]
			row := &acc[i]
			for j := range NR {
				row[j] += av * bp[j]
			}
		}
	}
	_ = c[(MR-1)*ldc+NR-1]
	for i := range MR {
		out := (*[NR]float32)(c[i*ldc:])
		if beta == 0 {
			for j := range NR {
				out[j] = alpha * acc[i][j]
			}
		} else {
			for j := range NR {
				out[j] = alpha*acc[i][j] + beta*out[j]
			}
		}
	}
}
