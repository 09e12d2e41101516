package optim

import (
	"fmt"
	"math"

	"github.com/tapegrad/tapegrad/tensor"
)

// AdamConfig holds the hyper-parameters of Adam and AdamW. Weight decay
// belongs to the parameter groups (Group.WeightDecay).
//
// Every field means what it says: a zero field is zero, not PyTorch's
// default (Eps 0 makes a parameter whose gradient and moments are all zero
// step by 0/0 = NaN). Start from DefaultAdam or DefaultAdamW and change what
// differs:
//
//	cfg := optim.DefaultAdamW()
//	cfg.LR, cfg.Beta2 = 1e-3, 0.99
type AdamConfig struct {
	LR    float64 // base learning rate, ≥ 0
	Beta1 float64 // decay of the first moment, in [0, 1)
	Beta2 float64 // decay of the second moment, in [0, 1)
	Eps   float64 // added to the denominator, ≥ 0
}

// DefaultAdam returns PyTorch's defaults for torch.optim.Adam: lr 1e-3,
// betas (0.9, 0.999), eps 1e-8 (and weight decay 0: groups default to none).
func DefaultAdam() AdamConfig { return AdamConfig{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8} }

// DefaultAdamW returns PyTorch's defaults for torch.optim.AdamW: lr 1e-3,
// betas (0.9, 0.999), eps 1e-8. PyTorch's AdamW also decays by 0.01 by
// default; here decay is per group, so ask for it with
// DecayGroups(params, 0.01) or Group{WeightDecay: 0.01}.
func DefaultAdamW() AdamConfig { return DefaultAdam() }

// Adam is torch.optim.Adam (amsgrad=False, maximize=False): a group's
// weight decay is coupled, added to the gradient as an L2 term
// (g += wd·p) before the moments are updated. For decoupled decay use
// AdamW. Adam implements Optimizer.
type Adam struct{ adamCore }

// AdamW is torch.optim.AdamW (amsgrad=False, maximize=False): a group's
// weight decay is decoupled, p -= lr·wd·p before the Adam update, which
// leaves the moments alone. AdamW implements Optimizer.
type AdamW struct{ adamCore }

// NewAdam returns Adam over the parameters of groups. It panics with a
// *ConfigError on a hyper-parameter out of range (see AdamConfig) or on a
// bad parameter list: one without a name or value, or a name or value that
// appears twice. The moment buffers are allocated here, so Step allocates
// nothing.
func NewAdam(groups []Group, cfg AdamConfig) *Adam {
	o := &Adam{}
	o.init("NewAdam", "Adam", false, groups, cfg)
	return o
}

// NewAdamW returns AdamW over the parameters of groups; it panics as NewAdam
// does.
func NewAdamW(groups []Group, cfg AdamConfig) *AdamW {
	o := &AdamW{}
	o.init("NewAdamW", "AdamW", true, groups, cfg)
	return o
}

// adamCore is Adam and AdamW, whose methods it provides; decoupled picks
// the weight decay.
type adamCore struct {
	kind      string // "Adam" or "AdamW", for errors
	decoupled bool
	lr        float64
	beta1     float64
	beta2     float64
	eps       float64
	slots     []slot
	groups    []groupHyper
	m, v      []*tensor.Tensor  // per slot, the parameter's shape
	steps     []int             // per slot: the steps it took (0: no state yet)
	coef      []tensor.AdamCoef // per slot, this step's
	stepCount int
	sweep     sweep
}

func (a *adamCore) init(op, kind string, decoupled bool, groups []Group, cfg AdamConfig) {
	checkLR(op, cfg.LR)
	for _, b := range []struct {
		name string
		v    float64
	}{{"beta1", cfg.Beta1}, {"beta2", cfg.Beta2}} {
		if !(b.v >= 0 && b.v < 1) {
			panic(&ConfigError{op, fmt.Sprintf("%s %v not in [0, 1)", b.name, b.v)})
		}
	}
	if !(cfg.Eps >= 0) || math.IsInf(cfg.Eps, 0) {
		panic(&ConfigError{op, fmt.Sprintf("eps %v is not a finite value ≥ 0", cfg.Eps)})
	}
	a.kind, a.decoupled = kind, decoupled
	a.lr, a.beta1, a.beta2, a.eps = cfg.LR, cfg.Beta1, cfg.Beta2, cfg.Eps
	a.slots, a.groups = flatten(op, groups)
	a.m = make([]*tensor.Tensor, len(a.slots))
	a.v = make([]*tensor.Tensor, len(a.slots))
	a.steps = make([]int, len(a.slots))
	a.coef = make([]tensor.AdamCoef, len(a.slots))
	a.sweep.init(a.slots, a.kernel)
	for i, s := range a.slots {
		a.m[i] = tensor.New(s.p.Value.Shape()...)
		a.v[i] = tensor.New(s.p.Value.Shape()...)
	}
}

// Step applies one update, PyTorch 1.13's _single_tensor_adam /
// _single_tensor_adamw. For a parameter p with gradient g that has now taken
// t steps, with the group's lr = LR·LRScale and weight decay wd:
//
//	Adam:  g ← g + wd·p
//	AdamW: p ← p·(1 − lr·wd)
//	m ← β1·m + (1−β1)·g
//	v ← β2·v + (1−β2)·g²
//	p ← p − (lr / (1−β1ᵗ)) · m / (√v / √(1−β2ᵗ) + ε)
//
// The coefficients (1 − lr·wd, lr/(1−β1ᵗ), √(1−β2ᵗ)) are computed here in
// float64, as PyTorch computes them in Python; the elements are updated by
// tensor.AdamUpdate in float32, one rounding per operation in PyTorch's
// order, as PyTorch does on float32 parameters.
//
// Step skips the parameters without a gradient. It allocates nothing and
// runs on several threads for big models, with the same results. It panics
// with a *tensor.ShapeError if a gradient's shape is not its parameter's.
func (a *adamCore) Step() {
	a.stepCount++
	for i, s := range a.slots {
		g := s.p.Value.Grad
		a.sweep.active[i] = g != nil
		if g == nil {
			continue
		}
		if !g.SameShape(s.p.Value.Data) {
			panic(&tensor.ShapeError{Op: a.kind + ".Step", Msg: fmt.Sprintf("gradient of %s has shape %v; the parameter has %v", s.p.Name, g.Shape(), s.p.Value.Shape())})
		}
		a.steps[i]++
		gh := a.groups[s.group]
		lr := a.lr * gh.lrScale
		t := float64(a.steps[i])
		c := tensor.AdamCoef{
			Beta1:    a.beta1,
			Beta2:    a.beta2,
			Eps:      a.eps,
			StepSize: lr / (1 - math.Pow(a.beta1, t)),
			BC2Sqrt:  math.Sqrt(1 - math.Pow(a.beta2, t)),
			Decay:    1,
		}
		if a.decoupled {
			c.Decay = 1 - lr*gh.weightDecay
		} else {
			c.L2 = gh.weightDecay
		}
		a.coef[i] = c
	}
	a.sweep.do()
}

// kernel updates elements [lo, hi) of slot i.
func (a *adamCore) kernel(i, lo, hi int) {
	tensor.AdamUpdate(a.slots[i].p.Value.Data.Data()[lo:hi], a.slots[i].p.Value.Grad.Data()[lo:hi],
		a.m[i].Data()[lo:hi], a.v[i].Data()[lo:hi], a.coef[i])
}

// ZeroGrad zeroes every parameter's gradient.
func (a *adamCore) ZeroGrad() { zeroGrads(a.slots) }

// LR returns the base learning rate.
func (a *adamCore) LR() float64 { return a.lr }

// SetLR sets the base learning rate. It panics with a *ConfigError unless lr
// is finite and ≥ 0.
func (a *adamCore) SetLR(lr float64) {
	op := "Adam.SetLR"
	if a.decoupled {
		op = "AdamW.SetLR"
	}
	checkLR(op, lr)
	a.lr = lr
}

// StepCount returns the number of steps taken.
func (a *adamCore) StepCount() int { return a.stepCount }

// State returns copies of the hyper-parameters, the step count and the
// moments "optim.m.<param>" and "optim.v.<param>".
func (a *adamCore) State() State {
	h := map[string]float64{"lr": a.lr, "beta1": a.beta1, "beta2": a.beta2, "eps": a.eps}
	groupHyperState(h, a.groups)
	ts := make(map[string]*tensor.Tensor)
	for i, s := range a.slots {
		if a.steps[i] == 0 {
			continue
		}
		ts["optim.m."+s.p.Name] = a.m[i].Clone()
		ts["optim.v."+s.p.Name] = a.v[i].Clone()
		if a.steps[i] != a.stepCount {
			ts["optim.step."+s.p.Name] = tensor.FromSlice([]float32{float32(a.steps[i])}, 1)
		}
	}
	return State{Step: a.stepCount, Hyper: h, Tensors: ts}
}

// LoadState restores a State from State: hyper-parameters present in
// s.Hyper replace the current ones, and the moments are copied in
// (parameters without tensors start afresh). It returns an error naming
// every unknown key and every tensor of the wrong shape, and then changes
// nothing.
func (a *adamCore) LoadState(s State) error {
	l := newStateLoader(a.kind, s)
	lr, b1, b2, eps := a.lr, a.beta1, a.beta2, a.eps
	l.hyper("lr", &lr, func(v float64) bool { return v >= 0 }, "≥ 0")
	l.hyper("beta1", &b1, func(v float64) bool { return v >= 0 && v < 1 }, "in [0, 1)")
	l.hyper("beta2", &b2, func(v float64) bool { return v >= 0 && v < 1 }, "in [0, 1)")
	l.hyper("eps", &eps, func(v float64) bool { return v >= 0 }, "≥ 0")
	groups := l.groups(a.groups)
	ms := make([]*tensor.Tensor, len(a.slots))
	vs := make([]*tensor.Tensor, len(a.slots))
	steps := make([]int, len(a.slots))
	for i, sl := range a.slots {
		name, data := sl.p.Name, sl.p.Value.Data
		m, okm := l.tensor("optim.m."+name, data)
		v, okv := l.tensor("optim.v."+name, data)
		st, hasStep := l.stepTensor("optim.step."+name, s.Step)
		_, hasM := s.Tensors["optim.m."+name]
		_, hasV := s.Tensors["optim.v."+name]
		switch {
		case hasM != hasV:
			l.addf("optim.m.%s and optim.v.%s must come together", name, name)
		case !hasM && hasStep:
			l.addf("optim.step.%s without optim.m.%s", name, name)
		case !hasM:
			// No state: the parameter has not had a gradient yet.
		case okm && okv:
			ms[i], vs[i], steps[i] = m, v, s.Step
			if hasStep {
				steps[i] = st
			} else if s.Step == 0 {
				l.addf("optim.m.%s at step 0", name)
			}
		}
	}
	if err := l.err(); err != nil {
		return err
	}
	a.lr, a.beta1, a.beta2, a.eps = lr, b1, b2, eps
	a.groups = groups
	for i := range a.slots {
		if ms[i] != nil {
			a.m[i].CopyFrom(ms[i])
			a.v[i].CopyFrom(vs[i])
		} else {
			a.m[i].Zero()
			a.v[i].Zero()
		}
	}
	copy(a.steps, steps)
	a.stepCount = s.Step
	return nil
}

// stepTensor reads a parameter's own step count, a one-element tensor
// holding an integer in [1, max].
func (l *stateLoader) stepTensor(name string, max int) (int, bool) {
	t, ok := l.s.Tensors[name]
	if !ok {
		return 0, false
	}
	l.used["t:"+name] = true
	if t == nil || t.Numel() != 1 {
		l.addf("%s must hold one value", name)
		return 0, true
	}
	v := float64(t.Data()[0])
	if v != math.Trunc(v) || v < 1 || v > float64(max) {
		l.addf("%s = %v is not a step count in [1, %d]", name, v, max)
		return 0, true
	}
	return int(v), true
}

var (
	_ Optimizer = (*Adam)(nil)
	_ Optimizer = (*AdamW)(nil)
)
