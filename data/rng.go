package data

import (
	"math/bits"
	"math/rand/v2"
)

// uniform returns a number in [0, n) from p, by Lemire's multiply-and-reject
// method. It is written here rather than taken from math/rand/v2's Rand so
// that the numbers a seed gives are this package's promise: samples and the
// synthetic corpus stay the same across Go releases.
func uniform(p *rand.PCG, n uint64) uint64 {
	hi, lo := bits.Mul64(p.Uint64(), n)
	if lo < n {
		thresh := -n % n
		for lo < thresh {
			hi, lo = bits.Mul64(p.Uint64(), n)
		}
	}
	return hi
}

// shuffle permutes s in place (Fisher–Yates) with numbers from p.
func shuffle[T any](p *rand.PCG, s []T) {
	for i := len(s) - 1; i > 0; i-- {
		j := int(uniform(p, uint64(i+1)))
		s[i], s[j] = s[j], s[i]
	}
}
