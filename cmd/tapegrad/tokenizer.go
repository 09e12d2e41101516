package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/tapegrad/tapegrad/tokenizer"
)

// tokenizerCommands lists `tapegrad tokenizer <name>` in the order help shows
// them.
func tokenizerCommands() []command {
	return []command{
		{"train", "learn a byte-level BPE with minbpe's algorithm and write PREFIX.model", runTokenizerTrain},
		{"encode", "encode text into token ids (a JSON array on stdout)", runTokenizerEncode},
		{"decode", "decode token ids (a JSON array) into text on stdout", runTokenizerDecode},
	}
}

// runTokenizer is `tapegrad tokenizer <train|encode|decode> [flags]`.
func runTokenizer(e *env, args []string) error {
	var names []string
	for _, c := range tokenizerCommands() {
		names = append(names, c.name)
	}
	if len(args) == 0 {
		return &usageError{cmd: "tokenizer", msg: "no subcommand given (have " + strings.Join(names, ", ") + ")"}
	}
	if isHelpFlag(args[0]) {
		printTokenizerUsage(e.stdout)
		return flag.ErrHelp
	}
	for _, c := range tokenizerCommands() {
		if c.name == args[0] {
			return c.run(e, args[1:])
		}
	}
	return &usageError{cmd: "tokenizer", msg: fmt.Sprintf("unknown subcommand %q (have %s)", args[0], strings.Join(names, ", "))}
}

func printTokenizerUsage(w io.Writer) {
	fmt.Fprint(w, `Usage:
  tapegrad tokenizer <subcommand> [flags]

Train, run and inspect byte-level BPE tokenizers. Tokenizer files are
recognised by their extension: .tiktoken (tiktoken's rank files, named after
their encoding: r50k_base, p50k_base, cl100k_base), .model (minbpe) and
.json (Hugging Face tokenizer.json).

Subcommands:
`)
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	for _, c := range tokenizerCommands() {
		fmt.Fprintf(tw, "  %s\t%s\n", c.name, c.summary)
	}
	tw.Flush()
	fmt.Fprint(w, `
Run 'tapegrad tokenizer <subcommand> -h' for its flags.
`)
}

// loadTokenizer reads a tokenizer file by its extension.
func loadTokenizer(path string) (*tokenizer.BPE, error) {
	switch filepath.Ext(path) {
	case ".tiktoken":
		return tokenizer.LoadTiktoken(path)
	case ".model":
		return tokenizer.LoadModel(path)
	case ".json":
		return tokenizer.LoadHF(path)
	}
	return nil, fmt.Errorf("%s: unknown tokenizer file type (want .tiktoken, .model or .json)", path)
}

// readFileOrStdin reads the file at path, or stdin for "-".
func readFileOrStdin(e *env, path string) ([]byte, error) {
	if path == "-" {
		return io.ReadAll(e.stdin)
	}
	return os.ReadFile(path)
}

// specialFlag is --allowed-special / --disallowed-special: "all", "none" or
// a comma-separated list of special tokens.
type specialFlag struct {
	set   tokenizer.SpecialSet
	value string
}

func (f *specialFlag) String() string { return f.value }

func (f *specialFlag) Set(s string) error {
	f.value = s
	switch s {
	case "all":
		f.set = tokenizer.AllSpecial
	case "none", "":
		f.set = tokenizer.NoSpecial
	default:
		f.set = tokenizer.Specials(strings.Split(s, ",")...)
	}
	return nil
}

var encodeHelp = help{
	usage: "tapegrad tokenizer encode --encoding FILE [flags]",
	about: `
Encode text (--in, or stdin) with a tokenizer file and print the token ids as
one JSON array on stdout. Special tokens follow tiktoken's encode: by default
none is allowed and text that contains one is an error; --allowed-special all
turns their text into their ids, --disallowed-special none encodes their text
as ordinary text (tiktoken's encode_ordinary).`,
	examples: `
tapegrad tokenizer encode --encoding ../shared/data/tiktoken/cl100k_base.tiktoken --in ../shared/data/taylorswift.txt
echo -n "hello world" | tapegrad tokenizer encode --encoding tok.model
tapegrad tokenizer encode --encoding r50k_base.tiktoken --in doc.txt --allowed-special all`,
}

// runTokenizerEncode is `tapegrad tokenizer encode`.
func runTokenizerEncode(e *env, args []string) error {
	const cmd = "tokenizer encode"
	fs := newFlagSet(cmd)
	encoding := fs.String("encoding", "", "tokenizer `file`: .tiktoken, .model (minbpe) or .json (Hugging Face)")
	in := fs.String("in", "-", "text `file` to encode; - is stdin")
	allowed := &specialFlag{value: "none"}
	disallowed := &specialFlag{set: tokenizer.AllSpecial, value: "all"}
	fs.Var(allowed, "allowed-special", "special `tokens` whose text becomes their id: all, none, or a comma-separated list")
	fs.Var(disallowed, "disallowed-special", "special `tokens` whose text is an error: all (those not allowed), none, or a list")
	if err := parseFlags(e, fs, cmd, encodeHelp, args); err != nil {
		return err
	}
	if err := noPositional(fs, cmd); err != nil {
		return err
	}
	if *encoding == "" {
		return &usageError{cmd: cmd, msg: "--encoding is required"}
	}
	tok, err := loadTokenizer(*encoding)
	if err != nil {
		return err
	}
	text, err := readFileOrStdin(e, *in)
	if err != nil {
		return err
	}
	ids, err := tok.EncodeSpecial(string(text), allowed.set, disallowed.set)
	if err != nil {
		return err
	}
	return writeIDs(e.stdout, ids)
}

// writeIDs prints ids as one JSON array and a newline.
func writeIDs(w io.Writer, ids []int) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	buf := make([]byte, 0, 16)
	bw.WriteByte('[')
	for i, id := range ids {
		if i > 0 {
			bw.WriteByte(',')
		}
		bw.Write(strconv.AppendInt(buf[:0], int64(id), 10))
	}
	bw.WriteString("]\n")
	return bw.Flush()
}

var decodeHelp = help{
	usage: "tapegrad tokenizer decode --encoding FILE [flags]",
	about: `
Read token ids as a JSON array (--in, or stdin) and print their text on
stdout, byte for byte. An id outside the vocabulary is an error.`,
	examples: `
tapegrad tokenizer encode --encoding tok.model --in a.txt | tapegrad tokenizer decode --encoding tok.model
echo '[31373, 995]' | tapegrad tokenizer decode --encoding r50k_base.tiktoken`,
}

// runTokenizerDecode is `tapegrad tokenizer decode`.
func runTokenizerDecode(e *env, args []string) error {
	const cmd = "tokenizer decode"
	fs := newFlagSet(cmd)
	encoding := fs.String("encoding", "", "tokenizer `file`: .tiktoken, .model (minbpe) or .json (Hugging Face)")
	in := fs.String("in", "-", "`file` holding a JSON array of ids; - is stdin")
	if err := parseFlags(e, fs, cmd, decodeHelp, args); err != nil {
		return err
	}
	if err := noPositional(fs, cmd); err != nil {
		return err
	}
	if *encoding == "" {
		return &usageError{cmd: cmd, msg: "--encoding is required"}
	}
	tok, err := loadTokenizer(*encoding)
	if err != nil {
		return err
	}
	data, err := readFileOrStdin(e, *in)
	if err != nil {
		return err
	}
	var ids []int
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&ids); err != nil {
		return fmt.Errorf("tokenizer decode: want a JSON array of ids: %w", err)
	}
	if dec.More() {
		return fmt.Errorf("tokenizer decode: unexpected data after the array of ids")
	}
	out, err := tok.AppendDecode(nil, ids)
	if err != nil {
		return err
	}
	_, err = e.stdout.Write(out)
	return err
}

// noPositional reports positional arguments as a usage error.
func noPositional(fs *flag.FlagSet, cmd string) error {
	if fs.NArg() > 0 {
		return &usageError{cmd: cmd, msg: fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	}
	return nil
}
