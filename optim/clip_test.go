package optim

import (
	"math"
	"testing"
)

// TestSumSquares: the four-chain sum equals the one-chain sum of every
// length's tail, within float64 rounding.
func TestSumSquares(t *testing.T) {
	for n := range 11 {
		g := make([]float32, n)
		var want float64
		for i := range g {
			g[i] = float32(i+1) * 0.37
			want += float64(g[i]) * float64(g[i])
		}
		if got := sumSquares(g); math.Abs(got-want) > 1e-12*max(want, 1) {
			t.Errorf("n=%d: %v, want %v", n, got, want)
		}
	}
}
