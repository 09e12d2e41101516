package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// tinyTrain are flags for a run that takes well under a second.
func tinyTrain(out string, extra ...string) []string {
	args := []string{"train", "--out", out, "--max_iters", "6", "--eval_interval", "3", "--eval_iters", "2",
		"--n_layer", "1", "--n_embd", "16", "--n_head", "2", "--block_size", "16", "--batch_size", "4",
		"--samples", "1", "--sample_tokens", "10"}
	return append(args, extra...)
}

// tinyModel writes a small corpus into a fresh folder and trains a tiny model
// on it into the folder's "run" (tinyTrain's flags, then extra). It returns
// the folder, the corpus and the checkpoint.
func tinyModel(t *testing.T, extra ...string) (dir, corpus, ckpt string) {
	t.Helper()
	dir = t.TempDir()
	corpus = filepath.Join(dir, "corpus.txt")
	if err := os.WriteFile(corpus, []byte(strings.Repeat("to be or not to be, that is the question.\n", 40)), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "run")
	if code, stdout, stderr := runTest(tinyTrain(out, append([]string{"--data", corpus}, extra...)...)...); code != 0 {
		t.Fatalf("train: exit %d\n%s\n%s", code, stdout, stderr)
	}
	return dir, corpus, filepath.Join(out, "ckpt.safetensors")
}

func TestTrainSampleEval(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "run")
	corpus := filepath.Join(dir, "corpus.txt")
	os.WriteFile(corpus, []byte(strings.Repeat("to be or not to be, that is the question.\n", 40)), 0o644)

	code, stdout, stderr := runTest(tinyTrain(out, "--data", corpus)...)
	if code != 0 {
		t.Fatalf("train: exit %d\n%s\n%s", code, stdout, stderr)
	}
	for _, want := range []string{"val loss", "--- sample 1 ---", "ckpt.safetensors"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("train output lacks %q:\n%s", want, stdout)
		}
	}
	for _, f := range []string{"ckpt.safetensors", "metrics.jsonl", "loss.png"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("train did not write %s: %v", f, err)
		}
	}
	ckpt := filepath.Join(out, "ckpt.safetensors")

	code, stdout, stderr = runTest("eval", "--checkpoint", ckpt, "--data", corpus, "--iters", "3")
	if code != 0 || !strings.HasPrefix(stdout, "val loss ") {
		t.Errorf("eval: exit %d, %q %q", code, stdout, stderr)
	}
	code, stdout, stderr = runTest("sample", "--checkpoint", ckpt, "--prompt", "to be", "--tokens", "12")
	if code != 0 || !strings.HasPrefix(stdout, "to be") {
		t.Errorf("sample: exit %d, %q %q", code, stdout, stderr)
	}
	code, stdout, stderr = runTest("train", "--resume", ckpt, "--data", corpus, "--max_iters", "9", "--samples", "0")
	if code != 0 || !strings.Contains(stdout, "trained 9 steps") {
		t.Errorf("resume: exit %d\n%s\n%s", code, stdout, stderr)
	}
}

func TestTrainErrors(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.txt")
	os.WriteFile(empty, nil, 0o644)
	for _, c := range []struct {
		args []string
		code int
	}{
		{[]string{"train", "--preset", "nope"}, 2},
		{[]string{"train", "--bogus"}, 2},
		{tinyTrain(filepath.Join(dir, "a"), "--data", filepath.Join(dir, "missing.txt")), 1},
		{tinyTrain(filepath.Join(dir, "b"), "--data", empty), 1},
		{[]string{"eval", "--checkpoint", filepath.Join(dir, "missing")}, 1},
		{[]string{"eval"}, 2},
		{[]string{"sample", "--checkpoint", empty}, 1},
	} {
		if code, _, stderr := runTest(c.args...); code != c.code {
			t.Errorf("%v: exit %d; want %d (%s)", c.args, code, c.code, stderr)
		}
	}
}
