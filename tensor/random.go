package tensor

import (
	"math"
	"math/rand/v2"
)

// Randn returns a tensor of the given shape with values drawn from N(mean,
// std²) by a PCG generator seeded with seed: the same seed gives the same
// values on every machine.
func Randn(seed uint64, mean, std float32, shape ...int) *Tensor {
	t := New(shape...)
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	for i := range t.data {
		t.data[i] = mean + std*float32(r.NormFloat64())
	}
	return t
}

// Rand returns a tensor of the given shape with values drawn uniformly from
// [lo, hi) by a PCG generator seeded with seed.
func Rand(seed uint64, lo, hi float32, shape ...int) *Tensor {
	t := New(shape...)
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	span := float64(hi) - float64(lo)
	for i := range t.data {
		v := float32(float64(lo) + span*r.Float64())
		if v >= hi { // rounding to float32 can land on hi
			v = math.Nextafter32(hi, float32(math.Inf(-1)))
		}
		t.data[i] = v
	}
	return t
}
