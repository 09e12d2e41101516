package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/tapegrad/tapegrad/train"
)

func TestBenchStepModelFlags(t *testing.T) {
	// The model flags override the preset; one row per thread count.
	code, out, errOut := runTest("bench", "step", "--n_layer", "1", "--n_head", "2", "--n_embd", "16",
		"--block_size", "8", "--batch_size", "3", "--iters", "2", "--warmup", "1", "--threads", "1,2")
	if code != 0 {
		t.Fatalf("exit status %d, stderr:\n%s", code, errOut)
	}
	table, records, raw := splitOutput(t, out)
	if len(table) != 1+2 || !strings.Contains(table[0], "peak RSS MiB") {
		t.Errorf("table = %q; want a header with peak RSS MiB and 2 rows", table)
	}
	if len(records) != 2 {
		t.Fatalf("%d JSON lines; want 2", len(records))
	}
	for i, th := range []int{1, 2} {
		// Field order is part of the format.
		// By default a batch is split into one shard per thread.
		prefix := fmt.Sprintf(`{"bench":"step","preset":"shakespeare-char-cpu","rope":false,"L":1,"H":2,"C":16,"B":3,"T":8,"threads":%d,"shards":%d,"ms":`, th, th)
		if !strings.HasPrefix(raw[i], prefix) || !strings.Contains(raw[i], `,"peak_rss_mb":`) {
			t.Errorf("JSON line %d = %s; want %s…,\"peak_rss_mb\":…}", i, raw[i], prefix)
		}
		r := records[i]
		if lo, med := r["ms_min"].(float64), r["ms"].(float64); !(lo > 0 && lo <= med) {
			t.Errorf("JSON line %d: ms_min = %v, ms = %v; want 0 < ms_min ≤ ms", i, lo, med)
		}
		if tps, ok := r["tokens_per_s"].(float64); !ok || !(tps > 0) {
			t.Errorf("JSON line %d: tokens_per_s = %v; want a positive number", i, r["tokens_per_s"])
		}
		if mb, ok := r["peak_rss_mb"].(float64); !ok || (runtime.GOOS == "linux" && !(mb > 0)) {
			t.Errorf("JSON line %d: peak_rss_mb = %v; want a positive number on Linux", i, r["peak_rss_mb"])
		}
	}
}

func TestBenchStepPresetDefaults(t *testing.T) {
	// Flags left unset keep the preset's values: tiny's shape, batch 3.
	code, out, errOut := runTest("bench", "step", "--preset", "tiny", "--batch_size", "3", "--iters", "1", "--warmup", "0", "--threads", "1", "--json")
	if code != 0 {
		t.Fatalf("exit status %d, stderr:\n%s", code, errOut)
	}
	_, records, _ := splitOutput(t, out)
	if len(records) != 1 {
		t.Fatalf("%d JSON lines; want 1", len(records))
	}
	cfg := train.Presets["tiny"]
	want := map[string]float64{"L": float64(cfg.Model.NLayer), "H": float64(cfg.Model.NHead), "C": float64(cfg.Model.NEmbd), "T": float64(cfg.Model.BlockSize), "B": 3}
	for k, v := range want {
		if got := records[0][k]; got != v {
			t.Errorf("%s = %v; want %v", k, got, v)
		}
	}
}

func TestBenchStepBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"--n_layer", "0"},
		{"--batch_size", "-1"},
		{"--n_embd", "10", "--n_head", "4"},
		{"--preset", "nope"},
		{"--iters", "0"},
	} {
		code, _, errOut := runTest(append([]string{"bench", "step", "--threads", "1"}, args...)...)
		if code != 2 || !strings.Contains(errOut, "bench step") {
			t.Errorf("bench step %v: exit status %d, stderr %q; want 2 and a usage error", args, code, errOut)
		}
	}
}

func TestBenchStepCPUProfile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "step.prof")
	code, _, errOut := runTest("bench", "step", "--n_layer", "1", "--n_head", "1", "--n_embd", "8", "--block_size", "4",
		"--batch_size", "1", "--iters", "1", "--warmup", "0", "--threads", "1", "--json", "--cpuprofile", path)
	if code != 0 {
		t.Fatalf("exit status %d, stderr:\n%s", code, errOut)
	}
	if fi, err := os.Stat(path); err != nil || fi.Size() == 0 {
		t.Errorf("--cpuprofile %s: %v, %v; want a non-empty profile", path, fi, err)
	}
}
