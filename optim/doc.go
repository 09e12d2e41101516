// Package optim updates a model's parameters from their gradients: SGD
// (momentum, dampening, Nesterov, coupled weight decay), Adam (L2 weight
// decay) and AdamW (decoupled weight decay), all with PyTorch 1.13's update
// rules; parameter groups; global-norm gradient clipping; and learning-rate
// schedules.
//
// A training step with nanoGPT's recipe:
//
//	params := model.Params()
//	cfg := optim.DefaultAdamW()
//	cfg.Beta2 = 0.99
//	opt := optim.NewAdamW(optim.DecayGroups(params, 0.1), cfg)
//	sched := optim.WarmupCosine{Max: 1e-3, Min: 1e-4, Warmup: 100, Total: 2000}
//	for step := 0; step < 2000; step++ {
//		opt.ZeroGrad()
//		loss := ... // forward and backward
//		if norm := optim.ClipGradNorm(params, 1.0); math.IsNaN(norm) || math.IsInf(norm, 0) {
//			return fmt.Errorf("step %d: gradient norm %v", step, norm)
//		}
//		opt.SetLR(sched.LR(step))
//		opt.Step()
//	}
//
// # Configuration
//
// Config fields mean what they say: zero is zero, not "PyTorch's default".
// DefaultAdam and DefaultAdamW return PyTorch's defaults to start from;
// SGDConfig's zero fields already are PyTorch's defaults, except LR, which
// PyTorch requires too. Weight decay belongs to a Group, like a PyTorch
// param_group; DecayGroups applies nanoGPT's rule (only tensors with 2 or
// more dimensions decay). A Group's LRScale multiplies the base rate that
// SetLR sets (0 means 1). Invalid configurations panic with a *ConfigError.
//
// # Numerics
//
// Parameters, gradients and moments are float32. Adam and AdamW compute
// their per-step coefficients in float64, as PyTorch does in Python, and
// update the elements with tensor.AdamUpdate in float32, one rounding per
// operation in PyTorch's order with its fused multiply-adds: the results
// are PyTorch's float32 results bit for bit (TestAdamAgainstPyTorchFloat32),
// and within 1e-6 of PyTorch in float64 on the golden files. SGD computes
// each element in float64 from the stored values and rounds p and its
// momentum to float32 once, so its results sit within a float32 rounding of
// the exact formula.
//
// Parameters whose Grad is nil are skipped by Step and keep their state, as
// in PyTorch; Adam's bias correction counts each parameter's own steps.
// The moments are allocated by the constructor, so Step allocates nothing
// (beyond what tensor.ParallelFor costs per call). A step over more than
// 32768 scalars is split by element count across tensor.MaxThreads threads;
// every element is computed the same way whatever the split, so results do
// not depend on the thread count. ClipGradNorm sums in one fixed order on
// one thread for the same reason.
//
// # Checkpoints
//
// State returns the step, the hyper-parameters and copies of the moment
// tensors under names like "optim.m.<param>", ready to be written beside the
// model's tensors; LoadState restores them and continues bit for bit. It
// checks everything before it changes anything and reports every mismatch.
package optim
