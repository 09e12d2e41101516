package tokenizer

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
)

// Encoding describes one of tiktoken's named encodings: the rank file it
// reads, its pattern and its special tokens.
type Encoding struct {
	Name    string         // "cl100k_base"
	File    string         // the rank file's name: "cl100k_base.tiktoken"
	Pattern Pattern        // the split
	Special map[string]int // the special tokens
}

// Encodings lists tiktoken's encodings that this package can split for.
// "gpt2" is tiktoken's name for r50k_base's ranks with GPT-2's special
// token.
var Encodings = []Encoding{
	{"gpt2", "r50k_base.tiktoken", GPT2, map[string]int{"<|endoftext|>": 50256}},
	{"r50k_base", "r50k_base.tiktoken", GPT2, map[string]int{"<|endoftext|>": 50256}},
	{"p50k_base", "p50k_base.tiktoken", GPT2, map[string]int{"<|endoftext|>": 50256}},
	{"cl100k_base", "cl100k_base.tiktoken", GPT4, map[string]int{
		"<|endoftext|>":   100257,
		"<|fim_prefix|>":  100258,
		"<|fim_middle|>":  100259,
		"<|fim_suffix|>":  100260,
		"<|endofprompt|>": 100276,
	}},
}

// EncodingByName returns the encoding called name, and whether there is one.
func EncodingByName(name string) (Encoding, bool) {
	for _, e := range Encodings {
		if e.Name == name {
			return e, true
		}
	}
	return Encoding{}, false
}

// ReadTiktokenRanks reads a .tiktoken rank file: one token a line, its bytes
// in standard base64, a space, and its rank. Empty lines are skipped, as
// tiktoken does. A malformed line, a repeated token or a repeated rank is an
// error naming the line.
func ReadTiktokenRanks(r io.Reader) (map[string]int, error) {
	ranks := make(map[string]int)
	byRank := make(map[int]int) // rank → line
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		text := bytes.TrimSuffix(sc.Bytes(), []byte("\r"))
		if len(text) == 0 {
			continue
		}
		fields := strings.Fields(string(text))
		if len(fields) != 2 {
			return nil, fmt.Errorf("tokenizer: tiktoken: line %d: want \"<base64 token> <rank>\", have %d fields", line, len(fields))
		}
		tok, err := base64.StdEncoding.Strict().DecodeString(fields[0])
		if err != nil {
			return nil, fmt.Errorf("tokenizer: tiktoken: line %d: token %q is not base64: %w", line, fields[0], err)
		}
		if len(tok) == 0 {
			return nil, fmt.Errorf("tokenizer: tiktoken: line %d: empty token", line)
		}
		rank, err := parseID(fields[1])
		if err != nil {
			return nil, fmt.Errorf("tokenizer: tiktoken: line %d: rank: %w", line, err)
		}
		if _, dup := ranks[string(tok)]; dup {
			return nil, fmt.Errorf("tokenizer: tiktoken: line %d: token %q appears twice", line, tok)
		}
		if prev, dup := byRank[rank]; dup {
			return nil, fmt.Errorf("tokenizer: tiktoken: line %d: rank %d is already taken on line %d", line, rank, prev)
		}
		ranks[string(tok)] = rank
		byRank[rank] = line
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("tokenizer: tiktoken: line %d: %w", line+1, err)
	}
	return ranks, nil
}

// parseID parses a non-negative decimal id, digits only.
func parseID(s string) (int, error) {
	if s == "" || strings.TrimLeft(s, "0123456789") != "" {
		return 0, fmt.Errorf("%q is not a non-negative integer", s)
	}
	v, err := strconv.ParseInt(s, 10, 32)
	if err != nil {
		return 0, fmt.Errorf("%q is out of range", s)
	}
	return int(v), nil
}

// ReadTiktoken reads a .tiktoken rank file and returns the tokenizer of
// encoding e (e.File is not used).
func ReadTiktoken(r io.Reader, e Encoding) (*BPE, error) {
	ranks, err := ReadTiktokenRanks(r)
	if err != nil {
		return nil, err
	}
	return NewTiktoken(e.Name, ranks, e.Pattern, e.Special)
}

// LoadTiktoken reads the .tiktoken file at path. Its name says which
// encoding it holds ("r50k_base.tiktoken", "cl100k_base.tiktoken"); an
// unknown name is an error, since the file holds no pattern or special
// tokens (use ReadTiktoken with an Encoding then).
func LoadTiktoken(path string) (*BPE, error) {
	name := strings.TrimSuffix(filepath.Base(path), ".tiktoken")
	e, ok := EncodingByName(name)
	if !ok {
		return nil, fmt.Errorf("tokenizer: %s: unknown tiktoken encoding %q (have r50k_base, p50k_base, cl100k_base)", path, name)
	}
	return loadFile(path, func(r io.Reader) (*BPE, error) { return ReadTiktoken(r, e) })
}
