package main

import (
	"flag"
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/tapegrad/tapegrad/autograd"
	"github.com/tapegrad/tapegrad/tensor"
)

// attentionRecord is one JSON line of `bench attention`.
type attentionRecord struct {
	Bench    string  `json:"bench"`
	Impl     string  `json:"impl"`
	T        int     `json:"T"`
	B        int     `json:"B"`
	H        int     `json:"H"`
	D        int     `json:"D"`
	MS       float64 `json:"ms"`
	PeakMB   float64 `json:"peak_mb"`
	Backward bool    `json:"backward"`
}

// attentionImpls maps the names --impl accepts to the implementations, by
// the names the records use: "fused" is autograd's CausalAttention (flash
// style), "reference" its CausalAttentionNaive.
var attentionImpls = map[string]func(tp *autograd.Tape, q, k, v *autograd.Value, scale float32) *autograd.Value{
	"fused":     (*autograd.Tape).CausalAttention,
	"reference": (*autograd.Tape).CausalAttentionNaive,
}

// attentionAliases are other names --impl accepts.
var attentionAliases = map[string]string{"flash": "fused", "naive": "reference"}

// attentionConfig is the parsed command line of `bench attention`.
type attentionConfig struct {
	ts             intList
	b, h, d        int
	impls          wordList
	backward       bool
	warmup, runs   int
	jsonOnly       bool
	implsCanonical []string
}

var attentionHelp = help{
	usage: "tapegrad bench attention [flags]",
	about: `
Time causal self-attention, softmax(q·kᵀ/sqrt(D) + mask)·v on random q, k, v
[B, H, T, D], forward and backward, and measure its activation memory, for
each sequence length T and implementation:

  fused      autograd's CausalAttention: flash-style tiles with an online
             softmax; memory linear in T
  reference  autograd's CausalAttentionNaive: batched GEMMs through the
             materialised [B·H, T, T] probabilities; memory quadratic in T

"ms" is the best of --runs timed calls after --warmup untimed ones; "peak
MiB" is the high-water mark of the bytes the tape's buffer pool lends during
one call (tensor.PoolStats.PeakLent, in MiB of 2^20 bytes): the op's result,
what it saves for backward, its scratch, and the result's gradient. The
inputs and their gradients are not counted. When both implementations run,
the table shows each row's time and memory relative to the reference.

The table goes to stdout first, then one JSON object a line:
  {"bench":"attention","impl":"fused","T":4096,"B":1,"H":4,"D":32,"ms":123.4,"peak_mb":5.1,"backward":true}`,
	examples: `
tapegrad bench attention
tapegrad bench attention --T 256,1024,4096 --B 1 --H 4 --D 32 --impl fused,reference
tapegrad bench attention --T 512 --D 64 --backward=false --json`,
}

func newAttentionFlags(c *attentionConfig) *flag.FlagSet {
	fs := newFlagSet("bench attention")
	c.ts = intList{vals: []int{256, 1024, 4096}}
	c.impls = wordList{vals: []string{"fused", "reference"}, allowed: []string{"fused", "reference", "flash", "naive"}}
	fs.Var(&c.ts, "T", "sequence `lengths`, comma-separated (e.g. 256,1024,4096)")
	fs.IntVar(&c.b, "B", 1, "batch size")
	fs.IntVar(&c.h, "H", 4, "number of heads")
	fs.IntVar(&c.d, "D", 32, "head size")
	fs.Var(&c.impls, "impl", "`implementations`, comma-separated: fused (or flash), reference (or naive)")
	fs.BoolVar(&c.backward, "backward", true, "time forward and backward; false: the forward alone (recorded for backward, as in training)")
	fs.IntVar(&c.warmup, "warmup", 1, "untimed calls before each row")
	fs.IntVar(&c.runs, "runs", 3, "timed calls per row; the best one counts")
	fs.BoolVar(&c.jsonOnly, "json", false, "print only the JSON lines, no table")
	return fs
}

// runBenchAttention is `tapegrad bench attention`.
func runBenchAttention(e *env, args []string) error {
	var c attentionConfig
	fs := newAttentionFlags(&c)
	if err := parseFlags(e, fs, "bench attention", attentionHelp, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return &usageError{cmd: "bench attention", msg: fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	}
	switch {
	case c.b < 1 || c.h < 1 || c.d < 1:
		return &usageError{cmd: "bench attention", msg: "--B, --H and --D must be positive"}
	case c.warmup < 0:
		return &usageError{cmd: "bench attention", msg: "--warmup must not be negative"}
	case c.runs < 1:
		return &usageError{cmd: "bench attention", msg: "--runs must be at least 1"}
	}
	for _, name := range c.impls.vals {
		if a, ok := attentionAliases[name]; ok {
			name = a
		}
		if !slices.Contains(c.implsCanonical, name) {
			c.implsCanonical = append(c.implsCanonical, name)
		}
	}
	rep := benchAttention(e, &c)
	return rep.write(e.stdout, c.jsonOnly)
}

// benchAttention times every (T, implementation) pair and returns the report.
func benchAttention(e *env, c *attentionConfig) *report {
	rep := &report{header: []string{"T", "B", "H", "D", "impl", "ms", "peak MiB"}}
	withRef := len(c.implsCanonical) > 1 && slices.Contains(c.implsCanonical, "reference")
	if withRef {
		rep.header = append(rep.header, "time vs reference", "memory vs reference")
	}
	for _, t := range c.ts.vals {
		var recs []attentionRecord
		var ref attentionRecord
		for _, impl := range c.implsCanonical {
			sec, peak := timeAttention(attentionImpls[impl], c.b, c.h, t, c.d, c.backward, c.warmup, c.runs)
			r := attentionRecord{
				Bench: "attention", Impl: impl, T: t, B: c.b, H: c.h, D: c.d,
				MS:       math.Round(sec*1e6) / 1e3,
				PeakMB:   math.Round(float64(peak)/(1<<20)*1e3) / 1e3,
				Backward: c.backward,
			}
			e.progress("bench attention: T=%d %s: %.3f ms, %.3f MiB", t, impl, r.MS, r.PeakMB)
			recs = append(recs, r)
			if impl == "reference" {
				ref = r
			}
		}
		for _, r := range recs {
			cells := []string{
				strconv.Itoa(r.T), strconv.Itoa(r.B), strconv.Itoa(r.H), strconv.Itoa(r.D), r.Impl,
				strconv.FormatFloat(r.MS, 'f', 3, 64), strconv.FormatFloat(r.PeakMB, 'f', 3, 64),
			}
			if withRef {
				cells = append(cells, attentionRatio(r.MS, ref.MS), attentionRatio(r.PeakMB, ref.PeakMB))
			}
			rep.add(r, cells...)
		}
	}
	return rep
}

func attentionRatio(x, ref float64) string {
	if ref <= 0 {
		return "-"
	}
	return strconv.FormatFloat(x/ref, 'f', 3, 64) + "x"
}

// timeAttention returns the best seconds per call of attn (forward, and
// backward when backward is set) on random q, k, v [b, h, t, d], and the
// peak bytes the tape's pool lent during the last call.
func timeAttention(attn func(tp *autograd.Tape, q, k, v *autograd.Value, scale float32) *autograd.Value, b, h, t, d int, backward bool, warmup, runs int) (float64, int64) {
	q := autograd.Param(tensor.Randn(1, 0, 1, b, h, t, d))
	k := autograd.Param(tensor.Randn(2, 0, 1, b, h, t, d))
	v := autograd.Param(tensor.Randn(3, 0, 1, b, h, t, d))
	g := tensor.Randn(4, 0, 1, b, h, t, d)
	scale := float32(1 / math.Sqrt(float64(d)))
	tp := autograd.NewTape()
	defer tp.Pool().Clear() // the reference's buffers are large: let them go
	var peak int64
	call := func() time.Duration {
		tp.Reset()
		for _, x := range []*autograd.Value{q, k, v} {
			x.ZeroGrad()
		}
		tp.Pool().ResetPeak()
		t0 := time.Now()
		out := attn(tp, q, k, v, scale)
		if backward {
			tp.BackwardWith(out, g)
		}
		el := time.Since(t0)
		peak = tp.Pool().Stats().PeakLent
		return el
	}
	for range warmup {
		call()
	}
	best := time.Duration(math.MaxInt64)
	for range runs {
		best = min(best, call())
	}
	tp.Reset()
	return max(best.Seconds(), 1e-9), peak
}
