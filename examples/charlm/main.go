// Command charlm trains a character-level GPT on a text file with the
// library alone — tokenizer, data, model, optimizer — and prints a sample.
//
//	go run ./examples/charlm ../shared/data/tinyshakespeare.txt
package main

import (
	"fmt"
	"os"

	"github.com/tapegrad/tapegrad/autograd"
	"github.com/tapegrad/tapegrad/data"
	"github.com/tapegrad/tapegrad/nn"
	"github.com/tapegrad/tapegrad/optim"
	"github.com/tapegrad/tapegrad/tokenizer"
	"github.com/tapegrad/tapegrad/train"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: charlm FILE")
		os.Exit(2)
	}
	if err := run(os.Args[1], 300); err != nil {
		fmt.Fprintln(os.Stderr, "charlm:", err)
		os.Exit(1)
	}
}

func run(path string, steps int) error {
	// Text → characters → ids, split 90/10.
	text, err := data.LoadText(path, os.TempDir())
	if err != nil {
		return err
	}
	tok := tokenizer.NewChar(text)
	ids, err := tok.Encode(text)
	if err != nil {
		return err
	}
	trainIDs, valIDs := data.Split(ids, 0.9)

	// A small GPT and AdamW with decay on matrices only.
	const B, T = 16, 64
	model, err := nn.NewGPT(nn.Config{VocabSize: tok.VocabSize(), BlockSize: T, NLayer: 2, NHead: 4, NEmbd: 64, Bias: true}, 1)
	if err != nil {
		return err
	}
	cfg := optim.DefaultAdamW()
	cfg.LR = 3e-3
	opt := optim.NewAdamW(optim.DecayGroups(model.Params(), 0.1), cfg)
	schedule := optim.WarmupCosine{Max: 3e-3, Min: 3e-4, Warmup: 20, Total: steps}

	// Random blocks of the training split, the loop, and an evaluation.
	sampler, err := data.NewSampler(data.Ints(trainIDs), 1)
	if err != nil {
		return err
	}
	x, y := make([]int, B*T), make([]int, B*T)
	tp := autograd.NewTape()
	for step := range steps {
		if err := sampler.Batch(B, T, x, y); err != nil {
			return err
		}
		tp.Reset()
		_, loss := model.Loss(tp, x, y, B, T)
		tp.Backward(loss)
		optim.ClipGradNorm(model.Params(), 1)
		opt.SetLR(schedule.LR(step))
		opt.Step()
		opt.ZeroGrad()
		if step%50 == 0 || step == steps-1 {
			fmt.Printf("step %3d  loss %.3f\n", step, loss.Item())
		}
	}
	val, err := train.EvalLoss(model, data.Ints(valIDs), B, 10, 2)
	if err != nil {
		return err
	}
	fmt.Printf("val loss %.3f\n", val)

	// Sample with the KV cache, starting from the text's first character.
	out, err := model.Generate(ids[:1], 200, nn.Sampling{Temperature: 0.8, TopK: 20, Seed: 1})
	if err != nil {
		return err
	}
	sample, err := tok.Decode(out)
	fmt.Println(sample)
	return err
}
