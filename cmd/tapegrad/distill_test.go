package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tapegrad/tapegrad/train"
)

// tinyTeacher trains a two-layer teacher on a small corpus and returns the
// folder, the corpus and the teacher's checkpoint.
func tinyTeacher(t *testing.T) (dir, corpus, teacher string) {
	t.Helper()
	return tinyModel(t, "--n_layer", "2", "--samples", "0")
}

// tinyDistill are distill's flags for a run that takes well under a second.
func tinyDistill(teacher, corpus, out string, extra ...string) []string {
	args := []string{"distill", "--teacher", teacher, "--data", corpus, "--out", out,
		"--iters", "6", "--eval_interval", "3", "--eval_iters", "2", "--val_iters", "3"}
	return append(args, extra...)
}

// TestDistill distils a tiny teacher into a one-layer student, evaluates
// the student, resumes the run, and checks that train --resume refuses it.
func TestDistill(t *testing.T) {
	dir, corpus, teacher := tinyTeacher(t)
	out := filepath.Join(dir, "student")
	code, stdout, stderr := runTest(tinyDistill(teacher, corpus, out, "--n_layer", "1", "--temperature", "3", "--alpha", "0.8")...)
	if code != 0 {
		t.Fatalf("distill: exit %d\n%s\n%s", code, stdout, stderr)
	}
	for _, want := range []string{"distillation: temperature 3, alpha 0.8", "trained 6 steps", "teacher → student",
		"parameters  ", "file size   ", "val loss    ", "3 batches", "model.safetensors"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("distill output lacks %q:\n%s", want, stdout)
		}
	}
	for _, f := range []string{"ckpt.safetensors", "model.safetensors", "metrics.jsonl", "loss.png"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("distill did not write %s: %v", f, err)
		}
	}
	ckpt := filepath.Join(out, "ckpt.safetensors")
	ck, err := train.Load(ckpt)
	if err != nil {
		t.Fatal(err)
	}
	if ck.Model.Config.NLayer != 1 || ck.Step != 6 {
		t.Errorf("student checkpoint: %d layers at step %d; want 1 at 6", ck.Model.Config.NLayer, ck.Step)
	}
	if d, ok, err := train.DistillationOf(ck); !ok || err != nil || d.Temperature != 3 || d.Alpha != 0.8 || !filepath.IsAbs(d.Teacher) {
		t.Errorf("checkpoint's distillation %+v, %v, %v", d, ok, err)
	}
	code, stdout, stderr = runTest("eval", "--checkpoint", filepath.Join(out, "model.safetensors"), "--data", corpus, "--iters", "3")
	if code != 0 || !strings.HasPrefix(stdout, "val loss ") {
		t.Errorf("eval of the student: exit %d, %q %q", code, stdout, stderr)
	}

	code, stdout, stderr = runTest("distill", "--resume", ckpt, "--data", corpus, "--iters", "9", "--val_iters", "2")
	if code != 0 || !strings.Contains(stdout, "resumed at step 6") || !strings.Contains(stdout, "trained 9 steps") ||
		!strings.Contains(stdout, "temperature 3, alpha 0.8") {
		t.Errorf("distill --resume: exit %d\n%s\n%s", code, stdout, stderr)
	}
	code, _, stderr = runTest("train", "--resume", ckpt, "--data", corpus, "--max_iters", "12")
	if code != 1 || !strings.Contains(stderr, "distill --resume") {
		t.Errorf("train --resume of a distillation run: exit %d, %q; want 1 and a pointer to distill --resume", code, stderr)
	}
}

// TestDistillInitLayers starts the student from the teacher's second layer;
// a narrower student cannot be.
func TestDistillInitLayers(t *testing.T) {
	dir, corpus, teacher := tinyTeacher(t)
	out := filepath.Join(dir, "student")
	code, stdout, stderr := runTest(tinyDistill(teacher, corpus, out, "--n_layer", "1", "--init-layers", "1", "--iters", "0")...)
	if code != 0 || !strings.Contains(stdout, "from teacher layers [1]") {
		t.Fatalf("distill --init-layers 1: exit %d\n%s\n%s", code, stdout, stderr)
	}
	tck, err := train.Load(teacher)
	if err != nil {
		t.Fatal(err)
	}
	sck, err := train.Load(filepath.Join(out, "model.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	got, want := sck.Model.Blocks[0].MLP.CFc.Weight.Data.Data(), tck.Model.Blocks[1].MLP.CFc.Weight.Data.Data()
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("after 0 steps the student's block 0 c_fc[%d] = %v; the teacher's block 1 has %v", i, got[i], want[i])
		}
	}
	code, _, stderr = runTest(tinyDistill(teacher, corpus, filepath.Join(dir, "narrow"), "--n_layer", "1", "--n_embd", "8", "--init-layers", "0")...)
	if code != 1 || !strings.Contains(stderr, "n_embd 8 differs from the teacher's 16") {
		t.Errorf("distill --init-layers with a narrower student: exit %d, %q", code, stderr)
	}
}

func TestDistillErrors(t *testing.T) {
	dir, corpus, teacher := tinyTeacher(t)
	out := filepath.Join(dir, "x")
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"distill", "--data", corpus}, 2, "--teacher is required"},
		{tinyDistill(teacher, corpus, out, "--alpha", "1.5"), 2, "--alpha"},
		{tinyDistill(teacher, corpus, out, "--temperature", "0"), 2, "--temperature"},
		{tinyDistill(teacher, corpus, out, "--init-layers", "0,x"), 2, `"x" is not an integer`},
		{tinyDistill(teacher, corpus, out, "--init-layers", "-1"), 2, "negative"},
		{tinyDistill(teacher, corpus, out, "--max_iters", "5"), 2, "disagree"},
		{tinyDistill(teacher, corpus, out, "--block_size", "32"), 1, "block size 32 is longer than the teacher's 16"},
		{tinyDistill(teacher, corpus, out, "--n_layer", "1", "--init-layers", "0,1"), 1, "2 layers [0 1] for a student of n_layer 1"},
		{tinyDistill(teacher, corpus, out, "--init-layers", "0,2"), 1, "layer 2: the teacher has layers 0 to 1"},
		{tinyDistill(filepath.Join(dir, "missing"), corpus, out), 1, "missing"},
		{[]string{"distill", "--resume", teacher, "--data", corpus}, 1, "not a distillation run"},
		{[]string{"distill", "--resume", teacher, "--data", corpus, "--alpha", "0.1"}, 2, "--alpha cannot change"},
	} {
		code, _, stderr := runTest(c.args...)
		if code != c.code || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, %q; want %d and %q", c.args[1:], code, stderr, c.code, c.want)
		}
	}
}
