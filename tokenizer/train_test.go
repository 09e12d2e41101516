package tokenizer

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// naiveTrain is minbpe's train, transcribed: split, then every step recount
// all pairs of all chunks into a map that remembers first-seen order, take
// the most frequent (first seen among equals), and merge it everywhere.
func naiveTrain(text string, pattern Pattern, vocab int) ([][2]int, error) {
	var chunks [][]int
	for c := range pattern.Chunks(text) {
		ids := make([]int, len(c))
		for i := range len(c) {
			ids[i] = int(c[i])
		}
		chunks = append(chunks, ids)
	}
	var merges [][2]int
	for i := 0; i < vocab-256; i++ {
		counts := map[[2]int]int{}
		var order [][2]int
		for _, ids := range chunks {
			for k := 0; k+1 < len(ids); k++ {
				p := [2]int{ids[k], ids[k+1]}
				if _, ok := counts[p]; !ok {
					order = append(order, p)
				}
				counts[p]++
			}
		}
		if len(order) == 0 {
			return merges, ErrNoPairs
		}
		best := order[0]
		for _, p := range order[1:] {
			if counts[p] > counts[best] {
				best = p
			}
		}
		id := 256 + i
		for c, ids := range chunks {
			out := ids[:0]
			for k := 0; k < len(ids); k++ {
				if k+1 < len(ids) && ids[k] == best[0] && ids[k+1] == best[1] {
					out = append(out, id)
					k++
				} else {
					out = append(out, ids[k])
				}
			}
			chunks[c] = out
		}
		merges = append(merges, best)
	}
	return merges, nil
}

// randomText makes text with many repeats and ties: words from a small
// alphabet, digits, punctuation, white space runs and some non-ASCII.
func randomText(r *rand.Rand, n int) string {
	pieces := []string{"a", "b", "ab", "ba", "aa", " ", "  ", "\n", "\t", "1", "23", "!", "?!", "'s", "'LL", "é", "日本", "😉", "ſ", "\r\n", "x"}
	var b strings.Builder
	for b.Len() < n {
		b.WriteString(pieces[r.IntN(len(pieces))])
	}
	return b.String()
}

func TestTrainMatchesNaive(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	type tc struct {
		name  string
		text  string
		vocab int
	}
	cases := []tc{
		{"wikipedia", "aaabdaaabac", 259},
		{"overlaps", "aaaaaaaaaa aaaa aaa", 262},
		{"empty", "", 256},
	}
	for i := range 8 {
		cases = append(cases, tc{fmt.Sprintf("random%d", i), randomText(r, 200+r.IntN(3000)), 256 + 5 + r.IntN(120)})
	}
	if !testing.Short() {
		if text, ok := tryReadShared("taylorswift.txt"); ok {
			cases = append(cases, tc{"taylorswift[:20000]", text[:20000], 420})
		}
	}
	for _, c := range cases {
		for _, p := range []Pattern{NoSplit, GPT2, GPT4} {
			t.Run(c.name+"/"+p.String(), func(t *testing.T) {
				want, werr := naiveTrain(c.text, p, c.vocab)
				bpe, err := Train(c.text, TrainOptions{VocabSize: c.vocab, Pattern: p})
				if werr != nil {
					if !errors.Is(err, ErrNoPairs) {
						t.Fatalf("Train error %v; want ErrNoPairs", err)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				got := bpe.Merges()
				for i := range min(len(got), len(want)) {
					if got[i] != want[i] {
						t.Fatalf("merge %d = %v; want %v", i, got[i], want[i])
					}
				}
				if len(got) != len(want) {
					t.Fatalf("%d merges; want %d", len(got), len(want))
				}
				ids := bpe.EncodeOrdinary(c.text)
				if back, _ := bpe.Decode(ids); back != c.text {
					t.Errorf("round trip failed")
				}
			})
		}
	}
}

func TestTrainErrors(t *testing.T) {
	if _, err := Train("abc", TrainOptions{VocabSize: 255}); err == nil {
		t.Error("Train with vocabulary 255: no error")
	}
	if _, err := Train("abc", TrainOptions{VocabSize: 300}); !errors.Is(err, ErrNoPairs) {
		t.Errorf("Train(abc, 300) error = %v; want ErrNoPairs", err)
	}
	if _, err := Train("abc", TrainOptions{VocabSize: 257, Pattern: Pattern(9)}); err == nil {
		t.Error("Train with unknown pattern: no error")
	}
}

func TestTrainProgress(t *testing.T) {
	var got []Merge
	_, err := Train("aaabdaaabac", TrainOptions{VocabSize: 259, Progress: func(m Merge) { got = append(got, m) }})
	if err != nil {
		t.Fatal(err)
	}
	want := []Merge{
		{0, 3, [2]int{'a', 'a'}, 256, 4},
		{1, 3, [2]int{256, 'a'}, 257, 2},
		{2, 3, [2]int{257, 'b'}, 258, 2},
	}
	if !slices.Equal(got, want) {
		t.Errorf("progress = %v; want %v", got, want)
	}
}
