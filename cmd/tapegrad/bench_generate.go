package main

import (
	"fmt"
	"math"
	"time"

	"github.com/tapegrad/tapegrad/nn"
)

// generateRecord is one JSON line of `bench generate`.
type generateRecord struct {
	Bench      string  `json:"bench"`
	Impl       string  `json:"impl"` // "cached" or "uncached"
	T          int     `json:"T"`
	Tokens     int     `json:"tokens"`
	MS         float64 `json:"ms"`
	TokensPerS float64 `json:"tokens_per_s"`
}

var generateHelp = help{
	usage: "tapegrad bench generate [flags]",
	about: `
Time text generation from a randomly initialised GPT (the shapes of the
shakespeare-char-cpu recipe by default): from a one-token prompt, generate
until the context holds T tokens, with the KV cache ("cached": one position's
work per token) and without it ("uncached": the whole context re-run for every
token, the reference). Greedy decoding, so both produce the same tokens. Each
row is the best of --runs runs.

The table goes to stdout first, then one JSON object a line:
  {"bench":"generate","impl":"cached","T":256,"tokens":255,"ms":80.1,"tokens_per_s":3183.5}`,
	examples: `
tapegrad bench generate
tapegrad bench generate --T 64,256,1024 --impl cached`,
}

func runBenchGenerate(e *env, args []string) error {
	var (
		ts      = intList{vals: []int{256}}
		impls   = wordList{vals: []string{"cached", "uncached"}, allowed: []string{"cached", "uncached"}}
		cfg     = nn.Config{VocabSize: 65, NLayer: 4, NHead: 4, NEmbd: 128, Bias: true}
		runs    int
		jsonOut bool
	)
	fs := newFlagSet("bench generate")
	fs.Var(&ts, "T", "context lengths to generate up to, comma-separated (the model's block size is each T)")
	fs.Var(&impls, "impl", "decoders, comma-separated: cached, uncached")
	fs.IntVar(&cfg.VocabSize, "vocab", cfg.VocabSize, "vocabulary size")
	fs.IntVar(&cfg.NLayer, "n_layer", cfg.NLayer, "transformer layers")
	fs.IntVar(&cfg.NHead, "n_head", cfg.NHead, "attention heads")
	fs.IntVar(&cfg.NEmbd, "n_embd", cfg.NEmbd, "embedding width")
	fs.BoolVar(&cfg.RoPE, "rope", false, "rotary positions instead of learned ones")
	fs.IntVar(&runs, "runs", 3, "runs per row; the fastest counts")
	fs.BoolVar(&jsonOut, "json", false, "print only the JSON lines")
	if err := parseFlags(e, fs, "bench generate", generateHelp, args); err != nil {
		return err
	}
	if runs < 1 {
		return &usageError{cmd: "bench generate", msg: "--runs must be at least 1"}
	}
	r := &report{header: []string{"T", "impl", "tokens", "ms", "tokens/s"}}
	for _, t := range ts.vals {
		c := cfg
		c.BlockSize = t
		g, err := nn.NewGPT(c, 1)
		if err != nil {
			return err
		}
		for _, impl := range impls.vals {
			e.progress("bench generate: T=%d %s", t, impl)
			best := time.Duration(1<<63 - 1)
			for range runs {
				start := time.Now()
				if _, err := g.Generate([]int{0}, t-1, nn.Sampling{NoCache: impl == "uncached"}); err != nil {
					return err
				}
				best = min(best, time.Since(start))
			}
			rec := generateRecord{Bench: "generate", Impl: impl, T: t, Tokens: t - 1,
				MS: math.Round(best.Seconds()*1e5) / 100, TokensPerS: math.Round(float64(t-1)/best.Seconds()*100) / 100}
			r.add(rec, fmt.Sprint(t), impl, fmt.Sprint(t-1), fmt.Sprintf("%.1f", rec.MS), fmt.Sprintf("%.1f", rec.TokensPerS))
		}
	}
	return r.write(e.stdout, jsonOut)
}
