package train

import (
	"fmt"
	"sort"

	"github.com/tapegrad/tapegrad/nn"
)

// Config is everything a training run needs besides its data: the model and
// the optimisation recipe. Its JSON travels in every checkpoint.
type Config struct {
	Model nn.Config `json:"model"`

	BatchSize int `json:"batch_size"` // sequences per micro-batch, B
	GradAccum int `json:"grad_accum"` // micro-batches per step; 0 means 1
	// Shards splits each micro-batch by rows over this many concurrent
	// model replicas (data parallelism across cores); 0 means one per
	// thread (tensor.MaxThreads), at most BatchSize. The trainer stores the
	// number it used, so a resumed run splits the same way.
	Shards   int `json:"shards,omitempty"`
	MaxIters int `json:"max_iters"`

	LR          float64 `json:"lr"`     // peak learning rate
	MinLR       float64 `json:"min_lr"` // cosine floor
	Warmup      int     `json:"warmup_iters"`
	DecayIters  int     `json:"lr_decay_iters"` // cosine ends here; 0 means MaxIters
	Beta1       float64 `json:"beta1"`
	Beta2       float64 `json:"beta2"`
	Eps         float64 `json:"eps"`
	WeightDecay float64 `json:"weight_decay"` // tensors with ≥ 2 dims only
	GradClip    float64 `json:"grad_clip"`    // global norm; 0 disables

	EvalInterval int `json:"eval_interval"` // evaluate (and checkpoint) every this many steps
	EvalIters    int `json:"eval_iters"`    // batches per evaluation
	LogInterval  int `json:"log_interval"`

	Seed uint64 `json:"seed"`
}

// Validate reports what is wrong with c, if anything.
func (c Config) Validate() error {
	switch {
	case c.BatchSize < 1:
		return fmt.Errorf("train: batch size %d < 1", c.BatchSize)
	case c.Shards < 0 || c.Shards > c.BatchSize:
		return fmt.Errorf("train: %d shards for a batch of %d: want 0 (automatic) to the batch size", c.Shards, c.BatchSize)
	case c.MaxIters < 0 || c.Warmup < 0 || c.DecayIters < 0:
		return fmt.Errorf("train: negative iteration count in %+v", c)
	case c.LR <= 0 || c.MinLR < 0 || c.MinLR > c.LR:
		return fmt.Errorf("train: learning rates lr=%v min_lr=%v: want 0 ≤ min_lr ≤ lr, lr > 0", c.LR, c.MinLR)
	case c.Beta1 < 0 || c.Beta1 >= 1 || c.Beta2 < 0 || c.Beta2 >= 1:
		return fmt.Errorf("train: betas %v, %v not in [0, 1)", c.Beta1, c.Beta2)
	case c.EvalInterval < 1 || c.EvalIters < 1 || c.LogInterval < 1:
		return fmt.Errorf("train: eval_interval, eval_iters and log_interval must be positive")
	}
	return c.Model.WithDefaults().Validate()
}

// Presets are named recipes. The vocabulary size is set from the data.
var Presets = map[string]Config{
	// A small GPT that learns the built-in synthetic corpus in about a
	// minute on two cores.
	"tiny": {
		Model:     nn.Config{BlockSize: 64, NLayer: 2, NHead: 4, NEmbd: 64, Bias: true},
		BatchSize: 16, MaxIters: 2500,
		LR: 3e-3, MinLR: 3e-4, Warmup: 50, Beta1: 0.9, Beta2: 0.99, Eps: 1e-8, WeightDecay: 0.1, GradClip: 1,
		EvalInterval: 500, EvalIters: 20, LogInterval: 10, Seed: 1337,
	},
	// nanoGPT's shakespeare_char recipe for CPUs (its README's "baby GPT on
	// a MacBook" settings): val loss ≈ 1.88 at 2,000 iterations.
	"shakespeare-char-cpu": {
		Model:     nn.Config{BlockSize: 64, NLayer: 4, NHead: 4, NEmbd: 128, Bias: true},
		BatchSize: 12, MaxIters: 2000,
		LR: 1e-3, MinLR: 1e-4, Warmup: 100, DecayIters: 2000, Beta1: 0.9, Beta2: 0.99, Eps: 1e-8, WeightDecay: 0.1, GradClip: 1,
		EvalInterval: 250, EvalIters: 20, LogInterval: 10, Seed: 1337,
	},
}

// PresetNames returns the preset names, sorted.
func PresetNames() []string {
	var names []string
	for n := range Presets {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
