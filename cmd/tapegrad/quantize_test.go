package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestQuantize trains a tiny model, quantizes it with each scheme, and
// evaluates and samples from the quantized files directly.
func TestQuantize(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "run")
	corpus := filepath.Join(dir, "corpus.txt")
	os.WriteFile(corpus, []byte(strings.Repeat("to be or not to be, that is the question.\n", 40)), 0o644)
	// n_embd 32 so that Q8_0 and Q4_0 quantize every matrix.
	if code, stdout, stderr := runTest(tinyTrain(out, "--data", corpus, "--n_embd", "32")...); code != 0 {
		t.Fatalf("train: exit %d\n%s\n%s", code, stdout, stderr)
	}
	ckpt := filepath.Join(out, "ckpt.safetensors")
	for _, scheme := range []string{"int8", "q8_0", "q4_0"} {
		q := filepath.Join(dir, scheme+".safetensors")
		code, stdout, stderr := runTest("quantize", "--checkpoint", ckpt, "--scheme", scheme, "--out", q,
			"--data", corpus, "--iters", "3")
		if code != 0 {
			t.Fatalf("quantize %s: exit %d\n%s\n%s", scheme, code, stdout, stderr)
		}
		for _, want := range []string{"parameters  ", "file size   ", "the float32 model alone is", "val loss    ", " → "} {
			if !strings.Contains(stdout, want) {
				t.Errorf("quantize %s output lacks %q:\n%s", scheme, want, stdout)
			}
		}
		code, stdout, stderr = runTest("eval", "--checkpoint", q, "--data", corpus, "--iters", "3")
		if code != 0 || !strings.HasPrefix(stdout, "val loss ") {
			t.Errorf("eval %s: exit %d, %q %q", scheme, code, stdout, stderr)
		}
		code, stdout, stderr = runTest("sample", "--checkpoint", q, "--prompt", "to be", "--tokens", "12")
		if code != 0 || !strings.HasPrefix(stdout, "to be") {
			t.Errorf("sample %s: exit %d, %q %q", scheme, code, stdout, stderr)
		}
	}
	// Without --data: sizes only.
	code, stdout, stderr := runTest("quantize", "--checkpoint", ckpt, "--scheme", "q4_0", "--out", filepath.Join(dir, "sizes"))
	if code != 0 || !strings.Contains(stdout, "file size") || strings.Contains(stdout, "val loss") {
		t.Errorf("quantize without --data: exit %d\n%s\n%s", code, stdout, stderr)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".tapegrad-") {
			t.Errorf("quantize left %s behind", e.Name())
		}
	}
}

func TestQuantizeErrors(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	os.WriteFile(empty, nil, 0o644)
	out := filepath.Join(dir, "out")
	for _, c := range []struct {
		args []string
		code int
		want string // in stderr
	}{
		{[]string{"quantize"}, 2, "--checkpoint is required"},
		{[]string{"quantize", "--checkpoint", empty, "--scheme", "int8"}, 2, "--out is required"},
		{[]string{"quantize", "--checkpoint", empty, "--out", out}, 2, "--scheme is required"},
		{[]string{"quantize", "--checkpoint", empty, "--scheme", "q2_k", "--out", out}, 2, `--scheme "q2_k"`},
		{[]string{"quantize", "--checkpoint", empty, "--scheme", "int8", "--out", empty}, 2, "must differ"},
		{[]string{"quantize", "--checkpoint", empty, "--scheme", "int8", "--out", out, "--iters", "0"}, 2, "--iters 0"},
		{[]string{"quantize", "--checkpoint", empty, "--scheme", "int8", "--out", out, "extra"}, 2, "unexpected argument"},
		{[]string{"quantize", "--bogus"}, 2, "bogus"},
		{[]string{"quantize", "--checkpoint", empty, "--scheme", "int8", "--out", out}, 1, "safetensors"},
		{[]string{"quantize", "--checkpoint", filepath.Join(dir, "missing"), "--scheme", "int8", "--out", out}, 1, "missing"},
	} {
		code, _, stderr := runTest(c.args...)
		if code != c.code || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, %q; want exit %d and %q", c.args, code, stderr, c.code, c.want)
		}
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a failed quantize wrote --out")
	}
	code, stdout, _ := runTest("quantize", "-h")
	if code != 0 || !strings.Contains(stdout, "Examples:") || !strings.Contains(stdout, "-scheme") {
		t.Errorf("quantize -h: exit %d\n%s", code, stdout)
	}
}
