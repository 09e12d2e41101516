package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
)

// benchmark is one `tapegrad bench <name>`.
type benchmark struct {
	name    string
	summary string
	run     func(e *env, args []string) error
}

// benchmarks lists the benchmarks in the order help shows them. attention,
// step, generate and tokenizer join gemm here, each in its own
// bench_<name>.go.
func benchmarks() []benchmark {
	return []benchmark{
		{"gemm", "matrix multiply (tensor.Gemm) in GFLOP/s, per implementation and thread count", runBenchGemm},
		{"attention", "causal attention forward+backward: ms and peak memory, fused (flash) vs reference", runBenchAttention},
		{"generate", "text generation in tokens/s, with and without the KV cache", runBenchGenerate},
		{"step", "training steps of a preset in ms and tokens/s", runBenchStep},
		{"tokenizer", "tokenizer encoding in MB/s per thread count, and minbpe training time", runBenchTokenizer},
	}
}

func benchNames() string {
	var names []string
	for _, b := range benchmarks() {
		names = append(names, b.name)
	}
	return strings.Join(names, ", ")
}

// runBench is `tapegrad bench <name> [flags]`.
func runBench(e *env, args []string) error {
	if len(args) == 0 {
		return &usageError{cmd: "bench", msg: "no benchmark named (have " + benchNames() + ")"}
	}
	if isHelpFlag(args[0]) {
		printBenchUsage(e.stdout)
		return flag.ErrHelp
	}
	for _, b := range benchmarks() {
		if b.name == args[0] {
			return b.run(e, args[1:])
		}
	}
	return &usageError{cmd: "bench", msg: fmt.Sprintf("unknown benchmark %q (have %s)", args[0], benchNames())}
}

func printBenchUsage(w io.Writer) {
	fmt.Fprint(w, `Usage:
  tapegrad bench <benchmark> [flags]

Measure a kernel. Each benchmark prints a table for people on stdout, then
one JSON object a line for machines, e.g.
  {"bench":"gemm","m":512,"n":512,"k":512,"trans":"NN","threads":1,"impl":"avx2","gflops":71.3}

Benchmarks:
`)
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	for _, b := range benchmarks() {
		fmt.Fprintf(tw, "  %s\t%s\n", b.name, b.summary)
	}
	tw.Flush()
	fmt.Fprint(w, `
Run 'tapegrad bench <benchmark> -h' for its flags.
`)
}

// report is a benchmark's output: a table for people, and records (structs
// with JSON tags) for machines, one per row.
type report struct {
	header  []string
	rows    [][]string
	records []any
}

func (r *report) add(record any, cells ...string) {
	r.rows = append(r.rows, cells)
	r.records = append(r.records, record)
}

// write prints the table (unless jsonOnly), then one JSON line per record.
func (r *report) write(w io.Writer, jsonOnly bool) error {
	if !jsonOnly {
		tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
		fmt.Fprintln(tw, strings.Join(r.header, "\t"))
		for _, row := range r.rows {
			fmt.Fprintln(tw, strings.Join(row, "\t"))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	enc := json.NewEncoder(w)
	for _, rec := range r.records {
		if err := enc.Encode(rec); err != nil {
			return err
		}
	}
	return nil
}

// progress prints a line on stderr when stderr is a terminal: long
// benchmarks show they are alive without mixing into piped output.
func (e *env) progress(format string, args ...any) {
	if f, ok := e.stderr.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			fmt.Fprintf(f, format+"\n", args...)
		}
	}
}
