package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/tapegrad/tapegrad/nn"
	"github.com/tapegrad/tapegrad/tensor/safetensors"
	"github.com/tapegrad/tapegrad/train"
)

var quantizeHelp = help{
	usage: "tapegrad quantize --checkpoint FILE --scheme f32|int8|q8_0|q4_0 --out FILE [flags]",
	about: `
Write a model-only copy of a checkpoint whose weight matrices (the Linear
weights and the embeddings) are quantized by row, and whose pruned matrices
(mostly zeros, as tapegrad prune leaves them) are stored compactly. sample
and eval read the result directly.

  f32   no quantization: float32, pruned matrices stored compactly
  int8  int8 per output row, symmetric, one fp16 scale a row; biases and
        LayerNorm vectors int8 with one scale each; pruned matrices compactly
        (~3.9x smaller, ~6x at half the weights pruned)
  q8_0  llama.cpp's Q8_0 blocks: 32 int8 and an fp16 scale in 34 bytes
  q4_0  llama.cpp's Q4_0 blocks: 32 4-bit values and an fp16 scale in 18 bytes

A compact matrix is a bitmask (a bit a value) or compressed sparse rows,
with its nonzero values, whichever makes the smaller file; a matrix with few
zeros stays dense. With q8_0 and q4_0, blocks stay dense, vectors stay
float32, and a matrix whose rows are not a multiple of 32 values long stays
float32. The command prints the number of parameters (nonzero of total,
before and after: int8 also rounds the smallest weights to zero), how many
matrices are stored compactly, and the file sizes
(the float32 model alone, without the optimizer state a training checkpoint
also holds, gives the honest ratio); with --data, also the val loss of the
checkpoint before and of the quantized file after, on the same --iters
batches.`,
	examples: `
tapegrad quantize --checkpoint ckpt.safetensors --scheme int8 --out ckpt-int8.safetensors
tapegrad quantize --checkpoint ckpt.safetensors --scheme q4_0 --out ckpt-q4.safetensors --data ../shared/data/tinyshakespeare.txt --iters 200
tapegrad eval --checkpoint ckpt-q4.safetensors --data ../shared/data/tinyshakespeare.txt`,
}

func runQuantize(e *env, args []string) error {
	var (
		path, out, scheme string
		v                 valLoss
	)
	fs := newFlagSet("quantize")
	fs.StringVar(&path, "checkpoint", "", "checkpoint to quantize (required)")
	fs.StringVar(&scheme, "scheme", "", "f32, int8, q8_0 or q4_0 (required)")
	fs.StringVar(&out, "out", "", "quantized checkpoint to write (required)")
	v.addFlags(fs)
	if err := parseFlags(e, fs, "quantize", quantizeHelp, args); err != nil {
		return err
	}
	switch {
	case path == "":
		return &usageError{cmd: "quantize", msg: "--checkpoint is required"}
	case out == "":
		return &usageError{cmd: "quantize", msg: "--out is required"}
	case scheme == "":
		return &usageError{cmd: "quantize", msg: "--scheme is required (f32, int8, q8_0 or q4_0)"}
	case scheme != train.F32 && scheme != train.Int8 && scheme != train.Q8_0 && scheme != train.Q4_0:
		return &usageError{cmd: "quantize", msg: fmt.Sprintf("--scheme %q (want f32, int8, q8_0 or q4_0)", scheme)}
	case fs.NArg() > 0:
		return &usageError{cmd: "quantize", msg: fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	case v.iters < 1:
		return &usageError{cmd: "quantize", msg: fmt.Sprintf("--iters %d (want at least 1)", v.iters)}
	}
	if abs(path) == abs(out) {
		return &usageError{cmd: "quantize", msg: "--out must differ from --checkpoint"}
	}
	ck, err := train.Load(path)
	if err != nil {
		return err
	}
	if err := v.loadText(); err != nil { // before writing anything
		return err
	}
	if err := train.SaveQuantized(out, ck.Config, ck.Model, ck.Tokenizer, scheme); err != nil {
		return err
	}
	floatSize, err := modelSize(out, ck)
	if err != nil {
		return err
	}
	inSize, err := fileSize(path)
	if err != nil {
		return err
	}
	outSize, err := fileSize(out)
	if err != nil {
		return err
	}
	q, err := train.Load(out)
	if err != nil {
		return err
	}
	compact, matrices, err := compactMatrices(out)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "quantized %s to %s (%s)\n", path, out, scheme)
	total, nzIn, nzOut := nn.NumParams(ck.Model), nn.NumNonzero(ck.Model), nn.NumNonzero(q.Model)
	fmt.Fprintf(e.stdout, "parameters  %d, nonzero %d → %d (%.1f%% → %.1f%%)\n", total, nzIn, nzOut,
		100*float64(nzIn)/float64(max(total, 1)), 100*float64(nzOut)/float64(max(total, 1)))
	fmt.Fprintf(e.stdout, "compact     %d of %d matrices\n", compact, matrices)
	fmt.Fprintf(e.stdout, "file size   %s → %s (%.2f× smaller)\n", megabytes(inSize), megabytes(outSize), float64(inSize)/float64(outSize))
	if inSize != floatSize {
		fmt.Fprintf(e.stdout, "            the float32 model alone is %s: %.2f× smaller than that\n", megabytes(floatSize), float64(floatSize)/float64(outSize))
	}
	if v.src == "" {
		return nil
	}
	before, after, err := v.beforeAfter(ck, q.Model)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "val loss    %.4f → %.4f (Δ %+.4f, %d batches)\n", before, after, after-before, v.iters)
	return nil
}

// valLoss is the --data, --iters, --batch_size, --seed and --cache flags of
// the commands that compare the val loss of a checkpoint before and of the
// file they write after (quantize, export), and the corpus text once read.
type valLoss struct {
	src, cache   string
	iters, batch int
	seed         uint64
	text         string
}

func (v *valLoss) addFlags(fs *flag.FlagSet) {
	fs.StringVar(&v.src, "data", "", "corpus for the val loss before and after: a file, a folder or an http(s) URL (default: sizes only)")
	fs.IntVar(&v.iters, "iters", 50, "val batches for the loss")
	fs.IntVar(&v.batch, "batch_size", 0, "sequences per batch (default: the checkpoint's)")
	fs.Uint64Var(&v.seed, "seed", 1, "seed of the batch sampler")
	fs.StringVar(&v.cache, "cache", defaultCache(), "folder for downloaded corpora")
}

// loadText reads the --data corpus, if any.
func (v *valLoss) loadText() (err error) {
	if v.src != "" {
		v.text, _, err = loadCorpus(v.src, v.cache)
	}
	return err
}

// beforeAfter returns the val loss of ck's model and of other on the same
// --iters batches of the text's validation split (--batch_size sequences
// each; 0 means the checkpoint's batch size).
func (v *valLoss) beforeAfter(ck *train.Checkpoint, other *nn.GPT) (before, after float64, err error) {
	_, valIDs, err := encodeSplits(ck.Tokenizer, v.text)
	if err != nil {
		return 0, 0, err
	}
	batch := v.batch
	if batch == 0 {
		batch = ck.Config.BatchSize
	}
	if before, err = train.EvalLoss(ck.Model, valIDs, max(batch, 1), v.iters, v.seed); err != nil {
		return 0, 0, err
	}
	after, err = train.EvalLoss(other, valIDs, max(batch, 1), v.iters, v.seed)
	return before, after, err
}

// modelSize returns the size of ck's model saved alone in float32, writing
// it beside out and removing it.
func modelSize(out string, ck *train.Checkpoint) (int64, error) {
	f, err := os.CreateTemp(filepath.Dir(out), ".tapegrad-f32-*.safetensors")
	if err != nil {
		return 0, err
	}
	f.Close()
	defer os.Remove(f.Name())
	if err := train.SaveModel(f.Name(), ck.Config, ck.Model, ck.Tokenizer); err != nil {
		return 0, err
	}
	return fileSize(f.Name())
}

// compactMatrices returns how many of the matrices of the quantized file at
// path are stored compactly (a ".shape" tensor, see train.SaveQuantized),
// and how many matrices it holds.
func compactMatrices(path string) (compact, matrices int, err error) {
	f, err := safetensors.ReadFile(path)
	if err != nil {
		return 0, 0, err
	}
	for _, t := range f.Tensors {
		switch {
		case strings.HasSuffix(t.Name, ".shape"):
			compact++
			matrices++
		case strings.HasSuffix(t.Name, ".scale"), strings.HasSuffix(t.Name, ".bitmask"), strings.HasSuffix(t.Name, ".indptr"),
			strings.HasSuffix(t.Name, ".indices"), strings.HasSuffix(t.Name, ".values"):
		case len(t.Shape) == 2:
			matrices++
		}
	}
	return compact, matrices, nil
}

func fileSize(path string) (int64, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return 0, err
	}
	return fi.Size(), nil
}

// megabytes formats n bytes in MB (10⁶ bytes).
func megabytes(n int64) string {
	return fmt.Sprintf("%.3f MB", float64(n)/1e6)
}

// abs returns path made absolute and clean, or path itself if that fails.
func abs(path string) string {
	if a, err := filepath.Abs(path); err == nil {
		return a
	}
	return path
}
