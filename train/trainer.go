package train

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/tapegrad/tapegrad/autograd"
	"github.com/tapegrad/tapegrad/data"
	"github.com/tapegrad/tapegrad/nn"
	"github.com/tapegrad/tapegrad/optim"
	"github.com/tapegrad/tapegrad/tensor"
	"github.com/tapegrad/tapegrad/tokenizer"
)

// Trainer runs nanoGPT's training loop on a GPT: AdamW with decay on ≥ 2-dim
// tensors, linear warmup then cosine decay, gradient accumulation and
// global-norm clipping, random blocks from the training split, and
// periodic evaluation on both splits.
type Trainer struct {
	Config    Config
	Model     *nn.GPT
	Tokenizer tokenizer.Tokenizer
	Opt       *optim.AdamW
	Step      int // steps done

	// Objective is the loss of a micro-batch; nil means the model's
	// cross-entropy. Distillation replaces it.
	Objective Objective

	params           []nn.Param // Model.Params(), built once: it concatenates names
	masks            []paramMask
	trainIDs, valIDs data.Source
	sampler          *data.Sampler
	sched            optim.WarmupCosine
	shards           []*shard // built at the first step
	x, y             []int
}

// Objective returns the scalar loss of model on one micro-batch: x and y
// hold b sequences of t token ids (row-major), y being x shifted by one.
// It runs on tp, which holds nothing else; shards of a batch call it
// concurrently, each with its own tape and model replica.
type Objective func(tp *autograd.Tape, model *nn.GPT, x, y []int, b, t int) *autograd.Value

// CrossEntropy is the default Objective: the model's mean next-token loss.
func CrossEntropy(tp *autograd.Tape, model *nn.GPT, x, y []int, b, t int) *autograd.Value {
	_, loss := model.Loss(tp, x, y, b, t)
	return loss
}

// Record is one step's measurements, as written to the metrics file.
type Record struct {
	Step       int      `json:"step"`
	TrainLoss  float64  `json:"train_loss"`
	LR         float64  `json:"lr"`
	GradNorm   float64  `json:"grad_norm"`
	MS         float64  `json:"ms"`
	TokensPerS float64  `json:"tokens_per_s"`
	EvalTrain  *float64 `json:"eval_train_loss,omitempty"`
	EvalVal    *float64 `json:"eval_val_loss,omitempty"`
}

// New returns a trainer for a fresh model of cfg (its vocabulary size taken
// from tok) on the given splits.
func New(cfg Config, tok tokenizer.Tokenizer, trainIDs, valIDs data.Source) (*Trainer, error) {
	cfg.Model.VocabSize = tok.VocabSize()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	model, err := nn.NewGPT(cfg.Model, cfg.Seed)
	if err != nil {
		return nil, err
	}
	return newTrainer(cfg, model, tok, trainIDs, valIDs)
}

func newTrainer(cfg Config, model *nn.GPT, tok tokenizer.Tokenizer, trainIDs, valIDs data.Source) (*Trainer, error) {
	cfg.Model = model.Config
	if cfg.GradAccum < 1 {
		cfg.GradAccum = 1
	}
	if cfg.Shards == 0 {
		cfg.Shards = min(tensor.MaxThreads(), cfg.BatchSize)
	}
	t := cfg.Model.BlockSize
	for name, s := range map[string]data.Source{"training": trainIDs, "validation": valIDs} {
		if s.Len() <= t+1 {
			return nil, fmt.Errorf("train: the %s split has %d tokens; a block of %d needs at least %d", name, s.Len(), t, t+2)
		}
	}
	sampler, err := data.NewSampler(trainIDs, cfg.Seed)
	if err != nil {
		return nil, err
	}
	decay := cfg.DecayIters
	if decay == 0 {
		decay = cfg.MaxIters
	}
	params := model.Params()
	tr := &Trainer{
		Config: cfg, Model: model, Tokenizer: tok, params: params,
		Opt: optim.NewAdamW(optim.DecayGroups(params, cfg.WeightDecay),
			optim.AdamConfig{LR: cfg.LR, Beta1: cfg.Beta1, Beta2: cfg.Beta2, Eps: cfg.Eps}),
		trainIDs: trainIDs, valIDs: valIDs, sampler: sampler,
		sched: optim.WarmupCosine{Max: cfg.LR, Min: cfg.MinLR, Warmup: cfg.Warmup, Total: decay},
		x:     make([]int, cfg.BatchSize*t), y: make([]int, cfg.BatchSize*t),
	}
	model.SetTraining(true)
	return tr, nil
}

// ErrNonFinite is wrapped by the error of a step whose loss or gradient
// norm is NaN or infinite.
var ErrNonFinite = errors.New("non-finite loss")

// TrainStep runs one optimisation step (GradAccum micro-batches) and returns
// its record. Each micro-batch is split by rows into Config.Shards shards
// that run concurrently, each with its own tape and a replica of the model
// that shares its weights; their gradients are summed, weighted by rows, so
// the step equals one over the whole micro-batch up to rounding. A
// non-finite loss or gradient norm returns an error wrapping ErrNonFinite
// that names the step, without updating the model.
func (tr *Trainer) TrainStep() (Record, error) {
	start := time.Now()
	c := tr.Config
	lr := tr.sched.LR(tr.Step)
	tr.Opt.SetLR(lr)
	b, t := c.BatchSize, c.Model.BlockSize
	if tr.shards == nil {
		tr.shards = tr.newShards()
	}
	objective := tr.Objective
	if objective == nil {
		objective = CrossEntropy
	}
	var total float64
	for range c.GradAccum {
		if err := tr.sampler.Batch(b, t, tr.x, tr.y); err != nil {
			return Record{}, err
		}
		tensor.Concurrently(len(tr.shards), func(i int) {
			tr.shards[i].run(objective, tr.x, tr.y, b, t, c.GradAccum)
		})
		for _, s := range tr.shards {
			if math.IsNaN(s.loss) || math.IsInf(s.loss, 0) {
				tr.zeroGrads()
				return Record{}, fmt.Errorf("train: step %d: %w (%v)", tr.Step+1, ErrNonFinite, s.loss)
			}
			total += s.loss * float64(s.hi-s.lo) / float64(b)
		}
	}
	tr.gatherGrads()
	for _, m := range tr.masks {
		if g := m.param.Grad; g != nil {
			g.Mul(g, m.mask)
		}
	}
	var norm float64 // 0 when clipping is off
	if c.GradClip > 0 {
		norm = optim.ClipGradNorm(tr.params, c.GradClip)
		if math.IsNaN(norm) || math.IsInf(norm, 0) {
			tr.zeroGrads()
			return Record{}, fmt.Errorf("train: step %d: %w (gradient norm %v)", tr.Step+1, ErrNonFinite, norm)
		}
	}
	tr.Opt.Step()
	tr.Opt.ZeroGrad()
	for _, m := range tr.masks {
		m.param.Data.Mul(m.param.Data, m.mask)
	}
	tr.Step++
	elapsed := time.Since(start)
	rec := Record{Step: tr.Step, TrainLoss: total / float64(c.GradAccum), LR: lr, GradNorm: norm,
		MS: float64(elapsed.Microseconds()) / 1000, TokensPerS: float64(b*t*c.GradAccum) / elapsed.Seconds()}
	return rec, nil
}

// Evaluate returns the mean loss over iters random batches of a split
// ("train" or "val"), without gradients and with dropout off. The batches
// depend only on the seed and the step, so evaluating does not change the
// training run.
func (tr *Trainer) Evaluate(split string, iters int) (float64, error) {
	src := tr.trainIDs
	salt := uint64(1)
	if split == "val" {
		src, salt = tr.valIDs, 2
	}
	return EvalLoss(tr.Model, src, tr.Config.BatchSize, iters, tr.Config.Seed^(uint64(tr.Step)<<8|salt))
}

// EvalLoss returns the mean loss of model over iters random batches of b
// blocks drawn from src with a sampler seeded with seed.
func EvalLoss(model *nn.GPT, src data.Source, b, iters int, seed uint64) (float64, error) {
	t := min(model.Config.BlockSize, src.Len()-2)
	if t < 1 {
		return 0, fmt.Errorf("train: %d tokens are too few to evaluate", src.Len())
	}
	s, err := data.NewSampler(src, seed)
	if err != nil {
		return 0, err
	}
	training := model.Drop.Training
	model.SetTraining(false)
	defer model.SetTraining(training)
	tp := autograd.NewTape()
	x, y := make([]int, b*t), make([]int, b*t)
	var sum float64
	for range iters {
		if err := s.Batch(b, t, x, y); err != nil {
			return 0, err
		}
		tp.Reset()
		var loss *autograd.Value
		tp.NoGrad(func() { _, loss = model.Loss(tp, x, y, b, t) })
		sum += float64(loss.Item())
	}
	return sum / float64(iters), nil
}

// Run trains until MaxIters, calling hooks.OnStep after every step and
// hooks.OnEval after each evaluation (every EvalInterval steps and at the
// end). It stops early, with ctx's error, when ctx is done (Ctrl-C): the
// caller then writes a checkpoint of the state reached, which is whole
// (a step either happened or did not).
func (tr *Trainer) Run(ctx context.Context, hooks Hooks) error {
	for tr.Step < tr.Config.MaxIters {
		if err := ctx.Err(); err != nil {
			return err
		}
		rec, err := tr.TrainStep()
		if err != nil {
			return err
		}
		if tr.Step%tr.Config.EvalInterval == 0 || tr.Step == tr.Config.MaxIters {
			tl, err := tr.Evaluate("train", tr.Config.EvalIters)
			if err != nil {
				return err
			}
			vl, err := tr.Evaluate("val", tr.Config.EvalIters)
			if err != nil {
				return err
			}
			rec.EvalTrain, rec.EvalVal = &tl, &vl
		}
		if hooks.OnStep != nil {
			if err := hooks.OnStep(rec); err != nil {
				return err
			}
		}
		if rec.EvalVal != nil && hooks.OnEval != nil {
			if err := hooks.OnEval(rec); err != nil {
				return err
			}
		}
	}
	return nil
}

// Hooks are Run's callbacks; an error from one stops the run.
type Hooks struct {
	OnStep func(Record) error
	OnEval func(Record) error
}
