package data

import "fmt"

// Split returns the first frac of ids for training and the rest for
// validation, as nanoGPT does with frac 0.9: train is ids[:int(frac·len)]
// and val the rest. Both share memory with ids. Split panics when frac is
// outside [0, 1].
func Split(ids []int, frac float64) (train, val []int) {
	if !(frac >= 0 && frac <= 1) {
		panic(fmt.Sprintf("data: Split: frac %v is outside [0, 1]", frac))
	}
	n := int(frac * float64(len(ids)))
	return ids[:n:n], ids[n:]
}
