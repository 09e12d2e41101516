package tensor

import "github.com/tapegrad/tapegrad/tensor/internal/kernel"

const (
	mr = kernel.MR
	nr = kernel.NR
)

// packA copies the block op(A)[ic:ic+mc, pc:pc+kc] into dst as ⌈mc/MR⌉
// micro-panels of MR rows each, column by column (dst[panel*MR*kc + p*MR + i]),
// padding rows past mc with zeros. A is [m, lda] when trans is false and
// [k, lda] when it is true.
func packA(dst []float32, trans bool, a []float32, lda, ic, pc, mc, kc int) {
	for ir := 0; ir < mc; ir += mr {
		d := dst[ir*kc : ir*kc+mr*kc]
		rows := min(mr, mc-ir)
		switch {
		case trans:
			for p := range kc {
				src := a[(pc+p)*lda+ic+ir:]
				dp := (*[mr]float32)(d[p*mr:])
				if rows == mr {
					*dp = [mr]float32(src[:mr])
					continue
				}
				*dp = [mr]float32{}
				copy(dp[:rows], src)
			}
		case rows == mr:
			base := (ic+ir)*lda + pc
			r0 := a[base : base+kc]
			r1 := a[base+lda : base+lda+kc]
			r2 := a[base+2*lda : base+2*lda+kc]
			r3 := a[base+3*lda : base+3*lda+kc]
			r4 := a[base+4*lda : base+4*lda+kc]
			r5 := a[base+5*lda : base+5*lda+kc]
			for p := range kc {
				*(*[mr]float32)(d[p*mr:]) = [mr]float32{r0[p], r1[p], r2[p], r3[p], r4[p], r5[p]}
			}
		default:
			clear(d)
			for i := range rows {
				base := (ic+ir+i)*lda + pc
				for p, v := range a[base : base+kc] {
					d[p*mr+i] = v
				}
			}
		}
	}
}

// packB copies the block op(B)[pc:pc+kc, jc+q0*NR : jc+q1*NR] (clipped at
// nc) into dst as micro-panels q0..q1-1 of NR columns each, row by row
// (dst[q*NR*kc + p*NR + j]), padding columns past nc with zeros. B is
// [k, ldb] when trans is false and [n, ldb] when it is true.
func packB(dst []float32, trans bool, b []float32, ldb, pc, jc, kc, nc, q0, q1 int) {
	for q := q0; q < q1; q++ {
		jr := q * nr
		d := dst[jr*kc : jr*kc+nr*kc]
		cols := min(nr, nc-jr)
		switch {
		case !trans && cols == nr:
			for p := range kc {
				*(*[nr]float32)(d[p*nr:]) = [nr]float32(b[(pc+p)*ldb+jc+jr:])
			}
		case !trans:
			clear(d)
			for p := range kc {
				copy(d[p*nr:p*nr+cols], b[(pc+p)*ldb+jc+jr:])
			}
		default:
			if cols < nr {
				clear(d)
			}
			for j := range cols {
				base := (jc+jr+j)*ldb + pc
				for p, v := range b[base : base+kc] {
					d[p*nr+j] = v
				}
			}
		}
	}
}
