package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/tapegrad/tapegrad/nn"
	"github.com/tapegrad/tapegrad/tokenizer"
	"github.com/tapegrad/tapegrad/train"
)

var distillHelp = help{
	usage: "tapegrad distill --teacher FILE --data FILE|DIR|URL [flags]",
	about: `
Train a smaller student GPT to imitate a teacher checkpoint (Hinton's
knowledge distillation). The loss of a batch is

  alpha·T²·KL(teacher ‖ student, both softened at temperature T) + (1 − alpha)·CE

with the teacher's logits computed on the same batch without gradients
(--alpha 0 is plain training).

The student uses the teacher's tokenizer and its config, overridden by the
model flags (--n_layer, --n_head, --n_embd, --block_size ≤ the teacher's,
--dropout); it trains with the teacher's recipe (batch size, learning-rate
schedule, AdamW, seed), overridden by the optimizer flags; --iters sets the
number of steps (default: the teacher's max_iters). The student starts as
train would start it from the same seed, or, with --init-layers, as a copy
of the teacher's embeddings, final LayerNorm and the listed blocks (0-based,
one per student layer; the student then needs the teacher's n_embd and
n_head).

Progress, the metrics file, the loss plot and the checkpoints are train's;
a step's loss is the distillation loss above, the evaluations' train and val
losses are cross-entropy, comparable with train's.
The checkpoint records the teacher (absolute path and SHA-256), T and alpha:
--resume continues the distillation (--teacher overrides the path if the
file moved; its bytes must not have changed), while train --resume refuses
it. The output folder also gets model.safetensors, the student alone, which
sample, eval, quantize and export read. At the end the command prints the
parameters, the size of the float32 model file and the val loss (over
--val_iters batches, with eval's sampler) of teacher and student.`,
	examples: `
tapegrad distill --teacher out/shk/ckpt.safetensors --data ../shared/data/tinyshakespeare.txt --n_layer 4 --n_embd 64 --iters 2000
tapegrad distill --teacher out/shk/ckpt.safetensors --data ../shared/data/tinyshakespeare.txt --n_layer 2 --init-layers 0,3 --temperature 4 --alpha 0.9
tapegrad distill --resume out/distill-20261204-213000/ckpt.safetensors --data ../shared/data/tinyshakespeare.txt --iters 4000`,
}

func runDistill(e *env, args []string) error {
	var (
		f                  trainFlags
		teacher, layers    string
		temperature, alpha float64
		iters, valIters    int
	)
	fs := newFlagSet("distill")
	fs.StringVar(&teacher, "teacher", "", "the teacher's checkpoint (required, except with --resume)")
	fs.StringVar(&f.data, "data", "", "training text: a file, a folder or an http(s) URL (default: the built-in synthetic corpus)")
	fs.StringVar(&f.out, "out", "", "output folder (default: out/distill-<date>-<time>)")
	fs.StringVar(&f.resume, "resume", "", "continue the distillation run saved in this checkpoint")
	fs.StringVar(&f.cache, "cache", defaultCache(), "folder for downloaded corpora")
	fs.Float64Var(&temperature, "temperature", 2, "softmax temperature T of the soft targets (> 0)")
	fs.Float64Var(&alpha, "alpha", 0.5, "weight of the soft term, in [0, 1]; 1 − alpha weighs the cross-entropy")
	fs.StringVar(&layers, "init-layers", "", "initialise the student from these teacher blocks, e.g. 0,3 (default: a fresh student)")
	fs.IntVar(&iters, "iters", 0, "training steps (the same as --max_iters)")
	fs.IntVar(&valIters, "val_iters", 200, "val batches for the final teacher → student comparison")
	f.recipeFlags(fs, "the teacher's")
	if err := parseFlags(e, fs, "distill", distillHelp, args); err != nil {
		return err
	}
	f.set = map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { f.set[fl.Name] = true })
	usage := func(format string, args ...any) error {
		return &usageError{cmd: "distill", msg: fmt.Sprintf(format, args...)}
	}
	if f.set["iters"] {
		if f.set["max_iters"] && f.c.MaxIters != iters {
			return usage("--iters %d and --max_iters %d disagree", iters, f.c.MaxIters)
		}
		f.c.MaxIters, f.set["max_iters"] = iters, true
	}
	var initLayers []int
	switch {
	case teacher == "" && f.resume == "":
		return usage("--teacher is required")
	case fs.NArg() > 0:
		return usage("unexpected argument %q", fs.Arg(0))
	case !(temperature > 0) || temperature > 1e6:
		return usage("--temperature %v (want a positive number)", temperature)
	case !(alpha >= 0 && alpha <= 1):
		return usage("--alpha %v (want 0 ≤ alpha ≤ 1)", alpha)
	case valIters < 1:
		return usage("--val_iters %d (want at least 1)", valIters)
	case f.c.MaxIters < 0:
		return usage("--iters %d (want at least 0)", f.c.MaxIters)
	case f.resume != "":
		for _, name := range []string{"temperature", "alpha", "init-layers", "n_layer", "n_head", "n_embd", "block_size", "dropout", "rope"} {
			if f.set[name] {
				return usage("--%s cannot change a run being resumed (the checkpoint fixes it)", name)
			}
		}
	}
	if layers != "" {
		var err error
		if initLayers, err = parseIntsFrom(layers, 0); err != nil {
			return usage("--init-layers: %v", err)
		}
	}
	return distillCommand(e, &f, teacher, float32(temperature), float32(alpha), initLayers, valIters)
}

func distillCommand(e *env, f *trainFlags, teacherPath string, temperature, alpha float32, layers []int, valIters int) error {
	text, source, err := loadCorpus(f.data, f.cache)
	if err != nil {
		return err
	}
	var (
		ds  *train.Distiller
		tck *train.Checkpoint // the teacher
		tok tokenizer.Tokenizer
	)
	if f.resume != "" {
		ck, err := train.Load(f.resume)
		if err != nil {
			return err
		}
		tok = ck.Tokenizer
		trainIDs, valIDs, err := encodeSplits(tok, text)
		if err != nil {
			return err
		}
		if ds, err = train.ResumeDistiller(f.resume, teacherPath, trainIDs, valIDs); err != nil {
			return err
		}
		if f.set["max_iters"] {
			ds.Config.MaxIters = f.c.MaxIters
		}
		if tck, err = train.Load(ds.Distillation.Teacher); err != nil {
			return err
		}
		if f.out == "" {
			f.out = filepath.Dir(f.resume)
		}
	} else {
		var d train.Distillation
		if tck, d, err = train.LoadTeacher(teacherPath, temperature, alpha); err != nil {
			return err
		}
		tok = tck.Tokenizer
		cfg := f.override(tck.Config)
		cfg.Shards = 0 // this machine's, as train's
		if f.set["n_layer"] || f.set["n_head"] || f.set["n_embd"] {
			cfg.Model.LayerHeads, cfg.Model.LayerMLP = nil, nil // a pruned teacher's layer sizes
		}
		if err := cfg.Validate(); err != nil {
			return err
		}
		if err := train.CheckTeacher(tck.Model.Config, cfg.Model); err != nil {
			return err
		}
		var student *nn.GPT
		if layers != nil {
			student, err = train.StudentFromTeacher(tck.Model, cfg.Model, layers, cfg.Seed)
		} else {
			student, err = nn.NewGPT(cfg.Model, cfg.Seed)
		}
		if err != nil {
			return err
		}
		trainIDs, valIDs, err := encodeSplits(tok, text)
		if err != nil {
			return err
		}
		if ds, err = train.NewDistiller(cfg, student, tok, trainIDs, valIDs, tck.Model, d); err != nil {
			return err
		}
	}
	if f.out == "" {
		f.out = filepath.Join("out", "distill-"+time.Now().Format("20060102-150405"))
	}
	if err := os.MkdirAll(f.out, 0o755); err != nil {
		return err
	}
	c, d := ds.Config, ds.Distillation
	start := "fresh"
	if layers != nil {
		start = fmt.Sprintf("from teacher layers %v", layers)
	}
	if f.resume != "" {
		start = fmt.Sprintf("resumed at step %d", ds.Step)
	}
	fmt.Fprintf(e.stdout, "data: %s (%d characters, vocabulary %d)\nteacher: %s, %d parameters, %s\nstudent: %d parameters, %s, %s\ndistillation: temperature %g, alpha %g\noutput: %s\n",
		source, len(text), tok.VocabSize(), d.Teacher, nn.NumParams(ds.Teacher), modelSummary(ds.Teacher.Config),
		nn.NumParams(ds.Model), modelSummary(c.Model), start, d.Temperature, d.Alpha, f.out)
	if err := runTraining(e, ds.Trainer, runOpts{cmd: "distill", out: f.out, data: f.data, save: ds.Save}); err != nil {
		return err
	}
	modelPath := filepath.Join(f.out, "model.safetensors")
	if err := train.SaveModel(modelPath, c, ds.Model, tok); err != nil {
		return err
	}
	teacherSize, err := modelSize(modelPath, tck)
	if err != nil {
		return err
	}
	studentSize, err := fileSize(modelPath)
	if err != nil {
		return err
	}
	_, valIDs, err := encodeSplits(tok, text)
	if err != nil {
		return err
	}
	before, err := train.EvalLoss(ds.Teacher, valIDs, c.BatchSize, valIters, 1)
	if err != nil {
		return err
	}
	after, err := train.EvalLoss(ds.Model, valIDs, c.BatchSize, valIters, 1)
	if err != nil {
		return err
	}
	tp, sp := nn.NumParams(ds.Teacher), nn.NumParams(ds.Model)
	fmt.Fprintf(e.stdout, "teacher → student\n")
	fmt.Fprintf(e.stdout, "parameters  %d → %d (%.2f× fewer)\n", tp, sp, float64(tp)/float64(sp))
	fmt.Fprintf(e.stdout, "file size   %s → %s (float32 model alone)\n", megabytes(teacherSize), megabytes(studentSize))
	fmt.Fprintf(e.stdout, "val loss    %.4f → %.4f (Δ %+.4f, %d batches)\n", before, after, after-before, valIters)
	fmt.Fprintf(e.stdout, "wrote %s, %s, %s, %s\n", filepath.Join(f.out, "ckpt.safetensors"), modelPath,
		filepath.Join(f.out, "metrics.jsonl"), filepath.Join(f.out, "loss.png"))
	return nil
}
