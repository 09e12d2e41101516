package optim

import (
	"testing"

	"github.com/tapegrad/tapegrad/nn"
	"github.com/tapegrad/tapegrad/tensor"
)

// TestParallelStep checks that a step big enough to run on several threads
// gives the same bits whatever the thread count, that a parameter without a
// gradient in the middle of the split is skipped, and that it allocates
// nothing.
func TestParallelStep(t *testing.T) {
	defer tensor.SetMaxThreads(tensor.SetMaxThreads(0))
	run := func(make func([]Group) Optimizer, threads int) []nn.Param {
		tensor.SetMaxThreads(threads)
		ps := gptParams(2, 64, 67, 33) // ~110k scalars in odd sizes
		opt := make(DecayGroups(ps, 0.1))
		for s := range 3 {
			setGrads(ps, uint64(s))
			ps[5].Value.Grad = nil
			opt.Step()
		}
		return ps
	}
	if n := nn.NumParams(paramsModule(gptParams(2, 64, 67, 33))); n < 2*parallelMin {
		t.Fatalf("%d parameters do not reach the parallel path", n)
	}
	for _, o := range optimizers {
		t.Run(o.name, func(t *testing.T) {
			tensor.SetMaxThreads(2)
			ps := gptParams(2, 64, 67, 33)
			opt := o.make(DecayGroups(ps, 0.1))
			opt.Step()
			// Step allocates nothing of its own; tensor.ParallelFor's job
			// may cost one allocation per call (it does at the time of
			// writing), which this does not count against Step.
			body := func(lo, hi int) {}
			pf := testing.AllocsPerRun(10, func() { tensor.ParallelFor(1<<20, body) })
			if n := testing.AllocsPerRun(10, func() { opt.Step() }); n > pf {
				t.Errorf("Step on 2 threads allocates %v times; ParallelFor alone %v", n, pf)
			} else if pf != 0 {
				t.Logf("ParallelFor allocates %v times per call, and so does Step", pf)
			}
			serial := run(o.make, 1)
			want := gptParams(2, 64, 67, 33)[5].Value.Data.Data()
			if !sameBits(serial[5].Value.Data.Data(), want) {
				t.Errorf("%s changed without a gradient", serial[5].Name)
			}
			for _, threads := range []int{2, 3, 7} {
				par := run(o.make, threads)
				for i := range serial {
					if !sameBits(serial[i].Value.Data.Data(), par[i].Value.Data.Data()) {
						t.Errorf("%d threads: %s differs from the serial step", threads, serial[i].Name)
					}
				}
			}
		})
	}
}
