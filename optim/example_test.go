package optim_test

import (
	"fmt"

	"github.com/tapegrad/tapegrad/autograd"
	"github.com/tapegrad/tapegrad/nn"
	"github.com/tapegrad/tapegrad/optim"
	"github.com/tapegrad/tapegrad/tensor"
)

// Fit w to a target by minimising Σ(w − target)², whose gradient
// 2(w − target) is written by hand here (a model's backward pass fills
// Grad in real training), with AdamW, clipping and nanoGPT's schedule.
func Example() {
	target := []float32{1, -2, 3}
	w := nn.Param{Name: "w", Value: autograd.Param(tensor.New(3))}
	w.Value.Grad = tensor.New(3)
	params := []nn.Param{w}

	cfg := optim.DefaultAdamW()
	opt := optim.NewAdamW(optim.DecayGroups(params, 0.1), cfg) // w is a vector: no decay
	sched := optim.WarmupCosine{Max: 0.1, Min: 0.01, Warmup: 10, Total: 300}
	for step := range 300 {
		opt.ZeroGrad()
		g, x := w.Value.Grad.Data(), w.Value.Data.Data()
		for i := range g {
			g[i] = 2 * (x[i] - target[i])
		}
		optim.ClipGradNorm(params, 1.0)
		opt.SetLR(sched.LR(step))
		opt.Step()
	}
	fmt.Printf("w = %.2f after %d steps\n", w.Value.Data.Data(), opt.StepCount())
	// Output: w = [1.00 -2.00 3.00] after 300 steps
}

// A checkpoint holds the optimizer's State beside the model; LoadState on a
// new optimizer over the same parameters continues where it stopped.
func ExampleAdamW_State() {
	w := nn.Param{Name: "w", Value: autograd.Param(tensor.Ones(2, 2))}
	w.Value.Grad = tensor.Full(0.5, 2, 2)
	opt := optim.NewAdamW([]optim.Group{{Params: []nn.Param{w}, WeightDecay: 0.1}}, optim.DefaultAdamW())
	opt.Step()

	s := opt.State()
	fmt.Println("step", s.Step, "lr", s.Hyper["lr"], "beta2", s.Hyper["beta2"])
	fmt.Println("m", s.Tensors["optim.m.w"].Data())

	resumed := optim.NewAdamW([]optim.Group{{Params: []nn.Param{w}, WeightDecay: 0.1}}, optim.DefaultAdamW())
	if err := resumed.LoadState(s); err != nil {
		fmt.Println(err)
	}
	fmt.Println("resumed at step", resumed.StepCount())
	// Output:
	// step 1 lr 0.001 beta2 0.999
	// m [0.05 0.05 0.05 0.05]
	// resumed at step 1
}

func ExampleWarmupCosine() {
	s := optim.WarmupCosine{Max: 1e-3, Min: 1e-4, Warmup: 100, Total: 2000}
	for _, step := range []int{0, 99, 100, 1050, 2000, 5000} {
		fmt.Printf("step %4d: lr %.3g\n", step, s.LR(step))
	}
	// Output:
	// step    0: lr 9.9e-06
	// step   99: lr 0.00099
	// step  100: lr 0.001
	// step 1050: lr 0.00055
	// step 2000: lr 0.0001
	// step 5000: lr 0.0001
}
