package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestBenchGenerate(t *testing.T) {
	code, out, errOut := runTest("bench", "generate", "--T", "8", "--n_layer", "1", "--n_embd", "16", "--n_head", "2", "--runs", "1")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var recs []generateRecord
	for _, l := range lines {
		if strings.HasPrefix(l, "{") {
			var r generateRecord
			if err := json.Unmarshal([]byte(l), &r); err != nil {
				t.Fatalf("bad JSON line %q: %v", l, err)
			}
			recs = append(recs, r)
		}
	}
	if len(recs) != 2 || recs[0].Impl != "cached" || recs[1].Impl != "uncached" || recs[0].T != 8 || recs[0].Tokens != 7 || !(recs[0].TokensPerS > 0) {
		t.Errorf("records %+v; want cached and uncached rows for T=8", recs)
	}
	if code, _, _ := runTest("bench", "generate", "--impl", "magic"); code != 2 {
		t.Errorf("unknown decoder: exit %d; want 2", code)
	}
}
