//go:build !purego

package kernel

// AdamAVX2 is AdamGeneric with 8 lanes of AVX2, bit for bit: the assembly
// runs the whole blocks of 8 and the last len(p)%8 elements go through
// AdamGeneric, which performs the same IEEE operations (TestAdamAVX2 checks
// it on every length 0..100). It must only be called when HasAVX2 is true.
func AdamAVX2(p, g, m, v []float32, c AdamCoef) {
	n := len(p)
	if len(g) < n || len(m) < n || len(v) < n {
		panic("kernel: AdamAVX2: g, m or v shorter than p")
	}
	n8 := n &^ 7
	if n8 > 0 {
		l2 := 0
		if c.L2 != 0 {
			l2 = 1
		}
		adam8(&p[0], &g[0], &m[0], &v[0], n8, &c, l2)
	}
	if n8 < n {
		AdamGeneric(p[n8:], g[n8:n], m[n8:n], v[n8:n], c)
	}
}

// adam8 is the loop in adam_amd64.s; n is a positive multiple of 8, and l2
// is 1 to add c.L2·p to the gradient, 0 to skip it.
//
//go:noescape
func adam8(p, grad, m, v *float32, n int, c *AdamCoef, l2 int)
