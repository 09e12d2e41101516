package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tapegrad/tapegrad/data"
	"github.com/tapegrad/tapegrad/tokenizer"
)

// TestTrainOnTokenFolder: nanoGPT's layout (train.bin, val.bin) with the
// tokenizer file that made the ids trains, resumes and evaluates; ids from
// another tokenizer fail before training, naming the first bad one.
func TestTrainOnTokenFolder(t *testing.T) {
	dir := t.TempDir()
	text := data.Synthetic(1, 40_000)
	bpe, err := tokenizer.Train(text, tokenizer.TrainOptions{VocabSize: 300, Pattern: tokenizer.GPT4})
	if err != nil {
		t.Fatal(err)
	}
	if err := bpe.SaveModel(filepath.Join(dir, "tok")); err != nil {
		t.Fatal(err)
	}
	ids, err := bpe.Encode(text)
	if err != nil {
		t.Fatal(err)
	}
	tokens := filepath.Join(dir, "prepared")
	os.Mkdir(tokens, 0o755)
	tr, va := data.Split(ids, 0.9)
	if err := data.WriteTokens(filepath.Join(tokens, "train.bin"), tr, 2); err != nil {
		t.Fatal(err)
	}
	if err := data.WriteTokens(filepath.Join(tokens, "val.bin"), va, 2); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "run")
	model := filepath.Join(dir, "tok.model")
	// The file alone is not text.
	code, _, stderr := runTest("train", "--data", filepath.Join(tokens, "train.bin"), "--max_iters", "1")
	if code != 2 || !strings.Contains(stderr, "pass the folder that holds train.bin and val.bin") {
		t.Errorf("--data train.bin: exit %d, %q", code, stderr)
	}
	code, stdout, stderr := runTest("train", "--data", tokens, "--tokenizer", model, "--out", out, "--max_iters", "4", "--eval_interval", "2",
		"--eval_iters", "1", "--n_layer", "1", "--n_embd", "16", "--block_size", "8", "--batch_size", "2", "--samples", "1", "--sample_tokens", "5")
	if code != 0 {
		t.Fatalf("train on tokens: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "tokens of 2 bytes, vocabulary 300") {
		t.Errorf("train output does not describe the token folder:\n%s", stdout)
	}
	ckpt := filepath.Join(out, "ckpt.safetensors")
	if code, stdout, stderr := runTest("train", "--data", tokens, "--resume", ckpt, "--max_iters", "6"); code != 0 {
		t.Fatalf("resume on tokens: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if code, stdout, stderr := runTest("eval", "--checkpoint", ckpt, "--data", tokens, "--iters", "2"); code != 0 || !strings.HasPrefix(stdout, "val loss ") {
		t.Fatalf("eval on tokens: exit %d\n%s\n%s", code, stdout, stderr)
	}

	// A tokenizer of bytes alone (256 ids) cannot have made these ids.
	char := filepath.Join(dir, "small.model")
	small, _ := tokenizer.Train(text, tokenizer.TrainOptions{VocabSize: 256, Pattern: tokenizer.GPT4})
	small.SaveModel(strings.TrimSuffix(char, ".model"))
	code, _, stderr = runTest("train", "--data", tokens, "--tokenizer", char, "--out", filepath.Join(dir, "bad"), "--max_iters", "1")
	if code != 1 || !strings.Contains(stderr, "outside the tokenizer's vocabulary of 256") {
		t.Errorf("ids beyond the vocabulary: exit %d, %q", code, stderr)
	}
	code, _, stderr = runTest("train", "--data", tokens, "--out", filepath.Join(dir, "bad2"), "--max_iters", "1")
	if code != 2 || !strings.Contains(stderr, "--tokenizer must name the tokenizer file") {
		t.Errorf("no tokenizer file: exit %d, %q", code, stderr)
	}
	code, _, stderr = runTest("train", "--data", tokens, "--tokenizer", model, "--token_bytes", "3", "--max_iters", "1")
	if code != 2 || !strings.Contains(stderr, "--token_bytes 3") {
		t.Errorf("--token_bytes 3: exit %d, %q", code, stderr)
	}
}
