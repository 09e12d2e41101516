package compress

import "math"

// Cubic is the gradual pruning schedule of Zhu & Gupta (2017, "To prune,
// or not to prune"): the sparsity rises from Initial to Final over Steps
// steps as
//
//	s_t = Final + (Initial − Final)·(1 − t/Steps)³
//
// fast at first, while there are many redundant weights, and slowly at the
// end; pruning happens every Every steps (and at Steps), training in
// between lets the model recover, and the masks hold the pruned weights at
// zero. Steps 0 means Final at once.
type Cubic struct {
	Initial, Final float64 // sparsities in [0, 1]
	Steps          int     // steps over which the sparsity rises
	Every          int     // prune every this many steps; 0 means 1
}

// Sparsity returns s_t, Final from step Steps on.
func (c Cubic) Sparsity(t int) float64 {
	if c.Steps <= 0 || t >= c.Steps {
		return c.Final
	}
	f := 1 - float64(max(t, 0))/float64(c.Steps)
	return c.Final + (c.Initial-c.Final)*math.Pow(f, 3)
}

// Due reports whether the schedule prunes at step t: every Every steps
// from 0 up to Steps, and at Steps itself.
func (c Cubic) Due(t int) bool {
	every := max(c.Every, 1)
	return t >= 0 && t <= c.Steps && (t%every == 0 || t == c.Steps)
}
