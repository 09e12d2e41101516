package data

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
)

// Source is a sequence of token ids: Ints in memory, or a TokenFile on disk.
// At(i) panics when i is outside [0, Len()).
type Source interface {
	Len() int
	At(i int) int
}

// Ints is a Source held in memory.
type Ints []int

// Len returns len(s).
func (s Ints) Len() int { return len(s) }

// At returns s[i].
func (s Ints) At(i int) int { return s[i] }

// Sampler draws random blocks of a Source the way nanoGPT's get_batch does:
// for each of the b rows it draws a start i uniform in [0, Len−T−1] and takes
// x = ids[i:i+T] and y = ids[i+1:i+T+1], the next token of every position.
// The starts come from a PCG (math/rand/v2) seeded with (seed, seed); the
// numbers a seed gives do not change across Go releases. State and SetState
// save and restore the generator exactly, so a resumed run draws the same
// batches as one never stopped.
//
// A Sampler is not safe for concurrent use.
type Sampler struct {
	src Source
	pcg *rand.PCG
}

// NewSampler returns a Sampler of ids seeded with seed. ids may not be nil;
// whether it is long enough is checked by Batch, which knows T.
func NewSampler(ids Source, seed uint64) (*Sampler, error) {
	if ids == nil {
		return nil, errors.New("data: NewSampler: nil source")
	}
	return &Sampler{src: ids, pcg: rand.NewPCG(seed, seed)}, nil
}

// Batch fills x and y, each [b, t] row-major (len b·t), with b random blocks
// of t tokens and their targets, drawing one start per row in row order. It
// allocates nothing. When the source has fewer than t+1 tokens it returns an
// error and draws nothing. Batch panics when b or t is not positive or when x
// or y does not have length b·t.
func (s *Sampler) Batch(b, t int, x, y []int) error {
	if b <= 0 || t <= 0 {
		panic(fmt.Sprintf("data: Sampler.Batch: b=%d, t=%d must be positive", b, t))
	}
	if len(x) != b*t || len(y) != b*t {
		panic(fmt.Sprintf("data: Sampler.Batch: len(x)=%d, len(y)=%d; want b·t=%d", len(x), len(y), b*t))
	}
	n := s.src.Len()
	if n < t+1 {
		return fmt.Errorf("data: %d tokens are too few for blocks of %d (need at least %d)", n, t, t+1)
	}
	starts := uint64(n - t) // i in [0, n-t-1]
	ints, isInts := s.src.(Ints)
	for r := range b {
		i := int(uniform(s.pcg, starts))
		xr, yr := x[r*t:(r+1)*t], y[r*t:(r+1)*t]
		if isInts {
			copy(xr, ints[i:i+t])
			copy(yr, ints[i+1:i+t+1])
			continue
		}
		prev := s.src.At(i)
		for j := range t {
			next := s.src.At(i + j + 1)
			xr[j], yr[j] = prev, next
			prev = next
		}
	}
	return nil
}

// stateMagic starts every State, naming the format and its version.
var stateMagic = []byte("tapegrad/data.Sampler/1:")

// State returns the generator's state: a resumed run passes it to SetState
// to draw the batches that would have come next.
func (s *Sampler) State() []byte {
	st, err := s.pcg.MarshalBinary()
	if err != nil {
		panic(err) // PCG's MarshalBinary does not fail
	}
	return append(bytes.Clone(stateMagic), st...)
}

// SetState restores a state returned by State. A state of another format is
// an error and leaves s unchanged.
func (s *Sampler) SetState(state []byte) error {
	rest, ok := bytes.CutPrefix(state, stateMagic)
	if !ok {
		return errors.New("data: Sampler.SetState: not a sampler state")
	}
	var p rand.PCG
	if err := p.UnmarshalBinary(rest); err != nil {
		return fmt.Errorf("data: Sampler.SetState: %w", err)
	}
	*s.pcg = p
	return nil
}
