package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tapegrad/tapegrad/compress"
	"github.com/tapegrad/tapegrad/train"
)

// TestQuantize trains a tiny model, quantizes it with each scheme, and
// evaluates and samples from the quantized files directly.
func TestQuantize(t *testing.T) {
	// n_embd 32 so that Q8_0 and Q4_0 quantize every matrix.
	dir, corpus, ckpt := tinyModel(t, "--n_embd", "32")
	for _, scheme := range []string{"f32", "int8", "q8_0", "q4_0"} {
		q := filepath.Join(dir, scheme+".safetensors")
		code, stdout, stderr := runTest("quantize", "--checkpoint", ckpt, "--scheme", scheme, "--out", q,
			"--data", corpus, "--iters", "3")
		if code != 0 {
			t.Fatalf("quantize %s: exit %d\n%s\n%s", scheme, code, stdout, stderr)
		}
		for _, want := range []string{"parameters  ", ", nonzero ", "compact     0 of ", "file size   ", "the float32 model alone is", "val loss    ", " → "} {
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

// TestQuantizePruned: on a checkpoint with half of each block weight zero,
// as tapegrad prune writes it, f32 and int8 store those matrices compactly,
// and the files load back with the zeros in place.
func TestQuantizePruned(t *testing.T) {
	dir, corpus, ckpt := tinyModel(t, "--n_embd", "32")
	ck, err := train.Load(ckpt)
	if err != nil {
		t.Fatal(err)
	}
	blocks := 0
	for _, p := range ck.Model.Params() {
		if p.Value.Data.Dims() == 2 && strings.HasPrefix(p.Name, "transformer.h.") {
			pr := compress.NewPruned(p.Value.Data)
			if err := pr.L1Unstructured(compress.Fraction(0.5)); err != nil {
				t.Fatal(err)
			}
			pr.Remove()
			blocks++
		}
	}
	pruned := filepath.Join(dir, "pruned.safetensors")
	if err := train.SaveModel(pruned, ck.Config, ck.Model, ck.Tokenizer); err != nil {
		t.Fatal(err)
	}
	for _, scheme := range []string{"f32", "int8"} {
		q := filepath.Join(dir, scheme+".safetensors")
		code, stdout, stderr := runTest("quantize", "--checkpoint", pruned, "--scheme", scheme, "--out", q, "--data", corpus, "--iters", "2")
		if code != 0 {
			t.Fatalf("quantize %s: exit %d\n%s\n%s", scheme, code, stdout, stderr)
		}
		if want := fmt.Sprintf("compact     %d of ", blocks); !strings.Contains(stdout, want) {
			t.Errorf("quantize %s output lacks %q:\n%s", scheme, want, stdout)
		}
		got, err := train.Load(q)
		if err != nil {
			t.Fatal(err)
		}
		zeros := 0
		for i, p := range ck.Model.Params() {
			for j, v := range p.Value.Data.Data() {
				w := got.Model.Params()[i].Value.Data.Data()[j]
				if v == 0 && w != 0 || scheme == "f32" && v != w {
					t.Fatalf("%s: %s[%d] = %v; saved %v", scheme, p.Name, j, w, v)
				}
				if v == 0 {
					zeros++
				}
			}
		}
		if zeros == 0 {
			t.Error("no zeros")
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
