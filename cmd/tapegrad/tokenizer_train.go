package main

import (
	"fmt"
	"time"

	"github.com/tapegrad/tapegrad/tokenizer"
)

var trainTokenizerHelp = help{
	usage: "tapegrad tokenizer train --in FILE --out PREFIX [flags]",
	about: `
Learn a byte-level BPE from a text file with minbpe's algorithm and write
PREFIX.model (minbpe's format, byte for byte what minbpe writes for the same
text and settings) and PREFIX.vocab (the merges for people to read).

--type basic merges over the whole text (minbpe's BasicTokenizer); --type
regex first splits it with --pattern (minbpe's RegexTokenizer; gpt4 is its
default). Progress goes to stderr.`,
	examples: `
tapegrad tokenizer train --type regex --vocab 512 --in ../shared/data/taylorswift.txt --out taylorswift
tapegrad tokenizer train --type basic --vocab 1024 --in corpus.txt --out /tmp/basic -v`,
}

// runTokenizerTrain is `tapegrad tokenizer train`.
func runTokenizerTrain(e *env, args []string) error {
	const cmd = "tokenizer train"
	fs := newFlagSet(cmd)
	kind := fs.String("type", "regex", "tokenizer `type`: basic (no split) or regex (split with --pattern first)")
	pattern := fs.String("pattern", "gpt4", "split `pattern` for --type regex: gpt4 (cl100k) or gpt2")
	vocab := fs.Int("vocab", 512, "vocabulary `size`: 256 bytes plus the merges to learn")
	in := fs.String("in", "", "training text `file`; - is stdin")
	out := fs.String("out", "", "output `prefix`: writes PREFIX.model and PREFIX.vocab")
	verbose := fs.Bool("v", false, "print every merge on stderr (minbpe's verbose)")
	if err := parseFlags(e, fs, cmd, trainTokenizerHelp, args); err != nil {
		return err
	}
	if err := noPositional(fs, cmd); err != nil {
		return err
	}
	var opt tokenizer.TrainOptions
	switch *kind {
	case "basic":
		opt.Pattern = tokenizer.NoSplit
	case "regex":
		p, err := tokenizer.PatternByName(*pattern)
		if err != nil || p == tokenizer.NoSplit {
			return &usageError{cmd: cmd, msg: fmt.Sprintf("--pattern %q: want gpt4 or gpt2", *pattern)}
		}
		opt.Pattern = p
	default:
		return &usageError{cmd: cmd, msg: fmt.Sprintf("--type %q: want basic or regex", *kind)}
	}
	switch {
	case *in == "":
		return &usageError{cmd: cmd, msg: "--in is required"}
	case *out == "":
		return &usageError{cmd: cmd, msg: "--out is required"}
	case *vocab < 256:
		return &usageError{cmd: cmd, msg: fmt.Sprintf("--vocab %d: must be at least 256", *vocab)}
	}
	opt.VocabSize = *vocab
	text, err := readFileOrStdin(e, *in)
	if err != nil {
		return err
	}
	start := time.Now()
	last := start
	opt.Progress = func(m tokenizer.Merge) {
		switch {
		case *verbose:
			fmt.Fprintf(e.stderr, "merge %d/%d: (%d, %d) -> %d had %d occurrences\n", m.Index+1, m.Total, m.Pair[0], m.Pair[1], m.ID, m.Count)
		case time.Since(last) > time.Second || m.Index+1 == m.Total:
			last = time.Now()
			e.progress("tokenizer train: merge %d/%d (%d occurrences), %.1fs", m.Index+1, m.Total, m.Count, time.Since(start).Seconds())
		}
	}
	bpe, err := tokenizer.Train(string(text), opt)
	if err != nil {
		return err
	}
	elapsed := time.Since(start)
	if err := bpe.SaveModel(*out); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "tokenizer train: %d merges on %d bytes (%s) in %.3fs; wrote %s.model and %s.vocab\n",
		opt.VocabSize-256, len(text), *kind, elapsed.Seconds(), *out, *out)
	return nil
}
