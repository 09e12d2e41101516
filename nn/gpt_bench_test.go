package nn

import (
	"fmt"
	"testing"

	"github.com/tapegrad/tapegrad/autograd"
)

// BenchmarkGPTStep is forward + backward of nanoGPT's shakespeare-char CPU
// recipe (L=4, H=4, C=128, T=64, B=12, V=65), without the optimizer.
func BenchmarkGPTStep(b *testing.B) {
	for _, rope := range []bool{false, true} {
		b.Run(fmt.Sprintf("rope=%v", rope), func(b *testing.B) {
			const B, T = 12, 64
			g, err := NewGPT(Config{VocabSize: 65, BlockSize: T, NLayer: 4, NHead: 4, NEmbd: 128, RoPE: rope, Bias: true}, 1)
			if err != nil {
				b.Fatal(err)
			}
			idx, tgt := make([]int, B*T), make([]int, B*T)
			for i := range idx {
				idx[i], tgt[i] = i%65, (i*7)%65
			}
			tp := autograd.NewTape()
			b.ReportAllocs()
			for b.Loop() {
				tp.Reset()
				_, loss := g.Loss(tp, idx, tgt, B, T)
				tp.Backward(loss)
			}
			b.ReportMetric(float64(B*T)*float64(b.N)/b.Elapsed().Seconds(), "tokens/s")
		})
	}
}
