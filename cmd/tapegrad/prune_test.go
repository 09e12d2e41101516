package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPrune trains a tiny model and prunes it with every method, then
// evaluates and samples from the results.
func TestPrune(t *testing.T) {
	dir, corpus, ckpt := tinyModel(t, "--n_layer", "2")
	for _, c := range []struct {
		name  string
		args  []string
		wants []string
	}{
		{"magnitude", []string{"--method", "magnitude", "--amount", "0.5", "--finetune", "2"}, []string{"pruned  ", "fine-tuned"}},
		{"global", []string{"--method", "magnitude", "--global", "--amount", "0.3"}, []string{"magnitude, global"}},
		{"wanda", []string{"--method", "wanda", "--amount", "0.5", "--gradual", "--finetune", "4"}, []string{"wanda, gradual", "fine-tuned"}},
		{"heads", []string{"--method", "heads", "--amount", "0.25", "--finetune", "2", "--time", "2"}, []string{"removed heads [[", "h/64 ", "step time"}},
		{"neurons", []string{"--method", "neurons", "--amount", "0.5"}, []string{"MLP units (per layer)", "(heads/MLP width)"}},
		{"none", []string{"--method", "none", "--finetune", "2"}, []string{"fine-tuned"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := filepath.Join(dir, c.name+".safetensors")
			args := append([]string{"prune", "--checkpoint", ckpt, "--data", corpus, "--out", p, "--eval-iters", "2", "--calib", "2"}, c.args...)
			code, stdout, stderr := runTest(args...)
			if code != 0 {
				t.Fatalf("prune: exit %d\n%s\n%s", code, stdout, stderr)
			}
			for _, want := range append(c.wants, "before", "nonzero", "val loss") {
				if !strings.Contains(stdout, want) {
					t.Errorf("output lacks %q:\n%s", want, stdout)
				}
			}
			code, stdout, stderr = runTest("eval", "--checkpoint", p, "--data", corpus, "--iters", "2")
			if code != 0 || !strings.HasPrefix(stdout, "val loss ") {
				t.Errorf("eval: exit %d, %q %q", code, stdout, stderr)
			}
			code, stdout, stderr = runTest("sample", "--checkpoint", p, "--prompt", "to be", "--tokens", "8")
			if code != 0 || !strings.HasPrefix(stdout, "to be") {
				t.Errorf("sample: exit %d, %q %q", code, stdout, stderr)
			}
		})
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".tapegrad-") {
			t.Errorf("prune left %s behind", e.Name())
		}
	}
}

func TestPruneErrors(t *testing.T) {
	dir := t.TempDir()
	ck := filepath.Join(dir, "ck")
	base := []string{"prune", "--checkpoint", ck, "--out", filepath.Join(dir, "out")}
	data := []string{"--data", filepath.Join(dir, "corpus")}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"prune", "--data", "x", "--method", "heads", "--out", "o"}, "--checkpoint is required"},
		{append(append([]string(nil), base...), "--method", "heads"), "--data is required"},
		{append(append([]string(nil), base...), data...), "--method is required"},
		{append(append(append([]string(nil), base...), data...), "--method", "svd"), `--method "svd"`},
		{append(append(append([]string(nil), base...), data...), "--method", "heads", "--amount", "1"), "--amount 1 is not in (0, 1)"},
		{append(append(append([]string(nil), base...), data...), "--method", "wanda", "--amount", "0"), "--amount 0 is not in (0, 1)"},
		{append(append(append([]string(nil), base...), data...), "--method", "heads", "--global"), "--global applies to --method magnitude only"},
		{append(append(append([]string(nil), base...), data...), "--method", "neurons", "--gradual", "--finetune", "5"), "--gradual applies to magnitude and wanda"},
		{append(append(append([]string(nil), base...), data...), "--method", "magnitude", "--gradual"), "give --finetune steps"},
		{append(append(append([]string(nil), base...), data...), "--method", "none"), "--method none prunes nothing"},
	} {
		code, _, stderr := runTest(c.args...)
		if code != 2 || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", c.args[1:], code, stderr, c.want)
		}
	}
	code, stdout, _ := runTest("prune", "-h")
	if code != 0 || !strings.Contains(stdout, "Michel et al.") || !strings.Contains(stdout, "--finetune") {
		t.Errorf("prune -h: exit %d\n%s", code, stdout)
	}
}
