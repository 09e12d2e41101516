package tensor

import "github.com/tapegrad/tapegrad/tensor/internal/kernel"

const (
	mr = kernel.MR
	nr = kernel.NR
)

// panelPacker packs one full micro-panel; see tensor/internal/kernel.
type panelPacker func(dst, src []float32, lds, kc int, trans bool)

// packA copies the block op(A)[ic:ic+mc, pc:pc+kc] into dst as ⌈mc/MR⌉
// micro-panels of MR rows each, column by column (dst[panel*MR*kc + p*MR + i]),
// padding rows past mc with zeros. A is [m, lda] when trans is false and
// [k, lda] when it is true. Full panels go to pack, the implementation's packer.
func packA(pack panelPacker, dst []float32, trans bool, a []float32, lda, ic, pc, mc, kc int) {
	for ir := 0; ir < mc; ir += mr {
		d := dst[ir*kc : ir*kc+mr*kc]
		rows := min(mr, mc-ir)
		switch {
		case rows == mr && trans:
			pack(d, a[pc*lda+ic+ir:], lda, kc, true)
		case rows == mr:
			pack(d, a[(ic+ir)*lda+pc:], lda, kc, false)
		case trans:
			clear(d)
			for p := range kc {
				copy(d[p*mr:p*mr+rows], a[(pc+p)*lda+ic+ir:])
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
// [k, ldb] when trans is false and [n, ldb] when it is true. Full panels go
// to pack, the implementation's packer.
func packB(pack panelPacker, dst []float32, trans bool, b []float32, ldb, pc, jc, kc, nc, q0, q1 int) {
	for q := q0; q < q1; q++ {
		jr := q * nr
		d := dst[jr*kc : jr*kc+nr*kc]
		cols := min(nr, nc-jr)
		switch {
		case cols == nr && trans:
			pack(d, b[(jc+jr)*ldb+pc:], ldb, kc, true)
		case cols == nr:
			pack(d, b[pc*ldb+jc+jr:], ldb, kc, false)
		case trans:
			clear(d)
			for j := range cols {
				base := (jc+jr+j)*ldb + pc
				for p, v := range b[base : base+kc] {
					d[p*nr+j] = v
				}
			}
		default:
			clear(d)
			for p := range kc {
				copy(d[p*nr:p*nr+cols], b[(pc+p)*ldb+jc+jr:])
			}
		}
	}
}
