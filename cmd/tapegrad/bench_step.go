package main

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/tapegrad/tapegrad/data"
	"github.com/tapegrad/tapegrad/tensor"
	"github.com/tapegrad/tapegrad/tokenizer"
	"github.com/tapegrad/tapegrad/train"
)

// stepRecord is one JSON line of `bench step`.
type stepRecord struct {
	Bench      string  `json:"bench"`
	Preset     string  `json:"preset"`
	RoPE       bool    `json:"rope"`
	B          int     `json:"B"`
	T          int     `json:"T"`
	Threads    int     `json:"threads"`
	MS         float64 `json:"ms"` // median ms per training step
	TokensPerS float64 `json:"tokens_per_s"`
}

var stepHelp = help{
	usage: "tapegrad bench step [flags]",
	about: `
Time full training steps (forward, backward, clipping, AdamW) of a preset's
model on random characters, and report the median over --iters steps after
--warmup: ms per step and tokens per second (B·T per step). Run
../shared/ref/ref_train.py DATA --bench 30 --threads N beside it, in the same
session, to compare with PyTorch on the same recipe.

The table goes to stdout first, then one JSON object a line:
  {"bench":"step","preset":"shakespeare-char-cpu","rope":false,"B":12,"T":64,"threads":1,"ms":52.1,"tokens_per_s":14741.6}`,
	examples: `
tapegrad bench step
tapegrad bench step --threads 1,2 --iters 50 --rope`,
}

func runBenchStep(e *env, args []string) error {
	var (
		preset        string
		threads       = intList{vals: []int{1, tensor.MaxThreads()}}
		iters, warmup int
		rope, jsonOut bool
	)
	fs := newFlagSet("bench step")
	fs.StringVar(&preset, "preset", "shakespeare-char-cpu", "recipe: "+strings.Join(train.PresetNames(), ", "))
	fs.Var(&threads, "threads", "thread counts, comma-separated")
	fs.IntVar(&iters, "iters", 30, "timed steps")
	fs.IntVar(&warmup, "warmup", 5, "untimed steps first")
	fs.BoolVar(&rope, "rope", false, "rotary positions instead of learned ones")
	fs.BoolVar(&jsonOut, "json", false, "print only the JSON lines")
	if err := parseFlags(e, fs, "bench step", stepHelp, args); err != nil {
		return err
	}
	cfg, ok := train.Presets[preset]
	if !ok {
		return &usageError{cmd: "bench step", msg: fmt.Sprintf("unknown preset %q", preset)}
	}
	if iters < 1 {
		return &usageError{cmd: "bench step", msg: "--iters must be at least 1"}
	}
	cfg.Model.RoPE = rope
	cfg.MaxIters, cfg.EvalInterval = warmup+iters, warmup+iters
	text := data.Synthetic(1, 200_000)
	tok := tokenizer.NewChar(text)
	trainIDs, valIDs, err := encodeSplits(tok, text)
	if err != nil {
		return err
	}
	r := &report{header: []string{"preset", "rope", "B", "T", "threads", "ms/step", "tokens/s"}}
	for _, th := range threads.vals {
		prev := tensor.SetMaxThreads(th)
		tr, err := train.New(cfg, tok, trainIDs, valIDs)
		if err != nil {
			tensor.SetMaxThreads(prev)
			return err
		}
		var ms []float64
		for i := range warmup + iters {
			rec, err := tr.TrainStep()
			if err != nil {
				tensor.SetMaxThreads(prev)
				return err
			}
			if i >= warmup {
				ms = append(ms, rec.MS)
			}
		}
		tensor.SetMaxThreads(prev)
		sort.Float64s(ms)
		med := ms[len(ms)/2]
		b, t := cfg.BatchSize, cfg.Model.BlockSize
		rec := stepRecord{Bench: "step", Preset: preset, RoPE: rope, B: b, T: t, Threads: th,
			MS: math.Round(med*100) / 100, TokensPerS: math.Round(float64(b*t)/med*1e5) / 100}
		r.add(rec, preset, fmt.Sprint(rope), fmt.Sprint(b), fmt.Sprint(t), fmt.Sprint(th), fmt.Sprintf("%.2f", rec.MS), fmt.Sprintf("%.0f", rec.TokensPerS))
	}
	return r.write(e.stdout, jsonOut)
}
