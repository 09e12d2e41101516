package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/tapegrad/tapegrad/data"
	"github.com/tapegrad/tapegrad/nn"
	"github.com/tapegrad/tapegrad/tokenizer"
	"github.com/tapegrad/tapegrad/train"
)

var trainHelp = help{
	usage: "tapegrad train [flags]",
	about: `
Train a GPT. With no flags it trains a small model on the
` + data.SyntheticDescription + `,
in about a minute on two cores,
shows progress, prints samples and the skill it measured, and writes the
checkpoint, a metrics file (JSON lines) and a loss plot (PNG) into an output
folder it names.

--data takes a text file, a folder of text files or an http(s) URL (downloaded
once into --cache). The text is split 90/10 into training and validation.
--tokenizer char (the default) uses its characters, bpe trains a byte-level
BPE of --vocab tokens on it, and a .tiktoken, minbpe .model or Hugging Face
.json file is used as it is. A folder holding nanoGPT's prepared train.bin and
val.bin (token ids, uint16 or with --token_bytes 4 uint32, memory-mapped so
they may exceed memory) is read as those two splits; --tokenizer then names
the file whose ids they are.
--preset picks a recipe (tiny, shakespeare-char-cpu); model and optimizer
flags override it. --resume continues a run from its checkpoint, bit for bit.
Ctrl-C writes a checkpoint and stops; a non-finite loss stops with an error
naming the step and leaves the last good checkpoint in place.`,
	examples: `
tapegrad train
tapegrad train --data ../shared/data/tinyshakespeare.txt --preset shakespeare-char-cpu
tapegrad train --data ../shared/data/tinyshakespeare.txt --preset shakespeare-char-cpu --rope
tapegrad train --data data/openwebtext --tokenizer r50k_base.tiktoken --n_layer 6 --n_embd 384
tapegrad train --resume out/train-20261204-213000/ckpt.safetensors`,
}

// trainFlags are train's command line: a preset, then overrides.
type trainFlags struct {
	data, preset, out, resume, cache, tok string
	vocab, samples, sampleTokens          int
	tokenBytes                            int
	rope, bias                            bool
	dropout                               float64
	set                                   map[string]bool
	c                                     train.Config
}

func runTrain(e *env, args []string) error {
	var f trainFlags
	fs := newFlagSet("train")
	fs.StringVar(&f.data, "data", "", "training text: a file, a folder or an http(s) URL, or a folder with train.bin and val.bin (default: the built-in synthetic corpus)")
	fs.StringVar(&f.preset, "preset", "tiny", "recipe: "+strings.Join(train.PresetNames(), ", "))
	fs.StringVar(&f.out, "out", "", "output folder (default: out/train-<date>-<time>)")
	fs.StringVar(&f.resume, "resume", "", "continue the run saved in this checkpoint")
	fs.StringVar(&f.cache, "cache", defaultCache(), "folder for downloaded corpora")
	fs.StringVar(&f.tok, "tokenizer", "char", "char (one token per character), bpe (byte-level BPE trained on the corpus), or a tokenizer file (.tiktoken, .model, .json)")
	fs.IntVar(&f.tokenBytes, "token_bytes", 2, "bytes per id in a token folder's train.bin and val.bin: 2 (uint16, nanoGPT's) or 4")
	fs.IntVar(&f.vocab, "vocab", 512, "vocabulary size for --tokenizer bpe")
	fs.IntVar(&f.samples, "samples", 3, "samples to print at the end")
	fs.IntVar(&f.sampleTokens, "sample_tokens", 200, "tokens per sample")
	f.recipeFlags(fs, "preset")
	if err := parseFlags(e, fs, "train", trainHelp, args); err != nil {
		return err
	}
	f.set = map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { f.set[fl.Name] = true })
	return trainCommand(e, &f)
}

// recipeFlags adds the model and optimizer flags, which override the
// recipe named by base ("preset").
func (f *trainFlags) recipeFlags(fs *flag.FlagSet, base string) {
	fs.BoolVar(&f.rope, "rope", false, "rotary positions (RoPE) instead of learned ones")
	c := &f.c
	fs.IntVar(&c.Model.NLayer, "n_layer", 0, "transformer layers")
	fs.IntVar(&c.Model.NHead, "n_head", 0, "attention heads")
	fs.IntVar(&c.Model.NEmbd, "n_embd", 0, "embedding width")
	fs.IntVar(&c.Model.BlockSize, "block_size", 0, "context length T")
	fs.Float64Var(&f.dropout, "dropout", 0, "dropout probability")
	fs.BoolVar(&f.bias, "bias", true, "biases in the Linear and LayerNorm layers (default: "+base+"; --bias=false as nanoGPT's default)")
	fs.IntVar(&c.BatchSize, "batch_size", 0, "sequences per micro-batch B")
	fs.IntVar(&c.Shards, "shards", 0, "split each micro-batch over this many model replicas running in parallel (0: one per core)")
	fs.IntVar(&c.GradAccum, "grad_accum", 0, "micro-batches per step")
	fs.IntVar(&c.MaxIters, "max_iters", 0, "training steps")
	fs.Float64Var(&c.LR, "lr", 0, "peak learning rate")
	fs.Float64Var(&c.MinLR, "min_lr", 0, "final learning rate of the cosine decay")
	fs.IntVar(&c.Warmup, "warmup_iters", 0, "linear warmup steps")
	fs.IntVar(&c.DecayIters, "lr_decay_iters", 0, "steps of cosine decay")
	fs.Float64Var(&c.WeightDecay, "weight_decay", 0, "AdamW weight decay (≥ 2-dim tensors)")
	fs.Float64Var(&c.Beta2, "beta2", 0, "AdamW beta2")
	fs.Float64Var(&c.GradClip, "grad_clip", 0, "clip the global gradient norm (0: "+base+")")
	fs.IntVar(&c.EvalInterval, "eval_interval", 0, "evaluate and checkpoint every this many steps")
	fs.IntVar(&c.EvalIters, "eval_iters", 0, "batches per evaluation")
	fs.Uint64Var(&c.Seed, "seed", 0, "random seed (0: "+base+")")
}

func defaultCache() string {
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "tapegrad")
	}
	return filepath.Join(os.TempDir(), "tapegrad-cache")
}

// config merges the preset with the flags that were set.
func (f *trainFlags) config() (train.Config, error) {
	base, ok := train.Presets[f.preset]
	if !ok {
		return train.Config{}, &usageError{cmd: "train", msg: fmt.Sprintf("unknown preset %q (have %s)", f.preset, strings.Join(train.PresetNames(), ", "))}
	}
	return f.override(base), nil
}

// override returns base with the model and optimizer flags that were set.
func (f *trainFlags) override(base train.Config) train.Config {
	o := f.c
	setI := func(name string, dst *int, v int) {
		if f.set[name] {
			*dst = v
		}
	}
	setF := func(name string, dst *float64, v float64) {
		if f.set[name] {
			*dst = v
		}
	}
	setI("n_layer", &base.Model.NLayer, o.Model.NLayer)
	setI("n_head", &base.Model.NHead, o.Model.NHead)
	setI("n_embd", &base.Model.NEmbd, o.Model.NEmbd)
	setI("block_size", &base.Model.BlockSize, o.Model.BlockSize)
	setI("batch_size", &base.BatchSize, o.BatchSize)
	setI("grad_accum", &base.GradAccum, o.GradAccum)
	setI("shards", &base.Shards, o.Shards)
	setI("max_iters", &base.MaxIters, o.MaxIters)
	setI("warmup_iters", &base.Warmup, o.Warmup)
	setI("lr_decay_iters", &base.DecayIters, o.DecayIters)
	setI("eval_interval", &base.EvalInterval, o.EvalInterval)
	setI("eval_iters", &base.EvalIters, o.EvalIters)
	setF("lr", &base.LR, o.LR)
	setF("min_lr", &base.MinLR, o.MinLR)
	setF("weight_decay", &base.WeightDecay, o.WeightDecay)
	setF("beta2", &base.Beta2, o.Beta2)
	setF("grad_clip", &base.GradClip, o.GradClip)
	if f.set["dropout"] {
		base.Model.Dropout = float32(f.dropout)
	}
	if f.set["bias"] {
		base.Model.Bias = f.bias
	}
	if f.set["seed"] {
		base.Seed = o.Seed
	}
	if f.rope {
		base.Model.RoPE = true
	}
	if base.MaxIters < base.EvalInterval {
		base.EvalInterval = max(1, base.MaxIters)
	}
	return base
}

func trainCommand(e *env, f *trainFlags) error {
	var ck *train.Checkpoint // the run to resume, if any
	var tok tokenizer.Tokenizer
	if f.resume != "" {
		var err error
		if ck, err = train.Load(f.resume); err != nil {
			return err
		}
		tok = ck.Tokenizer
	}
	tok, trainIDs, valIDs, about, err := f.splits(e, tok)
	if err != nil {
		return err
	}
	defer closeSource(trainIDs)
	defer closeSource(valIDs)
	var tr *train.Trainer
	if ck != nil {
		if tr, err = train.ResumeFrom(ck, trainIDs, valIDs); err != nil { // refuses a distillation run
			return err
		}
		if f.set["max_iters"] {
			tr.Config.MaxIters = f.c.MaxIters
		}
		if f.out == "" {
			f.out = filepath.Dir(f.resume)
		}
	} else {
		cfg, err := f.config()
		if err != nil {
			return err
		}
		if tr, err = train.New(cfg, tok, trainIDs, valIDs); err != nil {
			return err
		}
	}
	return trainAndReport(e, f, tr, tok, about)
}

// splits returns the training and validation ids of --data and a line that
// describes them: a token folder's files (see tokendata.go), or text encoded
// with tok — built from the flags when tok is nil — and split 90/10.
func (f *trainFlags) splits(e *env, tok tokenizer.Tokenizer) (_ tokenizer.Tokenizer, trainIDs, valIDs data.Source, about string, err error) {
	if isTokenDir(f.data) {
		if f.tokenBytes != 2 && f.tokenBytes != 4 {
			return nil, nil, nil, "", &usageError{cmd: "train", msg: fmt.Sprintf("--token_bytes %d (want 2 or 4)", f.tokenBytes)}
		}
		if tok == nil {
			if tok, err = tokenizerForDir(f.data, f.tok); err != nil {
				return nil, nil, nil, "", err
			}
		}
		tr, va, err := tokenSplits(f.data, f.tokenBytes, tok.VocabSize())
		if err != nil {
			return nil, nil, nil, "", err
		}
		return tok, tr, va, fmt.Sprintf("%s (%d + %d tokens of %d bytes, vocabulary %d)", f.data, tr.Len(), va.Len(), f.tokenBytes, tok.VocabSize()), nil
	}
	if err := checkNotTokenFile("train", f.data); err != nil {
		return nil, nil, nil, "", err
	}
	text, source, err := loadCorpus(f.data, f.cache)
	if err != nil {
		return nil, nil, nil, "", err
	}
	if tok == nil {
		if tok, err = buildTokenizer(e, f, text); err != nil {
			return nil, nil, nil, "", err
		}
	}
	tr, va, err := encodeSplits(tok, text)
	if err != nil {
		return nil, nil, nil, "", err
	}
	return tok, tr, va, fmt.Sprintf("%s (%d characters, vocabulary %d)", source, len(text), tok.VocabSize()), nil
}

// closeSource closes s if it holds a file.
func closeSource(s data.Source) {
	if c, ok := s.(interface{ Close() error }); ok {
		c.Close()
	}
}

// trainAndReport runs tr, printing what it trains (data describes the
// corpus) and, at the end, the val loss, the skill on the built-in corpus and
// samples.
func trainAndReport(e *env, f *trainFlags, tr *train.Trainer, tok tokenizer.Tokenizer, data string) error {
	if f.out == "" {
		f.out = filepath.Join("out", "train-"+time.Now().Format("20060102-150405"))
	}
	if err := os.MkdirAll(f.out, 0o755); err != nil {
		return err
	}
	ckpt := filepath.Join(f.out, "ckpt.safetensors")
	metricsPath := filepath.Join(f.out, "metrics.jsonl")
	plotPath := filepath.Join(f.out, "loss.png")
	c := tr.Config
	fmt.Fprintf(e.stdout, "data: %s\nmodel: %d parameters, %s\n", data, nn.NumParams(tr.Model), modelSummary(c.Model))
	shards := "one shard"
	if c.Shards > 1 {
		shards = fmt.Sprintf("%d shards running in parallel", c.Shards)
	}
	fmt.Fprintf(e.stdout, "batch: %d sequences of %d tokens a step, each micro-batch split into %s\noutput: %s\n",
		c.BatchSize*max(c.GradAccum, 1), c.Model.BlockSize, shards, f.out)

	if f.data == "" && f.resume == "" {
		right, total := measureSkill(tr.Model, tok, c.Seed)
		fmt.Fprintf(e.stdout, "skill before training: %d of %d held-out subjects completed into grammatical sentences\n", right, total)
	}
	if err := runTraining(e, tr, runOpts{cmd: "train", out: f.out, data: f.data, save: tr.Save}); err != nil {
		return err
	}
	vl, err := tr.Evaluate("val", c.EvalIters)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "val loss %.4f\n", vl)
	tr.Model.SetTraining(false)
	if f.data == "" {
		score, total := measureSkill(tr.Model, tok, c.Seed)
		fmt.Fprintf(e.stdout, "skill: %d of %d held-out subjects completed into grammatical sentences (%.0f%%; an untrained model: 0%%)\n", score, total, 100*float64(score)/float64(total))
	}
	for i := range f.samples {
		s, err := sampleText(tr.Model, tok, "\n", f.sampleTokens, nn.Sampling{Temperature: 0.8, TopK: 40, Seed: c.Seed + uint64(i)})
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "--- sample %d ---\n%s\n", i+1, s)
	}
	fmt.Fprintf(e.stdout, "wrote %s, %s, %s\n", ckpt, metricsPath, plotPath)
	return nil
}

// runOpts are what runTraining needs besides the trainer.
type runOpts struct {
	cmd  string                  // the command, for messages: "train"
	out  string                  // output folder
	data string                  // the --data flag, for the plot's title
	save func(path string) error // writes a resumable checkpoint
}

// runTraining trains tr to its MaxIters with progress on stderr, writing
// into o.out the metrics (metrics.jsonl), a checkpoint at every evaluation
// and at the end (ckpt.safetensors, through o.save) and the loss plot
// (loss.png). Ctrl-C saves and returns errInterrupted.
func runTraining(e *env, tr *train.Trainer, o runOpts) error {
	ckpt := filepath.Join(o.out, "ckpt.safetensors")
	metricsPath := filepath.Join(o.out, "metrics.jsonl")
	plotPath := filepath.Join(o.out, "loss.png")
	c := tr.Config
	metrics, err := train.CreateMetrics(metricsPath)
	if err != nil {
		return err
	}
	defer metrics.Close()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	prog := newProgress(e, tr.Step, c.MaxIters)
	hooks := train.Hooks{
		OnStep: func(r train.Record) error {
			prog.step(r)
			return metrics.Write(r)
		},
		OnEval: func(r train.Record) error {
			prog.log(fmt.Sprintf("step %d: train loss %.4f, val loss %.4f", r.Step, *r.EvalTrain, *r.EvalVal))
			return o.save(ckpt)
		},
	}
	start := time.Now()
	runErr := tr.Run(ctx, hooks)
	prog.finish()
	switch {
	case errors.Is(runErr, context.Canceled):
		if err := o.save(ckpt); err != nil {
			return fmt.Errorf("interrupted at step %d, and the checkpoint failed: %w", tr.Step, err)
		}
		fmt.Fprintf(e.stdout, "interrupted at step %d; checkpoint: %s\nresume with: tapegrad %s --resume %s\n", tr.Step, ckpt, o.cmd, ckpt)
		return errInterrupted
	case runErr != nil:
		return fmt.Errorf("%w (the last good checkpoint, if any, is %s)", runErr, ckpt)
	}
	if err := o.save(ckpt); err != nil {
		return err
	}
	title := "built-in synthetic corpus"
	if o.data != "" {
		title = filepath.Base(o.data)
	}
	if err := plotMetrics(metricsPath, plotPath, title+": "+modelSummary(c.Model)); err != nil {
		fmt.Fprintf(e.stderr, "tapegrad: %s: plot: %v\n", o.cmd, err)
	}
	fmt.Fprintf(e.stdout, "trained %d steps in %s\n", tr.Step, time.Since(start).Round(time.Second))
	return nil
}

// modelSummary describes a model's shape in a few words.
func modelSummary(c nn.Config) string {
	pos := "learned positions"
	if c.RoPE {
		pos = "RoPE"
	}
	return fmt.Sprintf("L=%d H=%d C=%d T=%d, %s", c.NLayer, c.NHead, c.NEmbd, c.BlockSize, pos)
}

// errInterrupted makes the command exit with status 130 after Ctrl-C.
var errInterrupted = errors.New("interrupted")

func loadCorpus(src, cache string) (text, name string, err error) {
	if src == "" {
		return data.Synthetic(1, 400_000), data.SyntheticDescription, nil
	}
	text, err = data.LoadText(src, cache)
	return text, src, err
}

func buildTokenizer(e *env, f *trainFlags, text string) (tokenizer.Tokenizer, error) {
	switch f.tok {
	case "char":
		return tokenizer.NewChar(text), nil
	case "bpe":
		fmt.Fprintf(e.stderr, "training a BPE tokenizer (vocabulary %d)...\n", f.vocab)
		return tokenizer.Train(text, tokenizer.TrainOptions{VocabSize: f.vocab, Pattern: tokenizer.GPT4})
	}
	if isTokenizerFile(f.tok) {
		return loadTokenizer(f.tok)
	}
	return nil, &usageError{cmd: "train", msg: fmt.Sprintf("unknown tokenizer %q (have char, bpe, or a .tiktoken, .model or .json file)", f.tok)}
}

// encodeSplits encodes text and splits it 90/10.
func encodeSplits(tok tokenizer.Tokenizer, text string) (trainIDs, valIDs data.Ints, err error) {
	ids, err := tok.Encode(text)
	if err != nil {
		return nil, nil, fmt.Errorf("encoding the corpus: %w", err)
	}
	tr, va := data.Split(ids, 0.9)
	return data.Ints(tr), data.Ints(va), nil
}

func plotMetrics(metricsPath, plotPath, title string) error {
	f, err := os.Open(metricsPath)
	if err != nil {
		return err
	}
	defer f.Close()
	recs, err := train.ReadMetrics(f)
	if err != nil {
		return err
	}
	return train.PlotLoss(plotPath, recs, title)
}

// sampleText generates n tokens after prompt and returns prompt + them.
func sampleText(g *nn.GPT, tok tokenizer.Tokenizer, prompt string, n int, s nn.Sampling) (string, error) {
	ids, err := tok.Encode(prompt)
	if err != nil {
		return "", err
	}
	out, err := g.Generate(ids, n, s)
	if err != nil {
		return "", err
	}
	text, err := tok.Decode(append(ids, out...))
	return text, err
}

// measureSkill asks the model the held-out prompts of the synthetic corpus,
// each at the start of a line, and counts right answers (greedy decoding up
// to a newline).
func measureSkill(g *nn.GPT, tok tokenizer.Tokenizer, seed uint64) (right, total int) {
	nl, _ := tok.Encode("\n")
	for _, p := range data.SkillPrompts(seed, 100) {
		ids, err := tok.Encode("\n" + p)
		if err != nil {
			continue
		}
		total++
		var got []int
		g.Generate(ids, 48, nn.Sampling{OnToken: func(id int) bool {
			if len(nl) == 1 && id == nl[0] {
				return false
			}
			got = append(got, id)
			return true
		}})
		completion, _ := tok.Decode(got)
		if data.ScoreSkill(p, completion) {
			right++
		}
	}
	return right, max(total, 1)
}

// progress shows training progress on stderr: a bar with ETA when stderr is
// a terminal, plain log lines every few steps otherwise.
type progress struct {
	e     *env
	bar   *progressbar.ProgressBar
	every int
}

func newProgress(e *env, done, total int) *progress {
	p := &progress{e: e, every: max(1, total/20)}
	if isTerminal(e.stderr) {
		p.bar = progressbar.NewOptions(total,
			progressbar.OptionSetWriter(e.stderr),
			progressbar.OptionSetDescription("training"),
			progressbar.OptionShowCount(),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionClearOnFinish())
		p.bar.Set(done)
	}
	return p
}

func (p *progress) step(r train.Record) {
	if p.bar != nil {
		p.bar.Describe(fmt.Sprintf("loss %.4f", r.TrainLoss))
		p.bar.Set(r.Step)
		return
	}
	if r.Step%p.every == 0 {
		fmt.Fprintf(p.e.stderr, "step %d: loss %.4f, lr %.2e, %.0f ms, %.0f tokens/s\n", r.Step, r.TrainLoss, r.LR, r.MS, r.TokensPerS)
	}
}

func (p *progress) log(line string) {
	if p.bar != nil {
		p.bar.Clear()
	}
	fmt.Fprintln(p.e.stderr, line)
}

func (p *progress) finish() {
	if p.bar != nil {
		p.bar.Finish()
	}
}

func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
