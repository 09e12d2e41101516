package optim

import (
	"errors"
	"math"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/tapegrad/tapegrad/autograd"
	"github.com/tapegrad/tapegrad/nn"
	"github.com/tapegrad/tapegrad/tensor"
)

// Inputs of the PyTorch reference below: one [2, 3] parameter and three
// steps of gradients.
var (
	refP0    = []float32{0.5, -1.25, 2.0, 0.0, 0.75, -0.125}
	refGrads = [][]float32{
		{0.1, -0.2, 0.3, 0.05, -0.4, 0.0},
		{-0.3, 0.1, 0.2, 0.5, -0.1, 0.25},
		{0.2, 0.2, -0.1, -0.05, 0.3, -0.5},
	}
)

// TestAgainstPyTorch compares three steps with values printed by PyTorch
// 1.13 in float64 (torch.set_default_dtype(torch.float64)); for each case p
// = torch.tensor(refP0).reshape(2, 3).requires_grad_(True), opt is the
// call named in the case with params [p], and each step sets p.grad =
// torch.tensor(g).reshape(2, 3) and calls opt.step().
func TestAgainstPyTorch(t *testing.T) {
	tests := []struct {
		name  string // the PyTorch call
		make  func([]Group) Optimizer
		after [][]float64
	}{
		{"torch.optim.SGD(ps, lr=0.1, weight_decay=0.1)",
			func(g []Group) Optimizer { return NewSGD(g, SGDConfig{LR: 0.1, WeightDecay: 0.1}) },
			[][]float64{
				{0.485, -1.2175, 1.95, -0.005000000000000001, 0.7825, -0.12375},
				{0.51015, -1.215325, 1.9104999999999999, -0.054950000000000006, 0.784675, -0.1475125},
				{0.4850485, -1.22317175, 1.901395, -0.04940050000000001, 0.74682825, -0.096037375},
			}},
		{"torch.optim.SGD(ps, lr=0.1, momentum=0.9)",
			func(g []Group) Optimizer { return NewSGD(g, SGDConfig{LR: 0.1, Momentum: 0.9}) },
			[][]float64{
				{0.49, -1.23, 1.97, -0.005000000000000001, 0.79, -0.125},
				{0.511, -1.222, 1.923, -0.05950000000000001, 0.8360000000000001, -0.15},
				{0.5099, -1.2348, 1.8907, -0.10355000000000002, 0.8474, -0.12249999999999998},
			}},
		{"torch.optim.SGD(ps, lr=0.1, momentum=0.9, dampening=0.5, weight_decay=0.1)",
			func(g []Group) Optimizer {
				return NewSGD(g, SGDConfig{LR: 0.1, Momentum: 0.9, Dampening: 0.5, WeightDecay: 0.1})
			},
			[][]float64{
				{0.485, -1.2175, 1.95, -0.005000000000000001, 0.7825, -0.12375},
				{0.484075, -1.1871625000000001, 1.8852499999999999, -0.034475000000000006, 0.8128375, -0.13450625},
				{0.470822125, -1.1639229375000002, 1.82254875, -0.05833012500000001, 0.8210770625, -0.11851434374999999},
			}},
		{"torch.optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01)",
			func(g []Group) Optimizer {
				return NewSGD(g, SGDConfig{LR: 0.1, Momentum: 0.9, Nesterov: true, WeightDecay: 0.01})
			},
			[][]float64{
				{0.48005, -1.209625, 1.9392, -0.009500000000000001, 0.8245750000000001, -0.1247625},
				{0.5276329049999999, -1.2091142124999998, 1.87159552, -0.10853195, 0.8738008075000001, -0.17192420125},
				{0.5048870619804999, -1.2364458492462498, 1.845940736512, -0.142963044295, 0.8511859302157501, -0.096655362642625},
			}},
		{"torch.optim.Adam(ps, lr=0.01, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.1)",
			func(g []Group) Optimizer {
				g[0].WeightDecay = 0.1
				return NewAdam(g, AdamConfig{LR: 0.01, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8})
			},
			[][]float64{
				{0.4900000006666666, -1.2400000003076923, 1.9900000002, -0.009999998000000399, 0.7599999996923077, -0.1150000079999936},
				{0.49295244907868235, -1.2327693348978044, 1.9801207305490018, -0.018072050613618718, 0.7672306651021957, -0.12208065933008669},
				{0.49054270068939415, -1.228794358844833, 1.9716040052278063, -0.023621947275772066, 0.7660519313402573, -0.11860247849786532},
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := nn.Param{Name: "p", Value: autograd.Param(tensor.FromSlice(append([]float32(nil), refP0...), 2, 3))}
			opt := tt.make([]Group{{Params: []nn.Param{p}}})
			for s, g := range refGrads {
				p.Value.Grad = tensor.FromSlice(append([]float32(nil), g...), 2, 3)
				opt.Step()
				for i, want := range tt.after[s] {
					got := float64(p.Value.Data.Data()[i])
					if math.Abs(got-want) > 1e-6+1e-6*math.Abs(want) {
						t.Errorf("step %d: p[%d] = %.9g; want %.9g", s, i, got, want)
					}
				}
			}
		})
	}
}

// TestAdamAgainstPyTorchFloat32 runs TestAgainstPyTorch's inputs through
// Adam and AdamW on float32 parameters, as PyTorch 1.13 does by default
// (float32 tensors, foreach=False, its AVX2 kernels), and requires PyTorch's
// bits: Step computes in float32 exactly as PyTorch does. The float64
// values above (and the golden files) are met to within float32 rounding.
// torch.optim.Adam and torch.optim.AdamW with lr=0.01, betas=(0.9, 0.999),
// eps=1e-8, weight_decay=0.1; values are float32 bit patterns.
func TestAdamAgainstPyTorchFloat32(t *testing.T) {
	cfg := AdamConfig{LR: 0.01, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}
	tests := []struct {
		name  string
		make  func([]Group) Optimizer
		after [][6]uint32
	}{
		{"Adam", func(g []Group) Optimizer { return NewAdam(g, cfg) }, [][6]uint32{
			{0x3efae148, 0xbf9eb852, 0x3ffeb852, 0xbc23d707, 0x3f428f5c, 0xbdeb8520},
			{0x3efc6444, 0xbf9dcb63, 0x3ffd7499, 0xbc940bd6, 0x3f44693a, 0xbdfa056d},
			{0x3efb286a, 0xbf9d4922, 0x3ffc5d86, 0xbcc182d0, 0x3f441bfa, 0xbdf2e5dc},
		}},
		{"AdamW", func(g []Group) Optimizer { return NewAdamW(g, cfg) }, [][6]uint32{
			{0x3efa9fbf, 0xbf9e8f5c, 0x3ffe76c9, 0xbc23d707, 0x3f425e35, 0xbdffbe77},
			{0x3efce755, 0xbf9e0f7f, 0x3ffcf7ae, 0xbc93f466, 0x3f444cca, 0xbe075d35},
			{0x3efc8df7, 0xbf9e4063, 0x3ffc0214, 0xbcc17ac0, 0x3f447832, 0xbe0402ac},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := nn.Param{Name: "p", Value: autograd.Param(tensor.FromSlice(append([]float32(nil), refP0...), 2, 3))}
			opt := tt.make([]Group{{Params: []nn.Param{p}, WeightDecay: 0.1}})
			for s, g := range refGrads {
				p.Value.Grad = tensor.FromSlice(append([]float32(nil), g...), 2, 3)
				opt.Step()
				for i, want := range tt.after[s] {
					if got := p.Value.Data.Data()[i]; math.Float32bits(got) != want {
						t.Errorf("step %d: p[%d] = %.9g; PyTorch float32 gives %.9g", s, i, got, math.Float32frombits(want))
					}
				}
			}
		})
	}
}

// TestAdamVersusAdamW checks the two kinds of weight decay on a zero
// gradient, where they differ most: Adam's L2 term becomes the whole
// gradient and the normalised step moves each element by lr towards 0,
// while AdamW's decoupled decay only shrinks p by lr·wd and the moments stay
// zero.
func TestAdamVersusAdamW(t *testing.T) {
	const lr, wd = 0.01, 0.1
	p0 := []float32{2, -0.5, 0.25}
	for _, tt := range []struct {
		name string
		make func([]Group) Optimizer
		want func(p float64) float64
	}{
		{"Adam", func(g []Group) Optimizer { return NewAdam(g, AdamConfig{LR: lr, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}) },
			// m = (1−β1)·wd·p, v = (1−β2)·(wd·p)²: after bias correction
			// m̂/√v̂ = sign(p), up to ε.
			func(p float64) float64 { return p - lr*math.Copysign(1, p)*(wd*math.Abs(p))/(wd*math.Abs(p)+1e-8) }},
		{"AdamW", func(g []Group) Optimizer { return NewAdamW(g, AdamConfig{LR: lr, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}) },
			func(p float64) float64 { return p * (1 - lr*wd) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := nn.Param{Name: "w", Value: autograd.Param(tensor.FromSlice(append([]float32(nil), p0...), 3))}
			p.Value.Grad = tensor.New(3)
			opt := tt.make([]Group{{Params: []nn.Param{p}, WeightDecay: wd}})
			opt.Step()
			for i, v := range p0 {
				want := tt.want(float64(v))
				if got := float64(p.Value.Data.Data()[i]); math.Abs(got-want) > 1e-7 {
					t.Errorf("p[%d] = %.9g; want %.9g", i, got, want)
				}
			}
		})
	}
	// Without decay the two are the same optimizer, bit for bit.
	a, b := newParams(1), newParams(1)
	oa := NewAdam([]Group{{Params: a}}, DefaultAdam())
	ob := NewAdamW([]Group{{Params: b}}, DefaultAdamW())
	for s := range 3 {
		setGrads(a, uint64(s))
		setGrads(b, uint64(s))
		oa.Step()
		ob.Step()
	}
	assertSameParams(t, "Adam vs AdamW with no decay", a, b)
}

func TestDecayGroups(t *testing.T) {
	ps := newParams(1)
	gs := DecayGroups(ps, 0.1)
	if len(gs) != 2 || gs[0].WeightDecay != 0.1 || gs[1].WeightDecay != 0 {
		t.Fatalf("DecayGroups: %d groups, decays %v", len(gs), gs)
	}
	names := func(g Group) string {
		var s []string
		for _, p := range g.Params {
			s = append(s, p.Name)
		}
		return strings.Join(s, " ")
	}
	if got, want := names(gs[0]), "wte.weight h.0.attn.c_attn.weight h.0.mlp.c_fc.weight"; got != want {
		t.Errorf("decayed = %q; want %q", got, want)
	}
	if got, want := names(gs[1]), "h.0.ln_1.weight h.0.attn.c_attn.bias h.0.mlp.c_fc.bias ln_f.scale"; got != want {
		t.Errorf("not decayed = %q; want %q", got, want)
	}
}

// TestGroups checks that each group's decay and LR scale reach its own
// parameters.
func TestGroups(t *testing.T) {
	mk := func(v float32) nn.Param {
		p := nn.Param{Name: "p", Value: autograd.Param(tensor.Full(v, 2))}
		p.Value.Grad = tensor.New(2)
		return p
	}
	a, b := mk(1), mk(1)
	b.Name = "q"
	opt := NewSGD([]Group{{Params: []nn.Param{a}, WeightDecay: 0.5}, {Params: []nn.Param{b}, WeightDecay: 0.5, LRScale: 2}}, SGDConfig{LR: 0.1})
	opt.Step()
	if got, want := a.Value.Data.Data()[0], float32(1-0.1*0.5); got != want {
		t.Errorf("group 0: p = %v; want %v", got, want)
	}
	if got, want := b.Value.Data.Data()[0], float32(1-0.2*0.5); got != want {
		t.Errorf("group 1 (LRScale 2): p = %v; want %v", got, want)
	}
}

func TestClipGradNorm(t *testing.T) {
	mk := func(name string, g ...float32) nn.Param {
		p := nn.Param{Name: name, Value: autograd.Param(tensor.New(len(g)))}
		p.Value.Grad = tensor.FromSlice(g, len(g))
		return p
	}
	noGrad := nn.Param{Name: "unused", Value: autograd.Param(tensor.New(2))}
	for _, tt := range []struct {
		max      float64
		norm     float64
		wantGrad []float32 // a's then b's after the call
	}{
		{max: 1, norm: 13, wantGrad: []float32{3.0 / (13 + 1e-6), 4.0 / (13 + 1e-6), 12.0 / (13 + 1e-6)}},
		{max: 6.5, norm: 13, wantGrad: []float32{3 * 6.5 / (13 + 1e-6), 4 * 6.5 / (13 + 1e-6), 12 * 6.5 / (13 + 1e-6)}},
		{max: 13, norm: 13, wantGrad: []float32{3, 4, 12}}, // 13/(13+1e-6) < 1 clips by 1e-7, as PyTorch
		{max: 20, norm: 13, wantGrad: []float32{3, 4, 12}},
		{max: 0, norm: 13, wantGrad: []float32{3, 4, 12}}, // 0: measure only
	} {
		a, b := mk("a", 3, 4), mk("b", 12)
		ps := []nn.Param{a, noGrad, b}
		got := ClipGradNorm(ps, tt.max)
		if got != tt.norm {
			t.Errorf("ClipGradNorm(max %v) = %v; want %v", tt.max, got, tt.norm)
		}
		g := append(append([]float32(nil), a.Value.Grad.Data()...), b.Value.Grad.Data()...)
		for i := range g {
			if math.Abs(float64(g[i]-tt.wantGrad[i])) > 1e-6 {
				t.Errorf("ClipGradNorm(max %v): grads %v; want %v", tt.max, g, tt.wantGrad)
				break
			}
		}
		if tt.max > 0 && tt.max < tt.norm {
			if n := GradNorm(ps); math.Abs(n-tt.max) > 1e-5 {
				t.Errorf("norm after ClipGradNorm(max %v) = %v", tt.max, n)
			}
		}
	}
	// A non-finite norm is returned and the gradients are left alone.
	for _, bad := range []float32{float32(math.NaN()), float32(math.Inf(1))} {
		a := mk("a", 3, bad)
		got := ClipGradNorm([]nn.Param{a}, 1)
		if !math.IsNaN(got) && !math.IsInf(got, 1) {
			t.Errorf("ClipGradNorm with %v = %v; want NaN or +Inf", bad, got)
		}
		if a.Value.Grad.Data()[0] != 3 {
			t.Errorf("ClipGradNorm with %v changed the gradients: %v", bad, a.Value.Grad.Data())
		}
	}
}

// nanoGPTLR is nanoGPT's get_lr, transcribed.
func nanoGPTLR(it int, lr, minLR float64, warmup, decayIters int) float64 {
	if it < warmup {
		return lr * float64(it+1) / float64(warmup+1)
	}
	if it > decayIters {
		return minLR
	}
	ratio := float64(it-warmup) / float64(decayIters-warmup)
	coeff := 0.5 * (1.0 + math.Cos(math.Pi*ratio))
	return minLR + coeff*(lr-minLR)
}

func TestWarmupCosine(t *testing.T) {
	s := WarmupCosine{Max: 1e-3, Min: 1e-4, Warmup: 100, Total: 2000}
	for _, tt := range []struct {
		step int
		want float64
	}{
		{0, 1e-3 / 101},
		{99, 1e-3 * 100 / 101},
		{100, 1e-3},
		{1050, 5.5e-4}, // halfway: the mean of Max and Min
		{2000, 1e-4},
		{2001, 1e-4},
		{math.MaxInt32, 1e-4},
	} {
		got := s.LR(tt.step)
		if math.Abs(got-tt.want) > 1e-15 {
			t.Errorf("LR(%d) = %v; want %v", tt.step, got, tt.want)
		}
		if ref := nanoGPTLR(tt.step, s.Max, s.Min, s.Warmup, s.Total); got != ref {
			t.Errorf("LR(%d) = %v; nanoGPT's get_lr = %v", tt.step, got, ref)
		}
	}
	for step := range 2100 {
		if got, ref := s.LR(step), nanoGPTLR(step, s.Max, s.Min, s.Warmup, s.Total); got != ref {
			t.Fatalf("LR(%d) = %v; nanoGPT's get_lr = %v", step, got, ref)
		}
	}
	// Edge cases where nanoGPT divides by zero.
	if got := (WarmupCosine{Max: 1, Min: 0.1, Warmup: 10, Total: 10}).LR(10); got != 0.1 {
		t.Errorf("Total = Warmup: LR(10) = %v; want Min", got)
	}
	if got := (WarmupCosine{Max: 1, Min: 0.1}).LR(0); got != 0.1 {
		t.Errorf("zero Total: LR(0) = %v; want Min", got)
	}
	if got := (WarmupCosine{Max: 1, Min: 0.1, Total: 10}).LR(0); got != 1 {
		t.Errorf("no warmup: LR(0) = %v; want Max", got)
	}
	if got := Constant(3e-4).LR(12345); got != 3e-4 {
		t.Errorf("Constant(3e-4).LR = %v", got)
	}
	var _ Schedule = Constant(1)
	var _ Schedule = s
}

// optimizers makes each optimizer over the given groups, with decay and
// momentum on so that every path runs.
var optimizers = []struct {
	name string
	make func([]Group) Optimizer
}{
	{"SGD", func(g []Group) Optimizer { return NewSGD(g, SGDConfig{LR: 0.05, Momentum: 0.9, Dampening: 0.1}) }},
	{"SGD-Nesterov", func(g []Group) Optimizer { return NewSGD(g, SGDConfig{LR: 0.05, Momentum: 0.9, Nesterov: true}) }},
	{"SGD-plain", func(g []Group) Optimizer { return NewSGD(g, SGDConfig{LR: 0.05}) }},
	{"Adam", func(g []Group) Optimizer { return NewAdam(g, DefaultAdam()) }},
	{"AdamW", func(g []Group) Optimizer {
		cfg := DefaultAdamW()
		cfg.Beta2 = 0.99
		return NewAdamW(g, cfg)
	}},
}

// TestStateRoundTrip saves an optimizer mid-run, continues it, then loads
// the state into a fresh optimizer over a copy of the saved parameters and
// continues that: the two must agree bit for bit. One parameter misses
// gradients on some steps, so its state lags (and, for Adam, carries its
// own step count).
func TestStateRoundTrip(t *testing.T) {
	for _, o := range optimizers {
		t.Run(o.name, func(t *testing.T) {
			ps := newParams(1)
			opt := o.make(DecayGroups(ps, 0.1))
			run := func(opt Optimizer, ps []nn.Param, from, to int) {
				for s := from; s < to; s++ {
					setGrads(ps, uint64(s))
					if s%3 != 2 {
						ps[1].Value.Grad = nil // h.0.ln_1.weight skips some steps
					}
					opt.SetLR(WarmupCosine{Max: 0.01, Min: 0.001, Warmup: 2, Total: 8}.LR(s))
					opt.Step()
				}
			}
			run(opt, ps, 0, 4)
			saved := opt.State()
			savedParams := cloneParams(ps)
			if saved.Step != 4 {
				t.Errorf("State().Step = %d; want 4", saved.Step)
			}
			run(opt, ps, 4, 8)

			ps2 := savedParams
			opt2 := o.make(DecayGroups(ps2, 0.1))
			if err := opt2.LoadState(saved); err != nil {
				t.Fatal(err)
			}
			if opt2.StepCount() != 4 {
				t.Errorf("StepCount() after LoadState = %d; want 4", opt2.StepCount())
			}
			run(opt2, ps2, 4, 8)
			assertSameParams(t, "continued vs resumed", ps, ps2)
			// And the states agree too.
			s1, s2 := opt.State(), opt2.State()
			if len(s1.Tensors) != len(s2.Tensors) {
				t.Fatalf("%d state tensors vs %d", len(s1.Tensors), len(s2.Tensors))
			}
			for name, a := range s1.Tensors {
				if !sameBits(a.Data(), s2.Tensors[name].Data()) {
					t.Errorf("state tensor %s differs", name)
				}
			}
		})
	}
}

// TestStateNames checks the tensor names of State, and that the state is a
// copy.
func TestStateNames(t *testing.T) {
	p := nn.Param{Name: "w", Value: autograd.Param(tensor.Ones(2, 2))}
	q := nn.Param{Name: "b", Value: autograd.Param(tensor.Ones(2))}
	for _, tt := range []struct {
		opt  Optimizer
		want string
	}{
		{NewAdamW([]Group{{Params: []nn.Param{p, q}}}, DefaultAdamW()), "optim.m.b optim.m.w optim.step.b optim.v.b optim.v.w"},
		{NewSGD([]Group{{Params: []nn.Param{p, q}}}, SGDConfig{LR: 0.1, Momentum: 0.9}), "optim.momentum.b optim.momentum.w"},
	} {
		p.Value.Grad, q.Value.Grad = tensor.Ones(2, 2), tensor.Ones(2)
		tt.opt.Step()
		q.Value.Grad = nil // b takes one step of two
		tt.opt.Step()
		s := tt.opt.State()
		var names []string
		for n := range s.Tensors {
			names = append(names, n)
		}
		sort.Strings(names)
		if got := strings.Join(names, " "); got != tt.want {
			t.Errorf("%T: state tensors %q; want %q", tt.opt, got, tt.want)
		}
		if st, ok := s.Tensors["optim.step.b"]; ok && st.Data()[0] != 1 {
			t.Errorf("%T: optim.step.b = %v; want 1", tt.opt, st.Data())
		}
		for _, x := range s.Tensors {
			x.Fill(123)
		}
		if s2 := tt.opt.State(); s2.Tensors[names[0]].Data()[0] == 123 {
			t.Errorf("%T: State returned the optimizer's own tensors", tt.opt)
		}
	}
}

func TestLoadStateErrors(t *testing.T) {
	ps := newParams(1)
	good := func(o Optimizer) State {
		setGrads(ps, 1)
		o.Step()
		return o.State()
	}
	for _, o := range optimizers {
		t.Run(o.name, func(t *testing.T) {
			opt := o.make(DecayGroups(ps, 0.1))
			s := good(opt)
			var moment string // the name of one state tensor
			for n := range s.Tensors {
				if strings.HasSuffix(n, ".h.0.mlp.c_fc.weight") {
					moment = n
				}
			}
			cases := []struct {
				name    string
				edit    func(s *State)
				wantErr string
			}{
				{"wrong shape", func(s *State) { s.Tensors[moment] = tensor.New(3, 3) }, moment + " has shape [3 3]"},
				{"unknown tensor", func(s *State) { s.Tensors["optim.m.nope"] = tensor.New(1) }, "unexpected tensor optim.m.nope"},
				{"unknown hyper", func(s *State) { s.Hyper["gamma"] = 1 }, "unexpected hyper-parameter gamma"},
				{"bad lr", func(s *State) { s.Hyper["lr"] = -1 }, "lr = -1"},
				{"NaN lr", func(s *State) { s.Hyper["lr"] = math.NaN() }, "lr = NaN"},
				{"negative step", func(s *State) { s.Step = -2 }, "step -2"},
				{"group out of range", func(s *State) { s.Hyper["group.2.lr_scale"] = 1 }, "unexpected hyper-parameter group.2.lr_scale"},
			}
			if strings.HasPrefix(o.name, "Adam") {
				cases = append(cases,
					struct {
						name    string
						edit    func(s *State)
						wantErr string
					}{"m without v", func(s *State) { delete(s.Tensors, "optim.v.h.0.mlp.c_fc.weight") }, "must come together"},
					struct {
						name    string
						edit    func(s *State)
						wantErr string
					}{"bad beta", func(s *State) { s.Hyper["beta2"] = 1 }, "beta2 = 1"},
					struct {
						name    string
						edit    func(s *State)
						wantErr string
					}{"SGD state", func(s *State) {
						s.Tensors = map[string]*tensor.Tensor{"optim.momentum.wte.weight": tensor.New(5, 4)}
					}, "unexpected tensor optim.momentum.wte.weight"},
				)
			} else if o.name == "SGD" {
				cases = append(cases, struct {
					name    string
					edit    func(s *State)
					wantErr string
				}{"nesterov with dampening", func(s *State) { s.Hyper["nesterov"] = 1 }, "Nesterov"})
			}
			for _, c := range cases {
				if c.name == "wrong shape" && moment == "" {
					continue // plain SGD has no state tensors
				}
				s := opt.State()
				c.edit(&s)
				before := opt.State()
				err := opt.LoadState(s)
				if err == nil || !strings.Contains(err.Error(), c.wantErr) || !strings.HasPrefix(err.Error(), "optim: ") {
					t.Errorf("%s: LoadState error %v; want one containing %q", c.name, err, c.wantErr)
				}
				after := opt.State()
				if !sameState(before, after) {
					t.Errorf("%s: a failed LoadState changed the optimizer", c.name)
				}
			}
			// A state that fits loads.
			if err := opt.LoadState(opt.State()); err != nil {
				t.Errorf("LoadState(State()) = %v", err)
			}
		})
	}
}

// TestNilGradSkipped checks that a parameter without a gradient is left as
// it is, state included, even under weight decay.
func TestNilGradSkipped(t *testing.T) {
	for _, o := range optimizers {
		t.Run(o.name, func(t *testing.T) {
			ps := newParams(1)
			opt := o.make([]Group{{Params: ps, WeightDecay: 0.1}})
			setGrads(ps, 1)
			ps[0].Value.Grad = nil
			before := ps[0].Value.Data.Clone()
			opt.Step()
			opt.Step()
			if !sameBits(before.Data(), ps[0].Value.Data.Data()) {
				t.Errorf("%s changed without a gradient", ps[0].Name)
			}
			for n := range opt.State().Tensors {
				if strings.HasSuffix(n, "."+ps[0].Name) {
					t.Errorf("state tensor %s for a parameter that never had a gradient", n)
				}
			}
			if sameBits(ps[1].Value.Data.Data(), newParams(1)[1].Value.Data.Data()) {
				t.Errorf("%s did not change", ps[1].Name)
			}
		})
	}
}

func TestStepAllocs(t *testing.T) {
	for _, o := range optimizers {
		t.Run(o.name, func(t *testing.T) {
			ps := newParams(1)
			setGrads(ps, 1)
			opt := o.make(DecayGroups(ps, 0.1))
			opt.Step()
			if n := testing.AllocsPerRun(10, func() {
				opt.SetLR(1e-3)
				opt.Step()
				ClipGradNorm(ps, 0.5)
				opt.ZeroGrad()
			}); n != 0 {
				t.Errorf("Step, ClipGradNorm and ZeroGrad allocate %v times", n)
			}
		})
	}
}

func TestZeroGradAndLR(t *testing.T) {
	for _, o := range optimizers {
		ps := newParams(1)
		setGrads(ps, 1)
		ps[2].Value.Grad = nil
		opt := o.make(DecayGroups(ps, 0))
		opt.ZeroGrad()
		for _, p := range ps {
			if p.Value.Grad != nil && GradNorm([]nn.Param{p}) != 0 {
				t.Errorf("%s: ZeroGrad left %s's gradient", o.name, p.Name)
			}
		}
		opt.SetLR(0.125)
		if opt.LR() != 0.125 {
			t.Errorf("%s: LR() = %v after SetLR(0.125)", o.name, opt.LR())
		}
	}
}

func TestConfigPanics(t *testing.T) {
	p := nn.Param{Name: "w", Value: autograd.Param(tensor.New(2))}
	q := p
	q.Name = "other"
	for _, tt := range []struct {
		name string
		f    func()
		want string
	}{
		{"beta1 1", func() { NewAdamW([]Group{{Params: []nn.Param{p}}}, AdamConfig{LR: 1, Beta1: 1, Beta2: 0.9}) }, "beta1 1 not in [0, 1)"},
		{"negative lr", func() { NewAdam(nil, AdamConfig{LR: -1}) }, "learning rate -1"},
		{"negative eps", func() { NewAdam(nil, AdamConfig{LR: 1, Eps: -1}) }, "eps -1"},
		{"duplicate name", func() { NewAdam([]Group{{Params: []nn.Param{p}}, {Params: []nn.Param{p}}}, DefaultAdam()) }, `"w" appears twice`},
		{"shared value", func() { NewSGD([]Group{{Params: []nn.Param{p, q}}}, SGDConfig{LR: 1}) }, "shares its value"},
		{"no name", func() { NewSGD([]Group{{Params: []nn.Param{{Value: p.Value}}}}, SGDConfig{LR: 1}) }, "has no name"},
		{"no value", func() { NewSGD([]Group{{Params: []nn.Param{{Name: "x"}}}}, SGDConfig{LR: 1}) }, "has no value"},
		{"negative decay", func() { NewSGD([]Group{{WeightDecay: -1}}, SGDConfig{LR: 1}) }, "weight decay -1"},
		{"negative scale", func() { NewSGD([]Group{{LRScale: -1}}, SGDConfig{LR: 1}) }, "LR scale -1"},
		{"nesterov without momentum", func() { NewSGD(nil, SGDConfig{LR: 1, Nesterov: true}) }, "Nesterov"},
		{"dampening 2", func() { NewSGD(nil, SGDConfig{LR: 1, Momentum: 0.9, Dampening: 2}) }, "dampening 2"},
		{"decay twice", func() { NewSGD(DecayGroups([]nn.Param{p}, 0.1), SGDConfig{LR: 1, WeightDecay: 0.1}) }, "one or the other"},
		{"SetLR NaN", func() { NewSGD(nil, SGDConfig{LR: 1}).SetLR(math.NaN()) }, "learning rate NaN"},
	} {
		func() {
			defer func() {
				r := recover()
				var ce *ConfigError
				err, _ := r.(error)
				if !errors.As(err, &ce) || !strings.Contains(ce.Error(), tt.want) {
					t.Errorf("%s: panic %v; want a *ConfigError containing %q", tt.name, r, tt.want)
				}
			}()
			tt.f()
		}()
	}
	// A gradient of the wrong shape is a programmer error too.
	func() {
		defer func() {
			if _, ok := recover().(*tensor.ShapeError); !ok {
				t.Errorf("Step with a [3] gradient for a [2] parameter did not panic with a *tensor.ShapeError")
			}
		}()
		w := nn.Param{Name: "w", Value: autograd.Param(tensor.New(2))}
		w.Value.Grad = tensor.New(3)
		NewAdamW([]Group{{Params: []nn.Param{w}}}, DefaultAdamW()).Step()
	}()
}

// gptShapes lists a GPT's parameter names and shapes per DESIGN.md, with
// learned positions.
func gptShapes(layers, c, v, t int) []struct {
	name  string
	shape []int
} {
	type ns = struct {
		name  string
		shape []int
	}
	out := []ns{{"wte.weight", []int{v, c}}, {"wpe.weight", []int{t, c}}}
	for i := range layers {
		h := "h." + strconv.Itoa(i) + "."
		out = append(out,
			ns{h + "ln_1.weight", []int{c}}, ns{h + "ln_1.bias", []int{c}},
			ns{h + "attn.c_attn.weight", []int{3 * c, c}}, ns{h + "attn.c_attn.bias", []int{3 * c}},
			ns{h + "attn.c_proj.weight", []int{c, c}}, ns{h + "attn.c_proj.bias", []int{c}},
			ns{h + "ln_2.weight", []int{c}}, ns{h + "ln_2.bias", []int{c}},
			ns{h + "mlp.c_fc.weight", []int{4 * c, c}}, ns{h + "mlp.c_fc.bias", []int{4 * c}},
			ns{h + "mlp.c_proj.weight", []int{c, 4 * c}}, ns{h + "mlp.c_proj.bias", []int{c}},
		)
	}
	return append(out, ns{"ln_f.weight", []int{c}}, ns{"ln_f.bias", []int{c}})
}

// newParams returns a small model's parameters, seeded, in a fixed order
// that mixes matrices and vectors.
func newParams(seed uint64) []nn.Param {
	shapes := []struct {
		name  string
		shape []int
	}{
		{"wte.weight", []int{5, 4}},
		{"h.0.ln_1.weight", []int{4}},
		{"h.0.attn.c_attn.weight", []int{12, 4}},
		{"h.0.attn.c_attn.bias", []int{12}},
		{"h.0.mlp.c_fc.weight", []int{2, 4, 2}},
		{"h.0.mlp.c_fc.bias", []int{16}},
		{"ln_f.scale", []int{}},
	}
	ps := make([]nn.Param, len(shapes))
	for i, s := range shapes {
		ps[i] = nn.Param{Name: s.name, Value: autograd.Param(tensor.Randn(seed*100+uint64(i), 0, 1, s.shape...))}
	}
	return ps
}

// setGrads gives every parameter a seeded gradient, reusing its buffer.
func setGrads(ps []nn.Param, seed uint64) {
	for i, p := range ps {
		g := tensor.Randn(seed*1000+uint64(i)+7, 0, 0.1, p.Value.Shape()...)
		if p.Value.Grad == nil {
			p.Value.Grad = g
		} else {
			p.Value.Grad.CopyFrom(g)
		}
	}
}

func cloneParams(ps []nn.Param) []nn.Param {
	out := make([]nn.Param, len(ps))
	for i, p := range ps {
		out[i] = nn.Param{Name: p.Name, Value: autograd.Param(p.Value.Data.Clone())}
	}
	return out
}

func sameBits(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return false
		}
	}
	return true
}

func assertSameParams(t *testing.T, what string, a, b []nn.Param) {
	t.Helper()
	for i := range a {
		if !sameBits(a[i].Value.Data.Data(), b[i].Value.Data.Data()) {
			t.Errorf("%s: %s differs:\n%v\n%v", what, a[i].Name, a[i].Value.Data.Data(), b[i].Value.Data.Data())
		}
	}
}

func sameState(a, b State) bool {
	if a.Step != b.Step || len(a.Hyper) != len(b.Hyper) || len(a.Tensors) != len(b.Tensors) {
		return false
	}
	for k, v := range a.Hyper {
		if w, ok := b.Hyper[k]; !ok || w != v {
			return false
		}
	}
	for k, v := range a.Tensors {
		if w, ok := b.Tensors[k]; !ok || !sameBits(v.Data(), w.Data()) {
			return false
		}
	}
	return true
}
