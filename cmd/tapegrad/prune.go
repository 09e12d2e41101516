package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/tapegrad/tapegrad/compress"
	"github.com/tapegrad/tapegrad/data"
	"github.com/tapegrad/tapegrad/nn"
	"github.com/tapegrad/tapegrad/tensor"
	"github.com/tapegrad/tapegrad/train"
)

var pruneHelp = help{
	usage: "tapegrad prune --checkpoint FILE --data FILE|DIR|URL --method magnitude|wanda|heads|neurons|none --amount F --out FILE [flags]",
	about: `
Prune a checkpoint's model, optionally fine-tune it, and write the result as a
model-only checkpoint that sample, eval and quantize read.

  magnitude  zero the weights of smallest |w|: --amount of each matrix, or of
             all of them together with --global
  wanda      zero, in each output row, the weights of smallest |w|·‖x‖ (Sun et
             al. 2023), ‖x‖ the norm of the input feature over --calib batches
  heads      remove --amount of all attention heads, those whose gate
             gradient |∂L/∂g| (Michel et al. 2019) is smallest, each layer
             keeping one: a genuinely smaller and faster model
  neurons    remove --amount of the MLP hidden units the same way
  none       prune nothing, only fine-tune: the control that separates what
             pruning costs from what the extra training steps gain

magnitude and wanda prune the 2-D weights of the blocks (attn.c_attn,
attn.c_proj, mlp.c_fc, mlp.c_proj); embeddings, LayerNorms and biases stay
dense. The pruned matrices are written compactly (a bitmask or CSR, whichever
is smaller; as quantize --scheme f32 does), which sample, eval, quantize and
export read; export --format safetensors writes the dense float32 model that
PyTorch loads. While fine-tuning, the
pruned weights stay zero. With --gradual they are pruned step by step during
fine-tuning on Zhu & Gupta's cubic schedule, s_t = s(1 − (1 − t/n)³), every
n/10 steps over the first two thirds (n) of the --finetune steps.

The command prints the parameters (nonzero and total), the file size and the
val loss (--eval-iters batches, the same ones each time) before pruning, after
it, and after fine-tuning; with --time N, the median time of a training step of
the original and of the pruned model, N steps each, alternating.`,
	examples: `
tapegrad prune --checkpoint ckpt.safetensors --data ../shared/data/tinyshakespeare.txt --method magnitude --amount 0.5 --finetune 200 --out pruned.safetensors
tapegrad prune --checkpoint ckpt.safetensors --data ../shared/data/tinyshakespeare.txt --method heads --amount 0.25 --finetune 200 --time 20 --out heads.safetensors
tapegrad prune --checkpoint ckpt.safetensors --data ../shared/data/tinyshakespeare.txt --method wanda --amount 0.6 --gradual --finetune 300 --out wanda.safetensors`,
}

// pruneFlags are prune's options.
type pruneFlags struct {
	path, out, src, method, cache     string
	amount, lr                        float64
	global, gradual                   bool
	finetune, evalIters, calib, batch int
	timeSteps                         int
	seed                              uint64
}

func runPrune(e *env, args []string) error {
	var f pruneFlags
	fs := newFlagSet("prune")
	fs.StringVar(&f.path, "checkpoint", "", "checkpoint to prune (required)")
	fs.StringVar(&f.src, "data", "", "corpus for calibration, fine-tuning and the val loss: a file, a folder or an http(s) URL (required)")
	fs.StringVar(&f.method, "method", "", "magnitude, wanda, heads, neurons, or none (fine-tune only: the control for the others) (required)")
	fs.Float64Var(&f.amount, "amount", 0.5, "fraction of the weights (magnitude, wanda), heads or MLP units to prune, in (0, 1)")
	fs.BoolVar(&f.global, "global", false, "magnitude: rank the weights of all matrices together")
	fs.BoolVar(&f.gradual, "gradual", false, "magnitude, wanda: prune gradually during fine-tuning (needs --finetune)")
	fs.IntVar(&f.finetune, "finetune", 0, "fine-tuning steps after pruning")
	fs.Float64Var(&f.lr, "lr", 0, "peak learning rate of fine-tuning, cosine to a tenth (default: the checkpoint's min_lr ×3)")
	fs.StringVar(&f.out, "out", "", "checkpoint to write (required)")
	fs.IntVar(&f.evalIters, "eval-iters", 200, "val batches for the loss")
	fs.IntVar(&f.calib, "calib", 16, "training batches for the importance scores and Wanda's norms")
	fs.IntVar(&f.batch, "batch_size", 0, "sequences per batch (default: the checkpoint's)")
	fs.IntVar(&f.timeSteps, "time", 0, "time this many training steps of the original and of the pruned model (0: none)")
	fs.Uint64Var(&f.seed, "seed", 1, "seed of the evaluation and calibration batches")
	fs.StringVar(&f.cache, "cache", defaultCache(), "folder for downloaded corpora")
	if err := parseFlags(e, fs, "prune", pruneHelp, args); err != nil {
		return err
	}
	usage := func(format string, args ...any) error {
		return &usageError{cmd: "prune", msg: fmt.Sprintf(format, args...)}
	}
	structured := f.method == "heads" || f.method == "neurons"
	switch {
	case f.path == "":
		return usage("--checkpoint is required")
	case f.src == "":
		return usage("--data is required (calibration, fine-tuning and the val loss need a corpus)")
	case f.out == "":
		return usage("--out is required")
	case f.method == "":
		return usage("--method is required (magnitude, wanda, heads, neurons or none)")
	case !slices.Contains([]string{"magnitude", "wanda", "heads", "neurons", "none"}, f.method):
		return usage("--method %q (want magnitude, wanda, heads, neurons or none)", f.method)
	case f.method == "none" && (f.global || f.gradual || f.finetune < 1):
		return usage("--method none prunes nothing: it takes --finetune steps, without --global or --gradual")
	case !(f.amount > 0 && f.amount < 1):
		return usage("--amount %v is not in (0, 1)", f.amount)
	case f.global && f.method != "magnitude":
		return usage("--global applies to --method magnitude only (wanda prunes each row; heads and neurons are always ranked across layers)")
	case f.gradual && structured:
		return usage("--gradual applies to magnitude and wanda, not to %s", f.method)
	case f.gradual && f.finetune < 1:
		return usage("--gradual prunes during fine-tuning: give --finetune steps")
	case f.finetune < 0 || f.evalIters < 1 || f.calib < 1 || f.timeSteps < 0 || f.lr < 0:
		return usage("--finetune, --time and --lr must be ≥ 0, --eval-iters and --calib ≥ 1")
	case fs.NArg() > 0:
		return usage("unexpected argument %q", fs.Arg(0))
	}
	if abs(f.path) == abs(f.out) {
		return usage("--out must differ from --checkpoint")
	}
	return prune(e, &f)
}

// stage is one row of prune's table.
type stage struct {
	name           string
	nonzero, total int
	bytes          int64
	loss           float64
}

func prune(e *env, f *pruneFlags) error {
	ck, err := train.Load(f.path)
	if err != nil {
		return err
	}
	text, _, err := loadCorpus(f.src, f.cache)
	if err != nil {
		return err
	}
	trainIDs, valIDs, err := encodeSplits(ck.Tokenizer, text)
	if err != nil {
		return err
	}
	b := f.batch
	if b == 0 {
		b = max(ck.Config.BatchSize, 1)
	}
	dir := filepath.Dir(f.out)
	measure := func(name string, g *nn.GPT) (stage, error) {
		s := stage{name: name, total: nn.NumParams(g), nonzero: nn.NumNonzero(g)}
		var err error
		if s.bytes, err = savedSize(dir, ck, g); err != nil {
			return s, err
		}
		s.loss, err = train.EvalLoss(g, valIDs, b, f.evalIters, f.seed)
		return s, err
	}
	var stages []stage
	before, err := measure("before", ck.Model)
	if err != nil {
		return err
	}
	stages = append(stages, before)

	original := ck.Model
	model := original
	var masks map[string]*tensor.Tensor
	var norms map[string][]float64
	var removed [][]int
	calib := func() ([]compress.Batch, error) {
		return calibration(trainIDs, f.calib, b, original.Config.BlockSize, f.seed)
	}
	switch f.method {
	case "heads", "neurons":
		batches, err := calib()
		if err != nil {
			return err
		}
		model = cloneModel(original)
		if f.method == "heads" {
			model, removed, err = compress.PruneHeads(model, compress.HeadImportance(model, batches), compress.Fraction(f.amount))
		} else {
			model, removed, err = compress.PruneNeurons(model, compress.NeuronImportance(model, batches), compress.Fraction(f.amount))
		}
		if err != nil {
			return err
		}
	case "wanda":
		batches, err := calib()
		if err != nil {
			return err
		}
		norms = compress.InputNorms(original, batches)
		fallthrough
	case "none": // the control: the same fine-tuning, nothing pruned
		model = cloneModel(original)
	default:
		model = cloneModel(original)
		if !f.gradual {
			if masks, err = pruneMasks(model, f, norms, f.amount); err != nil {
				return err
			}
			applyMasks(model, masks)
		}
	}
	if !f.gradual && f.method != "none" {
		s, err := measure("pruned", model)
		if err != nil {
			return err
		}
		stages = append(stages, s)
	}

	if f.finetune > 0 {
		cfg := ck.Config
		lr := f.lr
		if lr == 0 {
			lr = 3 * cfg.MinLR
		}
		if lr == 0 {
			lr = cfg.LR / 3
		}
		cfg.MaxIters, cfg.LR, cfg.MinLR = f.finetune, lr, lr/10
		cfg.Warmup, cfg.DecayIters, cfg.Shards = min(f.finetune/10, 20), f.finetune, 0
		cfg.BatchSize = b
		tr, err := train.NewFromModel(cfg, model, ck.Tokenizer, trainIDs, valIDs)
		if err != nil {
			return err
		}
		if err := tr.SetMasks(masks); err != nil {
			return err
		}
		sched := compress.Cubic{Final: f.amount, Steps: f.finetune * 2 / 3}
		sched.Every = max(sched.Steps/10, 1)
		for tr.Step < f.finetune {
			if f.gradual && sched.Due(tr.Step) {
				if s := sched.Sparsity(tr.Step); s > 0 {
					if masks, err = pruneMasks(model, f, norms, s); err != nil {
						return err
					}
					if err := tr.SetMasks(masks); err != nil {
						return err
					}
				}
			}
			rec, err := tr.TrainStep()
			if err != nil {
				return err
			}
			if tr.Step%max(f.finetune/10, 1) == 0 {
				e.progress("fine-tune step %d/%d: loss %.4f, %.0f ms", tr.Step, f.finetune, rec.TrainLoss, rec.MS)
			}
		}
		model.SetTraining(false)
		s, err := measure("fine-tuned", model)
		if err != nil {
			return err
		}
		stages = append(stages, s)
	}
	if err := train.SaveQuantized(f.out, ck.Config, model, ck.Tokenizer, train.F32); err != nil {
		return err
	}

	how := f.method
	if f.global {
		how += ", global"
	}
	if f.gradual {
		how += ", gradual"
	}
	if f.method != "none" {
		how += fmt.Sprintf(", amount %v", f.amount)
	}
	fmt.Fprintf(e.stdout, "pruned %s to %s (%s, %d fine-tuning steps)\n", f.path, f.out, how, f.finetune)
	switch {
	case f.method == "heads":
		fmt.Fprintf(e.stdout, "removed heads %v (per layer); layers now %s\n", removed, layerShape(model.Config))
	case removed != nil:
		counts := make([]int, len(removed))
		for l, r := range removed {
			counts[l] = len(r)
		}
		fmt.Fprintf(e.stdout, "removed %v MLP units (per layer); layers now %s\n", counts, layerShape(model.Config))
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "stage\tnonzero\tparams\tfile MB\tval loss\tΔ val")
	for _, s := range stages {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.3f\t%.4f\t%+.4f\n", s.name, s.nonzero, s.total, float64(s.bytes)/1e6, s.loss, s.loss-before.loss)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "val loss on %d batches of %d (seed %d)\n", f.evalIters, b, f.seed)
	if f.timeSteps > 0 {
		a, p, err := timeSteps(ck.Config, original, model, ck, trainIDs, valIDs, b, f.timeSteps)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "step time   %.1f ms → %.1f ms (%.2f× faster; medians of %d steps each, alternating)\n", a, p, a/p, f.timeSteps)
	}
	return nil
}

// pruneMasks returns magnitude or Wanda masks of model at sparsity s.
func pruneMasks(model *nn.GPT, f *pruneFlags, norms map[string][]float64, s float64) (map[string]*tensor.Tensor, error) {
	if f.method == "wanda" {
		return compress.WandaMasks(model, norms, s)
	}
	return compress.MagnitudeMasks(model, s, f.global)
}

func applyMasks(g *nn.GPT, masks map[string]*tensor.Tensor) {
	for _, p := range g.Params() {
		if m := masks[p.Name]; m != nil {
			p.Value.Data.Mul(p.Value.Data, m)
		}
	}
}

// calibration returns n batches of b blocks of t tokens from ids.
func calibration(ids data.Source, n, b, t int, seed uint64) ([]compress.Batch, error) {
	s, err := data.NewSampler(ids, seed^0xca11b)
	if err != nil {
		return nil, err
	}
	t = min(t, ids.Len()-2)
	var batches []compress.Batch
	for range n {
		x, y := make([]int, b*t), make([]int, b*t)
		if err := s.Batch(b, t, x, y); err != nil {
			return nil, err
		}
		batches = append(batches, compress.Batch{X: x, Y: y, B: b, T: t})
	}
	return batches, nil
}

// cloneModel returns a copy of g with its own tensors.
func cloneModel(g *nn.GPT) *nn.GPT {
	c, err := nn.NewGPT(g.Config, 0)
	if err != nil {
		panic(err) // g was built from this configuration
	}
	if err := nn.LoadStateDict(c, nn.StateDict(g)); err != nil {
		panic(err)
	}
	return c
}

// savedSize returns the size of g saved as prune saves it (zeros compact), written
// in dir and removed.
func savedSize(dir string, ck *train.Checkpoint, g *nn.GPT) (int64, error) {
	f, err := os.CreateTemp(dir, ".tapegrad-prune-*.safetensors")
	if err != nil {
		return 0, err
	}
	f.Close()
	defer os.Remove(f.Name())
	if err := train.SaveQuantized(f.Name(), ck.Config, g, ck.Tokenizer, train.F32); err != nil {
		return 0, err
	}
	return fileSize(f.Name())
}

// layerShape describes each layer's heads and MLP width.
func layerShape(c nn.Config) string {
	var parts []string
	for i := range c.NLayer {
		parts = append(parts, fmt.Sprintf("%dh/%d", c.Heads(i), c.MLPWidth(i)))
	}
	return strings.Join(parts, " ") + " (heads/MLP width)"
}

// timeSteps times n training steps of copies of a and p, alternating, and
// returns the median milliseconds of each.
func timeSteps(cfg train.Config, a, p *nn.GPT, ck *train.Checkpoint, trainIDs, valIDs data.Source, b, n int) (ma, mp float64, err error) {
	cfg.BatchSize, cfg.MaxIters, cfg.Shards = b, n, 0
	var trs [2]*train.Trainer
	for i, g := range []*nn.GPT{a, p} {
		if trs[i], err = train.NewFromModel(cfg, cloneModel(g), ck.Tokenizer, trainIDs, valIDs); err != nil {
			return 0, 0, err
		}
		if _, err := trs[i].TrainStep(); err != nil { // warm up: shards, pools
			return 0, 0, err
		}
	}
	var ms [2][]float64
	for range n {
		for i, tr := range trs {
			start := time.Now()
			if _, err := tr.TrainStep(); err != nil {
				return 0, 0, err
			}
			ms[i] = append(ms[i], float64(time.Since(start).Microseconds())/1000)
		}
	}
	return median(ms[0]), median(ms[1]), nil
}

func median(x []float64) float64 {
	s := slices.Clone(x)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
