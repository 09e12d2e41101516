package optim

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/tapegrad/tapegrad/nn"
	"github.com/tapegrad/tapegrad/tensor"
)

// Optimizer updates parameters from their gradients. SGD, Adam and AdamW
// implement it.
type Optimizer interface {
	// Step applies one update from the current gradients. Parameters whose
	// Grad is nil (no gradient reached them) are skipped and their state is
	// left alone, as in PyTorch.
	Step()
	// ZeroGrad zeroes every parameter's gradient, keeping the buffers.
	ZeroGrad()
	// LR returns the base learning rate; a group's rate is LR·LRScale.
	LR() float64
	// SetLR sets the base learning rate; schedules call it before each Step.
	SetLR(lr float64)
	// StepCount returns how many times Step has run (including steps
	// restored by LoadState).
	StepCount() int
	// State returns copies of the optimizer's hyper-parameters, step count
	// and moment tensors, for a checkpoint.
	State() State
	// LoadState restores what State returned. On error the optimizer is
	// unchanged; errors name the offending tensor or key.
	LoadState(State) error
}

// State is an optimizer's checkpointable state.
//
// Tensors holds the moments by parameter name: "optim.m.<param>" and
// "optim.v.<param>" (Adam, AdamW), "optim.momentum.<param>" (SGD). As in
// PyTorch, a parameter that has never received a gradient has no state and
// no tensors. Adam's bias correction counts the steps each parameter took;
// a parameter that skipped steps (nil Grad) carries its own count as the
// one-element tensor "optim.step.<param>", and every other parameter with
// moments has taken Step steps.
//
// Hyper holds the hyper-parameters: "lr" and, by optimizer, "beta1",
// "beta2", "eps" or "momentum", "dampening", "nesterov" (0 or 1),
// "weight_decay" (SGDConfig's); and per group i "group.<i>.weight_decay"
// and "group.<i>.lr_scale".
type State struct {
	Step    int
	Hyper   map[string]float64
	Tensors map[string]*tensor.Tensor
}

// Group is a set of parameters that share a weight decay and a learning-rate
// scale, like a PyTorch param_group. LRScale multiplies the optimizer's
// base rate; 0 means 1.
type Group struct {
	Params      []nn.Param
	WeightDecay float64
	LRScale     float64
}

// DecayGroups splits params by nanoGPT's rule: tensors with 2 or more
// dimensions (matmul weights, embeddings) go in the first group with the
// given weight decay, the others (biases, norm gains) in the second group
// with none. Both groups keep params' order; either may be empty.
func DecayGroups(params []nn.Param, weightDecay float64) []Group {
	decay := Group{WeightDecay: weightDecay}
	noDecay := Group{}
	for _, p := range params {
		if p.Value != nil && p.Value.Data.Dims() >= 2 {
			decay.Params = append(decay.Params, p)
		} else {
			noDecay.Params = append(noDecay.Params, p)
		}
	}
	return []Group{decay, noDecay}
}

// ConfigError is the panic value for an invalid optimizer configuration or
// parameter list, a programmer error.
type ConfigError struct {
	Op  string // the constructor, such as "NewAdamW"
	Msg string
}

func (e *ConfigError) Error() string { return "optim: " + e.Op + ": " + e.Msg }

// slot is one parameter with its group.
type slot struct {
	p     nn.Param
	group int
}

// groupHyper is a group's per-group hyper-parameters.
type groupHyper struct {
	weightDecay float64
	lrScale     float64 // never 0
}

// flatten checks groups and lists their parameters in order. It panics on a
// parameter without a Value or a name, on a name or a Value that appears
// twice, and on a negative or non-finite weight decay or scale.
func flatten(op string, groups []Group) ([]slot, []groupHyper) {
	var slots []slot
	hyper := make([]groupHyper, len(groups))
	names := make(map[string]bool)
	values := make(map[any]bool)
	for gi, g := range groups {
		if !(g.WeightDecay >= 0) || math.IsInf(g.WeightDecay, 0) {
			panic(&ConfigError{op, fmt.Sprintf("group %d: weight decay %v is not a finite value ≥ 0", gi, g.WeightDecay)})
		}
		scale := g.LRScale
		if scale == 0 {
			scale = 1
		}
		if !(scale > 0) || math.IsInf(scale, 0) {
			panic(&ConfigError{op, fmt.Sprintf("group %d: LR scale %v is not a finite value > 0", gi, g.LRScale)})
		}
		hyper[gi] = groupHyper{weightDecay: g.WeightDecay, lrScale: scale}
		for pi, p := range g.Params {
			switch {
			case p.Value == nil || p.Value.Data == nil:
				panic(&ConfigError{op, fmt.Sprintf("parameter %d (%q) of group %d has no value", pi, p.Name, gi)})
			case p.Name == "":
				panic(&ConfigError{op, fmt.Sprintf("parameter %d of group %d has no name", pi, gi)})
			case names[p.Name]:
				panic(&ConfigError{op, fmt.Sprintf("parameter %q appears twice", p.Name)})
			case values[p.Value]:
				panic(&ConfigError{op, fmt.Sprintf("parameter %q shares its value with another parameter", p.Name)})
			}
			names[p.Name] = true
			values[p.Value] = true
			slots = append(slots, slot{p: p, group: gi})
		}
	}
	return slots, hyper
}

// zeroGrads zeroes the gradients of slots.
func zeroGrads(slots []slot) {
	for _, s := range slots {
		s.p.Value.ZeroGrad()
	}
}

// checkLR panics unless lr is a finite value ≥ 0.
func checkLR(op string, lr float64) {
	if !(lr >= 0) || math.IsInf(lr, 0) {
		panic(&ConfigError{op, fmt.Sprintf("learning rate %v is not a finite value ≥ 0", lr)})
	}
}

// groupHyperState adds the groups' hyper-parameters to h.
func groupHyperState(h map[string]float64, groups []groupHyper) {
	for i, g := range groups {
		h["group."+strconv.Itoa(i)+".weight_decay"] = g.weightDecay
		h["group."+strconv.Itoa(i)+".lr_scale"] = g.lrScale
	}
}

// stateLoader collects the problems of a State being loaded, so that all of
// them are reported at once and nothing is applied unless there are none.
type stateLoader struct {
	kind     string // "SGD", "Adam", "AdamW"
	s        State
	used     map[string]bool // keys of s.Hyper and s.Tensors that were read
	problems []string
}

func newStateLoader(kind string, s State) *stateLoader {
	l := &stateLoader{kind: kind, s: s, used: make(map[string]bool)}
	if s.Step < 0 {
		l.problems = append(l.problems, fmt.Sprintf("step %d is negative", s.Step))
	}
	return l
}

func (l *stateLoader) addf(format string, args ...any) {
	l.problems = append(l.problems, fmt.Sprintf(format, args...))
}

// hyper sets *dst to s.Hyper[key] when present and ok(value); it leaves
// *dst alone when the key is absent.
func (l *stateLoader) hyper(key string, dst *float64, ok func(float64) bool, want string) {
	v, present := l.s.Hyper[key]
	if !present {
		return
	}
	l.used["h:"+key] = true
	if !ok(v) || math.IsNaN(v) || math.IsInf(v, 0) {
		l.addf("hyper-parameter %s = %v is not %s", key, v, want)
		return
	}
	*dst = v
}

// groups reads the per-group hyper-parameters into a copy of gs.
func (l *stateLoader) groups(gs []groupHyper) []groupHyper {
	out := append([]groupHyper(nil), gs...)
	for i := range out {
		p := "group." + strconv.Itoa(i) + "."
		l.hyper(p+"weight_decay", &out[i].weightDecay, func(v float64) bool { return v >= 0 }, "≥ 0")
		l.hyper(p+"lr_scale", &out[i].lrScale, func(v float64) bool { return v > 0 }, "> 0")
	}
	return out
}

// tensor returns s.Tensors[name] if present, checking its shape against
// want, and whether it was present (and fit).
func (l *stateLoader) tensor(name string, want *tensor.Tensor) (*tensor.Tensor, bool) {
	t, ok := l.s.Tensors[name]
	if !ok {
		return nil, false
	}
	l.used["t:"+name] = true
	if t == nil {
		l.addf("%s is nil", name)
		return nil, false
	}
	if !t.SameShape(want) {
		l.addf("%s has shape %v; the parameter has %v", name, t.Shape(), want.Shape())
		return nil, false
	}
	return t, true
}

// err reports every problem, including keys nobody read, or nil.
func (l *stateLoader) err() error {
	var extra []string
	for k := range l.s.Hyper {
		if !l.used["h:"+k] {
			extra = append(extra, "unexpected hyper-parameter "+k)
		}
	}
	for k := range l.s.Tensors {
		if !l.used["t:"+k] {
			extra = append(extra, "unexpected tensor "+k)
		}
	}
	sort.Strings(extra)
	problems := append(l.problems, extra...)
	if len(problems) == 0 {
		return nil
	}
	return fmt.Errorf("optim: %s state does not fit: %s", l.kind, strings.Join(problems, "; "))
}

// parallelMin is the number of scalars below which a step runs on the
// calling goroutine: under it, handing work to the pool costs more than it
// saves.
const parallelMin = 1 << 15

// sweep runs an elementwise update over the parameters that have a
// gradient, split evenly by element count across tensor.ParallelFor's
// threads. Every element is computed the same way whatever the split, so
// results do not depend on the number of threads. It allocates nothing per
// run: body is made once.
type sweep struct {
	offsets []int // offsets[i] is where slot i starts in the concatenation
	active  []bool
	kernel  func(i, lo, hi int) // updates elements [lo, hi) of slot i
	body    func(lo, hi int)
}

func (s *sweep) init(slots []slot, kernel func(i, lo, hi int)) {
	s.offsets = make([]int, len(slots)+1)
	for i, sl := range slots {
		s.offsets[i+1] = s.offsets[i] + sl.p.Value.Data.Numel()
	}
	s.active = make([]bool, len(slots))
	s.kernel = kernel
	s.body = s.run
}

// run updates the elements [lo, hi) of the concatenation.
func (s *sweep) run(lo, hi int) {
	// The first slot that ends after lo.
	i, j := 0, len(s.active)
	for i < j {
		h := int(uint(i+j) >> 1)
		if s.offsets[h+1] <= lo {
			i = h + 1
		} else {
			j = h
		}
	}
	for ; i < len(s.active) && s.offsets[i] < hi; i++ {
		if s.active[i] {
			s.kernel(i, max(lo, s.offsets[i])-s.offsets[i], min(hi, s.offsets[i+1])-s.offsets[i])
		}
	}
}

// do runs the kernel over every active slot.
func (s *sweep) do() {
	n := s.offsets[len(s.offsets)-1]
	if n < parallelMin {
		s.run(0, n)
		return
	}
	tensor.ParallelFor(n, s.body)
}
