package compress

import (
	"encoding/json"
	"os"
	"slices"
	"testing"
)

// TestTopkTies: among equal scores, topkIndices picks the same entries as
// torch.topk on the CPU (testdata/topk_ties.json, made by
// testdata/gen_topk_ties.py with PyTorch 1.13), on both of its paths
// (partial_sort when 64·k ≤ n, nth_element otherwise).
func TestTopkTies(t *testing.T) {
	raw, err := os.ReadFile("testdata/topk_ties.json")
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Cases []struct {
			X       []float64 `json:"x"`
			K       int       `json:"k"`
			Largest bool      `json:"largest"`
			Indices []int     `json:"indices"`
		} `json:"cases"`
	}
	if err := json.Unmarshal(raw, &file); err != nil || len(file.Cases) == 0 {
		t.Fatalf("topk_ties.json: %d cases, %v", len(file.Cases), err)
	}
	for i, c := range file.Cases {
		got := topkIndices(c.X, c.K, c.Largest)
		slices.Sort(got)
		if !slices.Equal(got, c.Indices) {
			t.Errorf("case %d: topk(n=%d, k=%d, largest=%v) = %v; want %v", i, len(c.X), c.K, c.Largest, got, c.Indices)
		}
	}
}
