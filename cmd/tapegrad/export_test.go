package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tapegrad/tapegrad/tensor/gguf"
	"github.com/tapegrad/tapegrad/train"
)

// TestExport trains a tiny model and exports it as GGUF (float32, Q8_0,
// Q4_0) and as float32 safetensors.
func TestExport(t *testing.T) {
	dir, corpus, ckpt := tinyModel(t, "--n_embd", "32")
	for _, quant := range []string{"", "q8_0", "q4_0"} {
		g := filepath.Join(dir, "m"+quant+".gguf")
		args := []string{"export", "--checkpoint", ckpt, "--format", "gguf", "--out", g, "--data", corpus, "--iters", "2"}
		if quant != "" {
			args = append(args, "--quant", quant)
		}
		code, stdout, stderr := runTest(args...)
		if code != 0 {
			t.Fatalf("export %q: exit %d\n%s\n%s", quant, code, stdout, stderr)
		}
		for _, want := range []string{"parameters  ", "file size   ", " → ", "val loss    ", "the exported file read back"} {
			if !strings.Contains(stdout, want) {
				t.Errorf("export %q output lacks %q:\n%s", quant, want, stdout)
			}
		}
		b, err := os.ReadFile(g)
		if err != nil {
			t.Fatal(err)
		}
		f, err := gguf.Read(b)
		if err != nil {
			t.Fatalf("export %q: %v", quant, err)
		}
		qkv, ok := f.Tensor("blk.0.attn_qkv.weight")
		want := map[string]gguf.Type{"": gguf.F32, "q8_0": gguf.Q8_0, "q4_0": gguf.Q4_0}[quant]
		if !ok || qkv.Type != want || len(qkv.Shape) != 2 || qkv.Shape[0] != 96 || qkv.Shape[1] != 32 {
			t.Errorf("export %q: blk.0.attn_qkv.weight %v %v; want %v [96 32]", quant, qkv.Type, qkv.Shape, want)
		}
	}
	st := filepath.Join(dir, "model.safetensors")
	code, stdout, stderr := runTest("export", "--checkpoint", ckpt, "--format", "safetensors", "--out", st, "--data", corpus, "--iters", "2")
	if code != 0 {
		t.Fatalf("export safetensors: exit %d\n%s\n%s", code, stdout, stderr)
	}
	// The float32 file is the model itself: the same loss to every digit.
	if !strings.Contains(stdout, "(Δ +0.0000,") {
		t.Errorf("export safetensors: the val loss changed:\n%s", stdout)
	}
	if _, err := train.Load(st); err != nil {
		t.Errorf("export safetensors: %v", err)
	}
}

func TestExportErrors(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	os.WriteFile(empty, nil, 0o644)
	out := filepath.Join(dir, "out")
	for _, c := range []struct {
		args []string
		code int
		want string // in stderr
	}{
		{[]string{"export"}, 2, "--checkpoint is required"},
		{[]string{"export", "--checkpoint", empty, "--format", "gguf"}, 2, "--out is required"},
		{[]string{"export", "--checkpoint", empty, "--out", out}, 2, `--format ""`},
		{[]string{"export", "--checkpoint", empty, "--format", "onnx", "--out", out}, 2, `--format "onnx"`},
		{[]string{"export", "--checkpoint", empty, "--format", "gguf", "--quant", "q2_k", "--out", out}, 2, `--quant "q2_k"`},
		{[]string{"export", "--checkpoint", empty, "--format", "safetensors", "--quant", "q8_0", "--out", out}, 2, "--quant is for --format gguf"},
		{[]string{"export", "--checkpoint", empty, "--format", "gguf", "--out", empty}, 2, "must differ"},
		{[]string{"export", "--checkpoint", empty, "--format", "gguf", "--out", out, "extra"}, 2, "unexpected argument"},
		{[]string{"export", "--checkpoint", empty, "--format", "gguf", "--out", out}, 1, "safetensors"},
	} {
		code, _, stderr := runTest(c.args...)
		if code != c.code || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, %q; want exit %d and %q", c.args, code, stderr, c.code, c.want)
		}
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a failed export wrote --out")
	}
}
