package kernel

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

type packFunc func(dst, src []float32, lds, kc int, trans bool)

func packers() map[string][2]packFunc {
	ps := map[string][2]packFunc{"generic": {PackAGeneric, PackBGeneric}}
	if HasAVX2 {
		ps["avx2"] = [2]packFunc{PackAAVX2, PackBAVX2}
	}
	return ps
}

// TestPack checks every packer against the layouts of the package comment on
// kc = 0..40, both storage orders, odd strides and offsets, with guards after
// the panel.
func TestPack(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for name, ps := range packers() {
		for which, width := range []int{MR, NR} {
			for _, trans := range []bool{false, true} {
				for kc := 0; kc <= 40; kc++ {
					off := kc % 8
					rows, cols := width, kc // as stored
					if trans != (width == NR) {
						rows, cols = kc, width
					}
					lds := cols + kc%3 + 1
					src := randSlice(r, off+rows*lds)[off:]
					dst := make([]float32, kc*width+4)
					for i := range dst {
						dst[i] = guard
					}
					ps[which](dst, src, lds, kc, trans)
					for p := range kc {
						for i := range width {
							var want float32
							switch {
							case which == 0 && !trans, which == 1 && trans:
								want = src[i*lds+p]
							default:
								want = src[p*lds+i]
							}
							if got := dst[p*width+i]; got != want {
								t.Fatalf("%s pack %c (trans=%v, kc=%d): dst[%d] = %v; want %v", name, "AB"[which], trans, kc, p*width+i, got, want)
							}
						}
					}
					for i := kc * width; i < len(dst); i++ {
						if dst[i] != guard {
							t.Fatalf("%s pack %c (trans=%v, kc=%d): wrote past the panel at %d", name, "AB"[which], trans, kc, i)
						}
					}
				}
			}
		}
	}
}

func BenchmarkPack(b *testing.B) {
	const kc, lds = 256, 512
	src := make([]float32, 16*lds+kc*lds)
	dst := make([]float32, kc*NR)
	for name, ps := range packers() {
		for which, width := range []int{MR, NR} {
			for _, trans := range []bool{false, true} {
				b.Run(fmt.Sprintf("impl=%s/panel=%c/trans=%v", name, "AB"[which], trans), func(b *testing.B) {
					for b.Loop() {
						ps[which](dst, src, lds, kc, trans)
					}
					b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(kc*width), "ns/elem")
				})
			}
		}
	}
}
