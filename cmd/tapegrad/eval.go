package main

import (
	"fmt"

	"github.com/tapegrad/tapegrad/data"
	"github.com/tapegrad/tapegrad/train"
)

var evalHelp = help{
	usage: "tapegrad eval --checkpoint FILE --data FILE|DIR|URL [flags]",
	about: `
Print the mean loss of a checkpoint on --iters random batches of a split of a
corpus, encoded with the checkpoint's tokenizer and split 90/10 as in
training: "val loss X". A folder holding nanoGPT's train.bin and val.bin (token
ids of the checkpoint's tokenizer, --token_bytes each) is read as those splits.`,
	examples: `
tapegrad eval --checkpoint ckpt.safetensors --data ../shared/data/tinyshakespeare.txt --split val --iters 200`,
}

func runEval(e *env, args []string) error {
	var (
		path, src, split, cache string
		iters, batch, width     int
		seed                    uint64
	)
	fs := newFlagSet("eval")
	fs.StringVar(&path, "checkpoint", "", "checkpoint to evaluate (required)")
	fs.StringVar(&src, "data", "", "corpus: a file, a folder or an http(s) URL (default: the built-in synthetic corpus)")
	fs.StringVar(&split, "split", "val", "train or val")
	fs.IntVar(&iters, "iters", 200, "batches")
	fs.IntVar(&batch, "batch_size", 0, "sequences per batch (default: the checkpoint's)")
	fs.Uint64Var(&seed, "seed", 1, "seed of the batch sampler")
	fs.StringVar(&cache, "cache", defaultCache(), "folder for downloaded corpora")
	fs.IntVar(&width, "token_bytes", 2, "bytes per id in a token folder's train.bin and val.bin: 2 or 4")
	if err := parseFlags(e, fs, "eval", evalHelp, args); err != nil {
		return err
	}
	if path == "" {
		return &usageError{cmd: "eval", msg: "--checkpoint is required"}
	}
	if split != "train" && split != "val" {
		return &usageError{cmd: "eval", msg: fmt.Sprintf("split %q (want train or val)", split)}
	}
	ck, err := train.Load(path)
	if err != nil {
		return err
	}
	var trainIDs, valIDs data.Source
	if isTokenDir(src) {
		if width != 2 && width != 4 {
			return &usageError{cmd: "eval", msg: fmt.Sprintf("--token_bytes %d (want 2 or 4)", width)}
		}
		tr, va, err := tokenSplits(src, width, ck.Tokenizer.VocabSize())
		if err != nil {
			return err
		}
		defer tr.Close()
		defer va.Close()
		trainIDs, valIDs = tr, va
	} else {
		if err := checkNotTokenFile("eval", src); err != nil {
			return err
		}
		text, _, err := loadCorpus(src, cache)
		if err != nil {
			return err
		}
		if trainIDs, valIDs, err = encodeSplits(ck.Tokenizer, text); err != nil {
			return err
		}
	}
	ids := valIDs
	if split == "train" {
		ids = trainIDs
	}
	if batch == 0 {
		batch = ck.Config.BatchSize
	}
	loss, err := train.EvalLoss(ck.Model, ids, max(batch, 1), iters, seed)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s loss %.4f\n", split, loss)
	return nil
}
