package optim

import "math"

// Schedule gives the learning rate for each step (counted from 0). A
// training loop calls opt.SetLR(s.LR(step)) before opt.Step().
type Schedule interface {
	LR(step int) float64
}

// Constant is a schedule whose rate never changes.
type Constant float64

// LR returns c whatever the step.
func (c Constant) LR(step int) float64 { return float64(c) }

// WarmupCosine is nanoGPT's get_lr: a linear warmup to Max over the first
// Warmup steps, a cosine decay from Max to Min until step Total, and Min
// after that:
//
//	step < Warmup:   Max·(step+1)/(Warmup+1)
//	step ≥ Total:    Min
//	otherwise:       Min + ½(1 + cos(π·(step−Warmup)/(Total−Warmup)))·(Max−Min)
//
// (nanoGPT's lr_decay_iters is Total.) Warmup 0 starts the cosine at step
// 0; Total ≤ Warmup goes straight from the warmup to Min, where nanoGPT
// would divide by zero.
type WarmupCosine struct {
	Max, Min      float64
	Warmup, Total int
}

// LR returns the rate at step.
func (w WarmupCosine) LR(step int) float64 {
	if step < w.Warmup {
		return w.Max * float64(step+1) / float64(w.Warmup+1)
	}
	if step >= w.Total {
		return w.Min
	}
	ratio := float64(step-w.Warmup) / float64(w.Total-w.Warmup)
	coeff := 0.5 * (1 + math.Cos(math.Pi*ratio))
	return w.Min + coeff*(w.Max-w.Min)
}
