package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"sort"
	"strconv"
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
	L          int     `json:"L"`
	H          int     `json:"H"`
	C          int     `json:"C"`
	B          int     `json:"B"`
	T          int     `json:"T"`
	Threads    int     `json:"threads"`
	Shards     int     `json:"shards"` // data-parallel shards of each batch (train.Config.Shards)
	MS         float64 `json:"ms"`     // median ms per training step
	MSMin      float64 `json:"ms_min"` // the fastest step: on a busy machine, the least disturbed one
	TokensPerS float64 `json:"tokens_per_s"`
	// PeakRSSMB is the process's peak resident set size in MiB (VmHWM)
	// during this row's steps: reset before each row where Linux allows it
	// (/proc/self/clear_refs), else the high-water mark of the whole
	// process so far. 0 when unknown.
	PeakRSSMB float64 `json:"peak_rss_mb"`
}

var stepHelp = help{
	usage: "tapegrad bench step [flags]",
	about: `
Time full training steps (forward, backward, clipping, AdamW) of a preset's
model on random characters, and report the median over --iters steps after
--warmup: ms per step (and the fastest step, the least disturbed one on a
busy machine), tokens per second (B·T per step at the median) and the peak
resident memory of the process while those steps ran. The model flags
(--n_layer, --n_head, --n_embd, --block_size, --batch_size) override the
preset, as in tapegrad train. Run ../shared/ref/ref_train.py DATA --bench 30 --threads N
(with --L --H --C --T --B for other shapes) beside it, in the same session, to
compare with PyTorch on the same recipe.

Peak RSS is the kernel's high-water mark (VmHWM), reset before each thread
count through /proc/self/clear_refs after the previous configuration's memory
went back to the OS. Where that reset is not allowed the mark covers the whole
process so far; run one process per thread count (--threads 2) to get each
configuration's own peak.

The table goes to stdout first, then one JSON object a line:
  {"bench":"step","preset":"shakespeare-char-cpu","rope":false,"L":4,"H":4,"C":128,"B":12,"T":64,"threads":1,"ms":52.1,"ms_min":50.8,"tokens_per_s":14741.6,"peak_rss_mb":41.3}`,
	examples: `
tapegrad bench step
tapegrad bench step --threads 1,2 --iters 50 --rope
tapegrad bench step --threads 1 --cpuprofile step.prof   # go tool pprof -top step.prof
tapegrad bench step --n_layer 6 --n_head 6 --n_embd 384 --block_size 256 --batch_size 8`,
}

func runBenchStep(e *env, args []string) error {
	var (
		mf                    trainFlags // the preset and the model flags, merged as train merges them
		threads               = intList{vals: []int{1, tensor.MaxThreads()}}
		iters, warmup, shards int
		rope, jsonOut         bool
		cpuProfile            string
	)
	fs := newFlagSet("bench step")
	fs.StringVar(&mf.preset, "preset", "shakespeare-char-cpu", "recipe: "+strings.Join(train.PresetNames(), ", "))
	fs.IntVar(&mf.c.Model.NLayer, "n_layer", 0, "transformer layers (default: the preset's)")
	fs.IntVar(&mf.c.Model.NHead, "n_head", 0, "attention heads (default: the preset's)")
	fs.IntVar(&mf.c.Model.NEmbd, "n_embd", 0, "embedding width (default: the preset's)")
	fs.IntVar(&mf.c.Model.BlockSize, "block_size", 0, "context length T (default: the preset's)")
	fs.IntVar(&mf.c.BatchSize, "batch_size", 0, "sequences per step B (default: the preset's)")
	fs.Var(&threads, "threads", "thread counts, comma-separated")
	fs.IntVar(&shards, "shards", 0, "split each batch over this many model replicas (0: one per thread, as train does; 1: the kernels alone use the threads)")
	fs.IntVar(&iters, "iters", 30, "timed steps")
	fs.IntVar(&warmup, "warmup", 5, "untimed steps first")
	fs.BoolVar(&rope, "rope", false, "rotary positions instead of learned ones")
	fs.BoolVar(&jsonOut, "json", false, "print only the JSON lines")
	fs.StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile of the timed steps (all thread counts) to this file")
	if err := parseFlags(e, fs, "bench step", stepHelp, args); err != nil {
		return err
	}
	preset := mf.preset
	if _, ok := train.Presets[preset]; !ok {
		return &usageError{cmd: "bench step", msg: fmt.Sprintf("unknown preset %q", preset)}
	}
	if iters < 1 {
		return &usageError{cmd: "bench step", msg: "--iters must be at least 1"}
	}
	mf.set = map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { mf.set[fl.Name] = true })
	for _, name := range []string{"n_layer", "n_head", "n_embd", "block_size", "batch_size"} {
		if mf.set[name] && !(benchFlagValue(fs, name) > 0) {
			return &usageError{cmd: "bench step", msg: fmt.Sprintf("--%s must be positive", name)}
		}
	}
	cfg, err := mf.config()
	if err != nil {
		return err
	}
	if cfg.Model.NEmbd%cfg.Model.NHead != 0 {
		return &usageError{cmd: "bench step", msg: fmt.Sprintf("--n_embd %d is not a multiple of --n_head %d", cfg.Model.NEmbd, cfg.Model.NHead)}
	}
	cfg.Model.RoPE = rope
	cfg.GradAccum = 1
	cfg.MaxIters, cfg.EvalInterval = warmup+iters, warmup+iters
	if shards < 0 || shards > cfg.BatchSize {
		return &usageError{cmd: "bench step", msg: fmt.Sprintf("--shards %d (want 0 to the batch size %d)", shards, cfg.BatchSize)}
	}
	cfg.Shards = shards
	text := data.Synthetic(1, 200_000)
	tok := tokenizer.NewChar(text)
	trainIDs, valIDs, err := encodeSplits(tok, text)
	if err != nil {
		return err
	}
	if cpuProfile != "" {
		f, err := os.Create(cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	m := cfg.Model
	r := &report{header: []string{"preset", "rope", "L", "H", "C", "B", "T", "threads", "shards", "ms/step", "min ms", "tokens/s", "peak RSS MiB"}}
	for _, th := range threads.vals {
		resetPeakRSS()
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
		peak := peakRSSMB()
		sort.Float64s(ms)
		med := ms[len(ms)/2]
		b, t := cfg.BatchSize, m.BlockSize
		rec := stepRecord{Bench: "step", Preset: preset, RoPE: rope, L: m.NLayer, H: m.NHead, C: m.NEmbd, B: b, T: t, Threads: th, Shards: tr.Config.Shards,
			MS: math.Round(med*100) / 100, MSMin: math.Round(ms[0]*100) / 100, TokensPerS: math.Round(float64(b*t)/med*1e5) / 100, PeakRSSMB: math.Round(peak*10) / 10}
		r.add(rec, preset, fmt.Sprint(rope), fmt.Sprint(m.NLayer), fmt.Sprint(m.NHead), fmt.Sprint(m.NEmbd), fmt.Sprint(b), fmt.Sprint(t),
			fmt.Sprint(th), fmt.Sprint(rec.Shards), fmt.Sprintf("%.2f", rec.MS), fmt.Sprintf("%.2f", rec.MSMin), fmt.Sprintf("%.0f", rec.TokensPerS), fmt.Sprintf("%.1f", rec.PeakRSSMB))
	}
	return r.write(e.stdout, jsonOut)
}

// benchFlagValue is the integer value of the flag called name.
func benchFlagValue(fs *flag.FlagSet, name string) int {
	v, _ := strconv.Atoi(fs.Lookup(name).Value.String())
	return v
}

// resetPeakRSS returns freed memory to the operating system and resets the
// process's resident-set high-water mark to its current size (Linux ≥ 4.0:
// writing 5 to /proc/self/clear_refs), so that the next peakRSSMB covers
// what ran in between. It reports whether the reset happened.
func resetPeakRSS() bool {
	runtime.GC()
	debug.FreeOSMemory()
	return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
}

// peakRSSMB is the process's peak resident set size in MiB (VmHWM in
// /proc/self/status), or 0 where that file does not exist.
func peakRSSMB() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) >= 2 && f[0] == "VmHWM:" {
			kb, err := strconv.ParseFloat(f[1], 64)
			if err != nil {
				return 0
			}
			return kb / 1024
		}
	}
	return 0
}
