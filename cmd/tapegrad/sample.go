package main

import (
	"fmt"

	"github.com/tapegrad/tapegrad/nn"
	"github.com/tapegrad/tapegrad/train"
)

var sampleHelp = help{
	usage: "tapegrad sample --checkpoint FILE [flags]",
	about: `
Generate text from a checkpoint: continue --prompt (default: a newline) by
--tokens tokens, --num times, sampling with --temperature, --top_k and --top_p
from --seed (temperature 0 is greedy). Decoding uses the KV cache.`,
	examples: `
tapegrad sample --checkpoint out/train-20261204-213000/ckpt.safetensors
tapegrad sample --checkpoint ckpt.safetensors --prompt "ROMEO:" --tokens 300 --temperature 0.8 --top_k 40`,
}

func runSample(e *env, args []string) error {
	var (
		path, prompt string
		tokens, num  int
		s            nn.Sampling
		temperature  float64
		topP         float64
	)
	fs := newFlagSet("sample")
	fs.StringVar(&path, "checkpoint", "", "checkpoint to sample from (required)")
	fs.StringVar(&prompt, "prompt", "\n", "text to continue")
	fs.IntVar(&tokens, "tokens", 200, "tokens to generate")
	fs.IntVar(&num, "num", 1, "samples")
	fs.Float64Var(&temperature, "temperature", 0.8, "sampling temperature; 0 is greedy")
	fs.IntVar(&s.TopK, "top_k", 40, "sample from the K most likely tokens; 0 for all")
	fs.Float64Var(&topP, "top_p", 1, "sample from the smallest set of tokens with this much probability")
	fs.Uint64Var(&s.Seed, "seed", 1, "random seed")
	if err := parseFlags(e, fs, "sample", sampleHelp, args); err != nil {
		return err
	}
	if path == "" {
		return &usageError{cmd: "sample", msg: "--checkpoint is required"}
	}
	s.Temperature, s.TopP = float32(temperature), float32(topP)
	ck, err := train.Load(path)
	if err != nil {
		return err
	}
	for i := range num {
		text, err := sampleText(ck.Model, ck.Tokenizer, prompt, tokens, s)
		if err != nil {
			return err
		}
		if num > 1 {
			fmt.Fprintf(e.stdout, "--- sample %d ---\n", i+1)
		}
		fmt.Fprintln(e.stdout, text)
		s.Seed++
	}
	return nil
}
