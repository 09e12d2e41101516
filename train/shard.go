package train

import (
	"github.com/tapegrad/tapegrad/autograd"
	"github.com/tapegrad/tapegrad/nn"
)

// shard is rows [lo, hi) of every micro-batch, run on its own tape. Shard 0
// uses the trainer's model; the others use replicas that share its weights
// and own their gradients, summed into the model's by gatherGrads.
type shard struct {
	model  *nn.GPT
	params []nn.Param
	tp     *autograd.Tape
	lo, hi int
	loss   float64 // the last micro-batch's loss, unweighted
}

// newShards splits the batch's rows as evenly as possible over
// Config.Shards shards.
func (tr *Trainer) newShards() []*shard {
	n, b := tr.Config.Shards, tr.Config.BatchSize
	shards := make([]*shard, n)
	for i := range shards {
		s := &shard{model: tr.Model, params: tr.params, tp: autograd.NewTape(), lo: i * b / n, hi: (i + 1) * b / n}
		if i > 0 {
			s.model = tr.Model.Replica(uint64(i))
			s.params = s.model.Params()
		}
		shards[i] = s
	}
	return shards
}

// run computes the shard's loss on its rows of x and y (b rows of t ids)
// and back-propagates it, scaled by its share of the rows and by 1/accum.
func (s *shard) run(objective Objective, x, y []int, b, t, accum int) {
	s.tp.Reset()
	rows := s.hi - s.lo
	loss := objective(s.tp, s.model, x[s.lo*t:s.hi*t], y[s.lo*t:s.hi*t], rows, t)
	s.loss = float64(loss.Item())
	if rows != b || accum > 1 {
		loss = s.tp.Scale(loss, float32(rows)/float32(b)/float32(accum))
	}
	s.tp.Backward(loss)
}

// gatherGrads adds every replica's gradients into the model's and clears
// them.
func (tr *Trainer) gatherGrads() {
	for _, s := range tr.shards[1:] {
		for i, p := range s.params {
			g := p.Value.Grad
			if g == nil {
				continue
			}
			dst := tr.params[i].Value
			if dst.Grad == nil {
				dst.Grad = g.Clone()
			} else {
				dst.Grad.Add(dst.Grad, g)
			}
			g.Zero()
		}
	}
}

// zeroGrads clears the gradients of the model and of every replica.
func (tr *Trainer) zeroGrads() {
	tr.Opt.ZeroGrad()
	for _, s := range tr.shards[1:] {
		for _, p := range s.params {
			p.Value.ZeroGrad()
		}
	}
}
