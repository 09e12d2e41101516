package optim

import (
	"fmt"
	"math"

	"github.com/tapegrad/tapegrad/tensor"
)

// SGDConfig holds the hyper-parameters of SGD. Its zero fields are
// PyTorch's defaults for torch.optim.SGD (no momentum, no dampening, no
// Nesterov, no weight decay); LR has no default.
type SGDConfig struct {
	LR        float64 // learning rate, ≥ 0
	Momentum  float64 // ≥ 0; 0 turns momentum off
	Dampening float64 // in [0, 1]: the momentum buffer takes (1−Dampening)·g
	Nesterov  bool    // needs Momentum > 0 and Dampening 0
	// WeightDecay is a coupled (L2) decay, g += wd·p, for every parameter.
	// It is an alternative to per-group decay: NewSGD panics if both it and
	// a group's WeightDecay are non-zero.
	WeightDecay float64
}

// SGD is torch.optim.SGD (maximize=False) with momentum, dampening,
// Nesterov momentum and coupled weight decay. It implements Optimizer.
type SGD struct {
	lr, momentum, dampening, weightDecay float64
	nesterov                             bool
	slots                                []slot
	groups                               []groupHyper
	buf                                  []*tensor.Tensor // per slot when momentum ≠ 0
	hasBuf                               []bool           // PyTorch's "buf is None" is !hasBuf
	coef                                 []sgdCoef        // per slot, this step's
	stepCount                            int
	sweep                                sweep
}

// sgdCoef holds a parameter's coefficients for one step.
type sgdCoef struct {
	lr, wd float64
	first  bool // the momentum buffer starts as the gradient
}

// NewSGD returns SGD over the parameters of groups. It panics with a
// *ConfigError on a hyper-parameter out of range, on Nesterov without
// momentum or with dampening, on a weight decay given both in cfg and in a
// group, and on a bad parameter list (see NewAdam). The momentum buffers are
// allocated here, so Step allocates nothing.
func NewSGD(groups []Group, cfg SGDConfig) *SGD {
	const op = "NewSGD"
	checkLR(op, cfg.LR)
	if err := checkSGD(cfg.Momentum, cfg.Dampening, cfg.WeightDecay, cfg.Nesterov); err != "" {
		panic(&ConfigError{op, err})
	}
	o := &SGD{lr: cfg.LR, momentum: cfg.Momentum, dampening: cfg.Dampening, weightDecay: cfg.WeightDecay, nesterov: cfg.Nesterov}
	o.slots, o.groups = flatten(op, groups)
	if cfg.WeightDecay != 0 {
		for i, g := range o.groups {
			if g.weightDecay != 0 {
				panic(&ConfigError{op, fmt.Sprintf("weight decay %v in the config and %v in group %d: give one or the other", cfg.WeightDecay, g.weightDecay, i)})
			}
		}
	}
	o.hasBuf = make([]bool, len(o.slots))
	o.coef = make([]sgdCoef, len(o.slots))
	o.sweep.init(o.slots, o.kernel)
	if o.momentum != 0 {
		o.allocBufs()
	}
	return o
}

// checkSGD returns what is wrong with SGD's hyper-parameters, or "".
func checkSGD(momentum, dampening, weightDecay float64, nesterov bool) string {
	switch {
	case !(momentum >= 0) || math.IsInf(momentum, 0):
		return fmt.Sprintf("momentum %v is not a finite value ≥ 0", momentum)
	case !(dampening >= 0 && dampening <= 1):
		return fmt.Sprintf("dampening %v not in [0, 1]", dampening)
	case !(weightDecay >= 0) || math.IsInf(weightDecay, 0):
		return fmt.Sprintf("weight decay %v is not a finite value ≥ 0", weightDecay)
	case nesterov && (momentum == 0 || dampening != 0):
		return "Nesterov momentum needs momentum > 0 and zero dampening"
	}
	return ""
}

func (o *SGD) allocBufs() {
	o.buf = make([]*tensor.Tensor, len(o.slots))
	for i, s := range o.slots {
		o.buf[i] = tensor.New(s.p.Value.Shape()...)
	}
}

// Step applies one update to every parameter with a gradient and skips the
// others. It is PyTorch 1.13's _single_tensor_sgd: with the group's
// lr = LR·LRScale and weight decay wd (the config's or the group's),
//
//	d ← g + wd·p
//	b ← d on a parameter's first step, else μ·b + (1−dampening)·d
//	d ← d + μ·b (Nesterov) or b (momentum μ ≠ 0)
//	p ← p − lr·d
//
// Each element is computed in float64 and p and b are rounded to float32
// once when stored. Step allocates nothing and runs on several threads for
// big models, with the same results. It panics with a
// *tensor.ShapeError if a gradient's shape is not its parameter's.
func (o *SGD) Step() {
	o.stepCount++
	for i, s := range o.slots {
		g := s.p.Value.Grad
		o.sweep.active[i] = g != nil
		if g == nil {
			continue
		}
		if !g.SameShape(s.p.Value.Data) {
			panic(&tensor.ShapeError{Op: "SGD.Step", Msg: fmt.Sprintf("gradient of %s has shape %v; the parameter has %v", s.p.Name, g.Shape(), s.p.Value.Shape())})
		}
		gh := o.groups[s.group]
		// One of the two decays is 0.
		o.coef[i] = sgdCoef{lr: o.lr * gh.lrScale, wd: gh.weightDecay + o.weightDecay, first: !o.hasBuf[i]}
		if o.momentum != 0 {
			o.hasBuf[i] = true
		}
	}
	o.sweep.do()
}

// kernel updates elements [lo, hi) of slot i.
func (o *SGD) kernel(i, lo, hi int) {
	c := o.coef[i]
	mu, damp := o.momentum, o.dampening
	p := o.slots[i].p.Value.Data.Data()[lo:hi]
	gd := o.slots[i].p.Value.Grad.Data()[lo:hi]
	gd = gd[:len(p)]
	if mu == 0 {
		for j := range p {
			pj := float64(p[j])
			d := float64(gd[j])
			if c.wd != 0 {
				d += c.wd * pj
			}
			p[j] = float32(pj - c.lr*d)
		}
		return
	}
	b := o.buf[i].Data()[lo:hi]
	b = b[:len(p)]
	for j := range p {
		pj := float64(p[j])
		d := float64(gd[j])
		if c.wd != 0 {
			d += c.wd * pj
		}
		var bj float64
		if c.first {
			bj = d
		} else {
			bj = mu*float64(b[j]) + (1-damp)*d
		}
		b[j] = float32(bj)
		if o.nesterov {
			d += mu * bj
		} else {
			d = bj
		}
		p[j] = float32(pj - c.lr*d)
	}
}

// ZeroGrad zeroes every parameter's gradient.
func (o *SGD) ZeroGrad() { zeroGrads(o.slots) }

// LR returns the base learning rate.
func (o *SGD) LR() float64 { return o.lr }

// SetLR sets the base learning rate. It panics with a *ConfigError unless lr
// is finite and ≥ 0.
func (o *SGD) SetLR(lr float64) { checkLR("SGD.SetLR", lr); o.lr = lr }

// StepCount returns the number of steps taken.
func (o *SGD) StepCount() int { return o.stepCount }

// State returns copies of the hyper-parameters, the step count and the
// momentum buffers "optim.momentum.<param>" of the parameters that have one.
func (o *SGD) State() State {
	nesterov := 0.0
	if o.nesterov {
		nesterov = 1
	}
	h := map[string]float64{"lr": o.lr, "momentum": o.momentum, "dampening": o.dampening, "nesterov": nesterov, "weight_decay": o.weightDecay}
	groupHyperState(h, o.groups)
	ts := make(map[string]*tensor.Tensor)
	for i, s := range o.slots {
		if o.hasBuf[i] {
			ts["optim.momentum."+s.p.Name] = o.buf[i].Clone()
		}
	}
	return State{Step: o.stepCount, Hyper: h, Tensors: ts}
}

// LoadState restores a State from State: hyper-parameters present in
// s.Hyper replace the current ones, and the momentum buffers are copied in
// (parameters without one start afresh). It returns an error naming every
// unknown key, every tensor of the wrong shape and any inconsistent
// hyper-parameters, and then changes nothing.
func (o *SGD) LoadState(s State) error {
	l := newStateLoader("SGD", s)
	lr, mu, damp, wd := o.lr, o.momentum, o.dampening, o.weightDecay
	nesterov := 0.0
	if o.nesterov {
		nesterov = 1
	}
	anyValue := func(float64) bool { return true } // checkSGD checks the values
	l.hyper("lr", &lr, func(v float64) bool { return v >= 0 }, "≥ 0")
	l.hyper("momentum", &mu, anyValue, "finite")
	l.hyper("dampening", &damp, anyValue, "finite")
	l.hyper("weight_decay", &wd, anyValue, "finite")
	l.hyper("nesterov", &nesterov, func(v float64) bool { return v == 0 || v == 1 }, "0 or 1")
	if err := checkSGD(mu, damp, wd, nesterov == 1); err != "" {
		l.addf("%s", err)
	}
	groups := l.groups(o.groups)
	for i, g := range groups {
		if wd != 0 && g.weightDecay != 0 {
			l.addf("weight decay %v and %v in group %d", wd, g.weightDecay, i)
		}
	}
	bufs := make([]*tensor.Tensor, len(o.slots))
	for i, sl := range o.slots {
		name := "optim.momentum." + sl.p.Name
		if b, ok := l.tensor(name, sl.p.Value.Data); ok {
			if mu == 0 {
				l.addf("%s with momentum 0", name)
			}
			bufs[i] = b
		}
	}
	if err := l.err(); err != nil {
		return err
	}
	o.lr, o.momentum, o.dampening, o.weightDecay, o.nesterov = lr, mu, damp, wd, nesterov == 1
	o.groups = groups
	if mu != 0 && o.buf == nil {
		o.allocBufs()
	}
	for i := range o.slots {
		o.hasBuf[i] = bufs[i] != nil
		if bufs[i] != nil {
			o.buf[i].CopyFrom(bufs[i])
		}
	}
	o.stepCount = s.Step
	return nil
}

var _ Optimizer = (*SGD)(nil)
