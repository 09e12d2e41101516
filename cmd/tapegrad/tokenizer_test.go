package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sharedDataFile returns ../shared/data/name beside the module root; absent,
// the test skips, or fails when CI=true.
func sharedDataFile(t *testing.T, name string) string {
	t.Helper()
	path := filepath.Join("..", "..", "..", "shared", "data", name)
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("shared data %s is missing (CI=true): %v", name, err)
		}
		t.Skipf("skipping: shared data %s is absent (%v); CI=true makes this a failure", name, err)
	}
	return path
}

// runStdin runs tapegrad with stdin and returns its exit status and output.
func runStdin(stdin string, args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = run(args, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestTokenizerHelp(t *testing.T) {
	for _, args := range [][]string{
		{"tokenizer", "-h"}, {"help", "tokenizer"},
		{"tokenizer", "train", "-h"}, {"help", "tokenizer", "train"},
		{"tokenizer", "encode", "-h"}, {"tokenizer", "decode", "--help"},
		{"bench", "tokenizer", "-h"},
	} {
		code, out, errOut := runTest(args...)
		if code != 0 || errOut != "" || !strings.Contains(out, "Usage:") {
			t.Errorf("%v: exit %d, stderr %q, stdout %q", args, code, errOut, out)
		}
	}
}

func TestTokenizerUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"tokenizer"},
		{"tokenizer", "frobnicate"},
		{"tokenizer", "train", "--out", "x"},
		{"tokenizer", "train", "--in", "x"},
		{"tokenizer", "train", "--in", "x", "--out", "y", "--type", "word"},
		{"tokenizer", "train", "--in", "x", "--out", "y", "--pattern", "none"},
		{"tokenizer", "train", "--in", "x", "--out", "y", "--vocab", "100"},
		{"tokenizer", "encode"},
		{"tokenizer", "encode", "--encoding", "a.model", "extra"},
		{"tokenizer", "decode", "--bogus"},
		{"bench", "tokenizer", "--in", "x"},
		{"bench", "tokenizer", "--encoding", "x", "--in", "y", "--runs", "0"},
	} {
		if code, _, errOut := runTest(args...); code != 2 || errOut == "" {
			t.Errorf("%v: exit %d, stderr %q; want 2 and a message", args, code, errOut)
		}
	}
}

// TestTokenizerTrainEncodeDecode trains minbpe's tokenizers on
// taylorswift.txt with the command, wants minbpe's golden files, and round
// trips text through encode and decode.
func TestTokenizerTrainEncodeDecode(t *testing.T) {
	corpus := sharedDataFile(t, "taylorswift.txt")
	dir := t.TempDir()
	for _, kind := range []string{"basic", "regex"} {
		prefix := filepath.Join(dir, kind)
		code, out, errOut := runTest("tokenizer", "train", "--type", kind, "--vocab", "512", "--in", corpus, "--out", prefix)
		if code != 0 || out != "" || !strings.Contains(errOut, "256 merges") {
			t.Fatalf("train %s: exit %d, stdout %q, stderr %q", kind, code, out, errOut)
		}
		got, err := os.ReadFile(prefix + ".model")
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(filepath.Join("..", "..", "tokenizer", "testdata", "golden", "minbpe", "taylorswift_"+kind+"_512.model"))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("train %s: the model differs from minbpe's", kind)
		}
		text := "hello world!!!? (안녕하세요!) lol123 😉 Taylor Swift"
		code, ids, errOut := runStdin(text, "tokenizer", "encode", "--encoding", prefix+".model")
		var parsed []int
		if code != 0 || json.Unmarshal([]byte(ids), &parsed) != nil || len(parsed) == 0 || len(parsed) >= len(text) {
			t.Fatalf("encode: exit %d, stdout %q, stderr %q", code, ids, errOut)
		}
		code, back, errOut := runStdin(ids, "tokenizer", "decode", "--encoding", prefix+".model")
		if code != 0 || back != text {
			t.Errorf("decode: exit %d, %q, stderr %q; want %q", code, back, errOut, text)
		}
	}
}

func TestTokenizerEncodeTiktoken(t *testing.T) {
	enc := sharedDataFile(t, "tiktoken/r50k_base.tiktoken")
	tests := []struct {
		stdin string
		args  []string
		code  int
		out   string
	}{
		{"hello world", nil, 0, "[31373,995]\n"},
		{"", nil, 0, "[]\n"},
		{"<|endoftext|>hello world", nil, 1, ""},
		{"<|endoftext|>hello world", []string{"--allowed-special", "all"}, 0, "[50256,31373,995]\n"},
		{"<|endoftext|>", []string{"--disallowed-special", "none"}, 0, "[27,91,437,1659,5239,91,29]\n"},
		{"x", []string{"--allowed-special", "<|nope|>"}, 1, ""},
	}
	for _, tt := range tests {
		args := append([]string{"tokenizer", "encode", "--encoding", enc}, tt.args...)
		code, out, errOut := runStdin(tt.stdin, args...)
		if code != tt.code || out != tt.out {
			t.Errorf("encode %q %v: exit %d, %q (stderr %q); want %d, %q", tt.stdin, tt.args, code, out, errOut, tt.code, tt.out)
		}
	}
	for _, c := range []struct {
		stdin string
		code  int
		out   string
	}{
		{"[31373, 995]", 0, "hello world"},
		{"[]", 0, ""},
		{"[50256]", 0, "<|endoftext|>"},
		{"[99999999]", 1, ""},
		{"[1,", 1, ""},
		{"[1] [2]", 1, ""},
		{`["a"]`, 1, ""},
	} {
		code, out, errOut := runStdin(c.stdin, "tokenizer", "decode", "--encoding", enc)
		if code != c.code || out != c.out {
			t.Errorf("decode %q: exit %d, %q (stderr %q); want %d, %q", c.stdin, code, out, errOut, c.code, c.out)
		}
	}
	if code, _, errOut := runTest("tokenizer", "encode", "--encoding", "nope.tiktoken", "--in", "/dev/null"); code != 1 || errOut == "" {
		t.Errorf("unknown encoding file: exit %d, stderr %q; want 1", code, errOut)
	}
}

func TestBenchTokenizer(t *testing.T) {
	corpus := sharedDataFile(t, "taylorswift.txt")
	dir := t.TempDir()
	prefix := filepath.Join(dir, "tok")
	if code, _, errOut := runTest("tokenizer", "train", "--vocab", "300", "--in", corpus, "--out", prefix); code != 0 {
		t.Fatalf("train: exit %d: %s", code, errOut)
	}
	code, out, errOut := runTest("bench", "tokenizer", "--encoding", prefix+".model", "--in", corpus,
		"--threads", "1", "--runs", "1", "--train-vocab", "300")
	if code != 0 {
		t.Fatalf("bench tokenizer: exit %d: %s", code, errOut)
	}
	var ops []string
	for _, line := range strings.Split(out, "\n") {
		if !strings.HasPrefix(line, "{") {
			continue
		}
		var rec tokenizerRecord
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("JSON line %q: %v", line, err)
		}
		if rec.Bench != "tokenizer" || rec.MBPerS <= 0 || rec.Bytes != 185768 {
			t.Errorf("record %+v", rec)
		}
		ops = append(ops, rec.Op+"/"+rec.Tokenizer)
	}
	if want := "encode/tok.model train/basic train/regex"; strings.Join(ops, " ") != want {
		t.Errorf("rows %v; want %s", ops, want)
	}
}
