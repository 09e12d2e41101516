package main

import (
	"fmt"
	"math"
	"path/filepath"
	"runtime"
	"strconv"
	"time"

	"github.com/tapegrad/tapegrad/tokenizer"
)

// tokenizerRecord is one JSON line of `bench tokenizer`.
type tokenizerRecord struct {
	Bench      string  `json:"bench"`
	Op         string  `json:"op"` // encode or train
	Tokenizer  string  `json:"tokenizer"`
	File       string  `json:"file"`
	Bytes      int     `json:"bytes"`
	Tokens     int     `json:"tokens,omitempty"`
	Vocab      int     `json:"vocab,omitempty"`
	Threads    int     `json:"threads"`
	Seconds    float64 `json:"seconds"`
	MBPerS     float64 `json:"mb_per_s"`
	TokensPerS float64 `json:"tokens_per_s,omitempty"`
}

var benchTokenizerHelp = help{
	usage: "tapegrad bench tokenizer --encoding FILE --in FILE [flags]",
	about: `
Time encoding a whole file with a tokenizer (--encoding: .tiktoken, .model or
.json) on each thread count (GOMAXPROCS; files of 256 KiB and more are split
over cores), and minbpe training (basic and regex with the GPT-4 split) of
--train-vocab tokens on --train-in. Each row is the best of --runs runs after
one warm-up run. MB/s is 1e6 bytes of input a second.

Compare with tiktoken's npm package in the same session:
  node tokenizer/testdata/bench_tiktoken.mjs FILE
(see tokenizer/README.md).

The table goes to stdout first, then one JSON object a line:
  {"bench":"tokenizer","op":"encode","tokenizer":"r50k_base","file":"tinyshakespeare.txt","bytes":1115394,"tokens":338025,"threads":1,"seconds":0.05,"mb_per_s":22.3,"tokens_per_s":6760500}`,
	examples: `
tapegrad bench tokenizer --encoding ../shared/data/tiktoken/r50k_base.tiktoken --in ../shared/data/tinyshakespeare.txt --train-in ../shared/data/taylorswift.txt
tapegrad bench tokenizer --encoding tok.model --in corpus.txt --threads 1 --train-vocab 0`,
}

// runBenchTokenizer is `tapegrad bench tokenizer`.
func runBenchTokenizer(e *env, args []string) error {
	const cmd = "bench tokenizer"
	fs := newFlagSet(cmd)
	encoding := fs.String("encoding", "", "tokenizer `file` to encode with: .tiktoken, .model or .json")
	in := fs.String("in", "", "text `file` to encode")
	trainIn := fs.String("train-in", "", "text `file` to train on (default: --in)")
	trainVocab := fs.Int("train-vocab", 512, "vocabulary `size` of the training rows; 0 skips training")
	def := []int{1}
	if p := runtime.NumCPU(); p > 1 {
		def = append(def, p)
	}
	threads := intList{vals: def}
	fs.Var(&threads, "threads", "thread `counts` for encoding, comma-separated (GOMAXPROCS)")
	runs := fs.Int("runs", 5, "timed runs per row; the best counts")
	jsonOnly := fs.Bool("json", false, "print only the JSON lines, no table")
	if err := parseFlags(e, fs, cmd, benchTokenizerHelp, args); err != nil {
		return err
	}
	if err := noPositional(fs, cmd); err != nil {
		return err
	}
	switch {
	case *encoding == "":
		return &usageError{cmd: cmd, msg: "--encoding is required"}
	case *in == "":
		return &usageError{cmd: cmd, msg: "--in is required"}
	case *runs < 1:
		return &usageError{cmd: cmd, msg: "--runs must be at least 1"}
	case *trainVocab != 0 && *trainVocab < 256:
		return &usageError{cmd: cmd, msg: "--train-vocab must be 0 or at least 256"}
	}
	if *trainIn == "" {
		*trainIn = *in
	}
	tok, err := loadTokenizer(*encoding)
	if err != nil {
		return err
	}
	text, err := readFileOrStdin(e, *in)
	if err != nil {
		return err
	}
	name := tok.Name()
	if name == "" {
		name = filepath.Base(*encoding)
	}
	rep := &report{header: []string{"op", "tokenizer", "file", "threads", "MB", "tokens", "ms", "MB/s", "Mtokens/s"}}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, th := range threads.vals {
		runtime.GOMAXPROCS(th)
		var ids []int
		sec := bestRunSeconds(*runs, func() { ids = tok.EncodeOrdinary(string(text)) })
		r := tokenizerRecord{
			Bench: "tokenizer", Op: "encode", Tokenizer: name, File: filepath.Base(*in),
			Bytes: len(text), Tokens: len(ids), Threads: th, Seconds: roundDigits(sec, 6),
			MBPerS: roundDigits(float64(len(text))/sec/1e6, 2), TokensPerS: math.Round(float64(len(ids)) / sec),
		}
		e.progress("bench tokenizer: encode threads=%d: %.2f MB/s", th, r.MBPerS)
		rep.add(r, "encode", name, r.File, strconv.Itoa(th), fmt.Sprintf("%.2f", float64(len(text))/1e6),
			strconv.Itoa(len(ids)), fmt.Sprintf("%.1f", sec*1e3), fmt.Sprintf("%.2f", r.MBPerS), fmt.Sprintf("%.2f", r.TokensPerS/1e6))
	}
	if *trainVocab > 0 {
		train, err := readFileOrStdin(e, *trainIn)
		if err != nil {
			return err
		}
		runtime.GOMAXPROCS(1)
		for _, c := range []struct {
			kind    string
			pattern tokenizer.Pattern
		}{{"basic", tokenizer.NoSplit}, {"regex", tokenizer.GPT4}} {
			var terr error
			sec := bestRunSeconds(min(*runs, 3), func() {
				_, terr = tokenizer.Train(string(train), tokenizer.TrainOptions{VocabSize: *trainVocab, Pattern: c.pattern})
			})
			if terr != nil {
				return terr
			}
			r := tokenizerRecord{
				Bench: "tokenizer", Op: "train", Tokenizer: c.kind, File: filepath.Base(*trainIn),
				Bytes: len(train), Vocab: *trainVocab, Threads: 1, Seconds: roundDigits(sec, 6),
				MBPerS: roundDigits(float64(len(train))/sec/1e6, 2),
			}
			e.progress("bench tokenizer: train %s: %.3fs", c.kind, sec)
			rep.add(r, "train "+strconv.Itoa(*trainVocab), c.kind, r.File, "1", fmt.Sprintf("%.2f", float64(len(train))/1e6),
				"", fmt.Sprintf("%.1f", sec*1e3), fmt.Sprintf("%.2f", r.MBPerS), "")
		}
	}
	return rep.write(e.stdout, *jsonOnly)
}

// bestRunSeconds runs fn once to warm up, then runs times, and returns the fastest
// run's seconds.
func bestRunSeconds(runs int, fn func()) float64 {
	fn()
	best := math.Inf(1)
	for range runs {
		t0 := time.Now()
		fn()
		best = min(best, time.Since(t0).Seconds())
	}
	return max(best, 1e-9)
}

func roundDigits(x float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(x*p) / p
}
