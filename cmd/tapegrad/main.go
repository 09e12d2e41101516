package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// env holds what a command may touch: the standard streams. Tests pass
// buffers.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

// command is one `tapegrad <name>` command. run gets the arguments after the
// name and returns nil, flag.ErrHelp after printing requested help, a
// *usageError, or any other error for a failure.
type command struct {
	name    string
	summary string
	run     func(e *env, args []string) error
}

// commands lists the commands in the order help shows them.
func commands() []command {
	return []command{
		{"train", "train a GPT (default: a small one on the built-in corpus, under a minute)", runTrain},
		{"sample", "generate text from a checkpoint", runSample},
		{"eval", "print the loss of a checkpoint on a corpus", runEval},
		{"distill", "train a smaller student to imitate a teacher checkpoint (knowledge distillation)", runDistill},
		{"quantize", "write a checkpoint with int8, Q8_0 or Q4_0 weights", runQuantize},
		{"prune", "prune weights, heads or MLP units of a checkpoint and fine-tune it", runPrune},
		{"export", "write a checkpoint's model as GGUF (llama.cpp) or float32 safetensors", runExport},
		{"bench", "measure a kernel and report its speed (bench gemm)", runBench},
		{"tokenizer", "train, encode and decode with byte-level BPE tokenizers (tokenizer train)", runTokenizer},
		{"help", "show help for tapegrad or one command (help bench gemm)", runHelp},
	}
}

func findCommand(name string) (command, bool) {
	for _, c := range commands() {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

// run runs tapegrad with args (without the program name) and returns the exit
// status: 0 on success (and for requested help), 1 when the command fails, 2
// for a usage error.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr}
	return e.exitCode(dispatch(e, args))
}

func dispatch(e *env, args []string) error {
	if len(args) == 0 {
		return &usageError{msg: "no command given", usage: printUsage}
	}
	if isHelpFlag(args[0]) {
		printUsage(e.stdout)
		return flag.ErrHelp
	}
	c, ok := findCommand(args[0])
	if !ok {
		return &usageError{msg: fmt.Sprintf("unknown command %q", args[0]), usage: printUsage}
	}
	return c.run(e, args[1:])
}

// runHelp is `tapegrad help [command [subcommand]]`: the list of commands, or
// the command's own -h.
func runHelp(e *env, args []string) error {
	if len(args) == 0 {
		printUsage(e.stdout)
		return nil
	}
	c, ok := findCommand(args[0])
	if !ok {
		return &usageError{msg: fmt.Sprintf("help: unknown command %q", args[0])}
	}
	if c.name == "help" {
		printUsage(e.stdout)
		return nil
	}
	return c.run(e, append(append([]string(nil), args[1:]...), "-h"))
}

func printUsage(w io.Writer) {
	fmt.Fprint(w, `tapegrad trains, compresses and exports small GPT language models on CPUs.

Usage:
  tapegrad <command> [flags]

Commands:
`)
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	for _, c := range commands() {
		fmt.Fprintf(tw, "  %s\t%s\n", c.name, c.summary)
	}
	tw.Flush()
	fmt.Fprint(w, `
Run 'tapegrad <command> -h' for a command's flags.
`)
}

func isHelpFlag(s string) bool {
	switch s {
	case "-h", "-help", "--help", "--h":
		return true
	}
	return false
}

// usageError is a mistake in the command line: exit status 2. cmd, when set,
// names the command whose -h explains the fix ("bench gemm"); usage, when
// set, prints the usage to show after the message.
type usageError struct {
	cmd   string
	msg   string
	usage func(io.Writer)
}

func (e *usageError) Error() string {
	if e.cmd == "" {
		return e.msg
	}
	return e.cmd + ": " + e.msg
}

// exitCode reports err on stderr and returns the exit status for it.
func (e *env) exitCode(err error) int {
	var ue *usageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errInterrupted):
		return 130
	case errors.As(err, &ue):
		fmt.Fprintf(e.stderr, "tapegrad: %v\n", ue)
		if ue.usage != nil {
			fmt.Fprintln(e.stderr)
			ue.usage(e.stderr)
			return 2
		}
		hint := "tapegrad help"
		if ue.cmd != "" {
			hint = "tapegrad " + ue.cmd + " -h"
		}
		fmt.Fprintf(e.stderr, "Run '%s' for usage.\n", hint)
		return 2
	default:
		fmt.Fprintf(e.stderr, "tapegrad: %v\n", err)
		return 1
	}
}

// help is the text -h prints around a flag set's defaults.
type help struct {
	usage    string // "tapegrad bench gemm [flags]"
	about    string // what the command does, a paragraph or more
	examples string // one example a line, without the leading "$ "
}

// parseFlags parses args into fs, which must have been made with
// newFlagSet. On -h it prints h and the flags to stdout and returns
// flag.ErrHelp; a bad flag or value becomes a *usageError for cmd.
func parseFlags(e *env, fs *flag.FlagSet, cmd string, h help, args []string) error {
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		printHelp(e.stdout, fs, h)
		return flag.ErrHelp
	case err != nil:
		return &usageError{cmd: cmd, msg: err.Error()}
	}
	return nil
}

// newFlagSet returns a flag set that prints nothing itself: parseFlags reports
// its errors and help.
func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

func printHelp(w io.Writer, fs *flag.FlagSet, h help) {
	fmt.Fprintf(w, "Usage:\n  %s\n\n%s\n", h.usage, strings.TrimSpace(h.about))
	hasFlags := false
	fs.VisitAll(func(*flag.Flag) { hasFlags = true })
	if hasFlags {
		fmt.Fprint(w, "\nFlags:\n")
		fs.SetOutput(w)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
	if h.examples != "" {
		fmt.Fprint(w, "\nExamples:\n")
		for _, line := range strings.Split(strings.TrimSpace(h.examples), "\n") {
			fmt.Fprintf(w, "  $ %s\n", strings.TrimSpace(line))
		}
	}
}
