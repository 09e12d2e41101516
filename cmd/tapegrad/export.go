package main

import (
	"fmt"

	"github.com/tapegrad/tapegrad/nn"
	"github.com/tapegrad/tapegrad/train"
)

var exportHelp = help{
	usage: "tapegrad export --checkpoint FILE --format gguf|safetensors [--quant q8_0|q4_0] --out FILE",
	about: `
Write a checkpoint's model in another format.

  gguf         GGUF v3 for llama.cpp's gpt2 architecture: ggml tensor names
               (token_embd, blk.N.attn_qkv, ...), the tokenizer as a
               byte-level BPE. --quant q8_0 or q4_0 stores the weight
               matrices as ggml blocks (rows not a multiple of 32 stay F32).
               llama.cpp has learned positions only: RoPE models are refused.
               It has no character tokenizer either; a char model's
               characters go in as byte-level BPE tokens that split text the
               same way.
  safetensors  the float32 model alone (no optimizer state), with
               nanoGPT / HF GPT-2 names: what PyTorch loads.

A quantized tapegrad checkpoint is exported from its dequantized values. The
command prints the number of parameters and the file sizes; with --data, also
the val loss of the checkpoint before and of the exported file after — read
back (a GGUF file through train.ImportGGUF, the inverse of the export) — on the
same --iters batches.`,
	examples: `
tapegrad export --checkpoint ckpt.safetensors --format gguf --out model.gguf
tapegrad export --checkpoint ckpt.safetensors --format gguf --quant q4_0 --out model-q4_0.gguf --data ../shared/data/tinyshakespeare.txt --iters 200
tapegrad export --checkpoint ckpt.safetensors --format safetensors --out model.safetensors`,
}

func runExport(e *env, args []string) error {
	var (
		path, out, format, quant string
		v                        valLoss
	)
	fs := newFlagSet("export")
	fs.StringVar(&path, "checkpoint", "", "checkpoint to export (required)")
	fs.StringVar(&format, "format", "", "gguf or safetensors (required)")
	fs.StringVar(&quant, "quant", "", "with gguf: q8_0 or q4_0 weight matrices (default float32)")
	fs.StringVar(&out, "out", "", "file to write (required)")
	v.addFlags(fs)
	if err := parseFlags(e, fs, "export", exportHelp, args); err != nil {
		return err
	}
	usage := func(format string, args ...any) error {
		return &usageError{cmd: "export", msg: fmt.Sprintf(format, args...)}
	}
	switch {
	case path == "":
		return usage("--checkpoint is required")
	case out == "":
		return usage("--out is required")
	case format != "gguf" && format != "safetensors":
		return usage("--format %q (want gguf or safetensors)", format)
	case quant != "" && quant != train.Q8_0 && quant != train.Q4_0:
		return usage("--quant %q (want q8_0 or q4_0)", quant)
	case quant != "" && format != "gguf":
		return usage("--quant is for --format gguf (use tapegrad quantize for safetensors)")
	case fs.NArg() > 0:
		return usage("unexpected argument %q", fs.Arg(0))
	case abs(path) == abs(out):
		return usage("--out must differ from --checkpoint")
	case v.iters < 1:
		return usage("--iters %d (want at least 1)", v.iters)
	}
	ck, err := train.Load(path)
	if err != nil {
		return err
	}
	if err := v.loadText(); err != nil { // before writing anything
		return err
	}
	if format == "gguf" {
		err = train.ExportGGUF(out, ck, quant)
	} else {
		err = train.SaveModel(out, ck.Config, ck.Model, ck.Tokenizer)
	}
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
	what := format
	if quant != "" {
		what += ", " + quant
	}
	fmt.Fprintf(e.stdout, "exported %s to %s (%s)\n", path, out, what)
	fmt.Fprintf(e.stdout, "parameters  %d\n", nn.NumParams(ck.Model))
	fmt.Fprintf(e.stdout, "file size   %s → %s\n", megabytes(inSize), megabytes(outSize))
	if v.src == "" {
		return nil
	}
	var exported *nn.GPT
	if format == "gguf" {
		exported, err = train.ImportGGUF(out)
	} else {
		var back *train.Checkpoint
		back, err = train.Load(out)
		if back != nil {
			exported = back.Model
		}
	}
	if err != nil {
		return err
	}
	before, after, err := v.beforeAfter(ck, exported)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "val loss    %.4f → %.4f (Δ %+.4f, %d batches; the exported file read back)\n", before, after, after-before, v.iters)
	return nil
}
