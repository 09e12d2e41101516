package data

import (
	"slices"
	"strings"
	"testing"

	"github.com/tapegrad/tapegrad/tokenizer"
)

func TestSyntheticDeterministic(t *testing.T) {
	a, b := Synthetic(1, SyntheticSize), Synthetic(1, SyntheticSize)
	if a != b {
		t.Fatal("Synthetic(1) gave two texts")
	}
	if len(a) > SyntheticSize || len(a) < SyntheticSize-10 {
		t.Errorf("len(Synthetic(1, %d)) = %d", SyntheticSize, len(a))
	}
	if Synthetic(2, SyntheticSize) == a {
		t.Error("seeds 1 and 2 gave the same text")
	}
	// The text a seed gives is a promise across releases: pin its start.
	if got, want := a[:30], pinnedSynthetic1; got != want {
		t.Errorf("Synthetic(1) starts %q; want %q", got, want)
	}
	if got := Synthetic(1, 25); got != a[:20] {
		t.Errorf("Synthetic(1, 25) = %q; want the first two lines %q", got, a[:20])
	}
	for _, size := range []int{-1, 0, 9} {
		if got := Synthetic(1, size); got != "" {
			t.Errorf("Synthetic(1, %d) = %q; want \"\"", size, got)
		}
	}
}

const pinnedSynthetic1 = "84+57=141\n40+45=580\n19+34=350\n"

func TestSyntheticLines(t *testing.T) {
	text := Synthetic(3, SyntheticSize)
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	seen := map[string]int{}
	for _, line := range lines {
		prompt, answer, ok := strings.Cut(line, "=")
		prompt += "="
		if !ok || len(line) != 9 || !ScoreSkill(prompt, answer) {
			t.Fatalf("line %q is not a right problem", line)
		}
		seen[prompt]++
	}
	// Every training problem appears, about equally often (shuffled epochs).
	train := len(problems(false))
	if len(seen) != train {
		t.Errorf("%d distinct problems; want all %d", len(seen), train)
	}
	lo, hi := len(lines), 0
	for _, n := range seen {
		lo, hi = min(lo, n), max(hi, n)
	}
	if hi-lo > 1 {
		t.Errorf("problems appear between %d and %d times; want at most one apart", lo, hi)
	}
	// The vocabulary of the text is the whole alphabet, and every prompt
	// encodes with it.
	tok := tokenizer.NewChar(text)
	if got := string(tok.Chars()); got != SyntheticAlphabet {
		t.Errorf("characters %q; want SyntheticAlphabet %q", got, SyntheticAlphabet)
	}
	for _, p := range SkillPrompts(3, 2000) {
		ans, _ := SkillAnswer(p)
		if _, err := tok.Encode(p + ans + "\n"); err != nil {
			t.Fatal(err)
		}
	}
}

func TestSkillPromptsHeldOut(t *testing.T) {
	prompts := SkillPrompts(1, 1<<20)
	if len(prompts) < 800 || len(prompts) > 1200 {
		t.Errorf("%d held-out prompts; want about 1000", len(prompts))
	}
	if len(prompts)+len(problems(false)) != 10000 {
		t.Errorf("%d held out + %d training != 10000 problems", len(prompts), len(problems(false)))
	}
	held := map[string]bool{}
	for _, p := range prompts {
		if held[p] {
			t.Errorf("prompt %q repeated", p)
		}
		held[p] = true
		// Held out in both orders.
		swapped := p[3:5] + "+" + p[:2] + "="
		if !slices.Contains(prompts, swapped) {
			t.Errorf("prompt %q is held out but %q is not", p, swapped)
		}
	}
	for _, seed := range []uint64{1, 2, 99} {
		for line := range strings.Lines(Synthetic(seed, SyntheticSize)) {
			if held[line[:6]] {
				t.Fatalf("Synthetic(%d) holds the held-out problem %q", seed, line)
			}
		}
	}
	if got := SkillPrompts(1, 5); !slices.Equal(got, SkillPrompts(1, 5)) || slices.Equal(got, SkillPrompts(2, 5)) {
		t.Errorf("SkillPrompts(1, 5) = %v: not deterministic, or the same as seed 2", got)
	}
	if got := SkillPrompts(1, 0); len(got) != 0 {
		t.Errorf("SkillPrompts(1, 0) = %v; want none", got)
	}
}

func TestScoreSkill(t *testing.T) {
	for _, tc := range []struct {
		prompt, completion string
		want               bool
	}{
		{"07+45=", "250", true}, // 52, ones first
		{"07+45=", "250\n12+34=640\n", true},
		{"07+45=", "052", false}, // most significant first is wrong
		{"07+45=", "25", false},
		{"07+45=", "2500", false},
		{"07+45=", " 250", false},
		{"07+45=", "", false},
		{"99+99=", "891", true},
		{"00+00=", "000", true},
		{"50+50=", "001", true},
		{"35+48=", "380\n", true},
		{"35+48=", "381", false},
		{"35+48", "380", false},
		{"3a+48=", "380", false},
		{"", "", false},
	} {
		if got := ScoreSkill(tc.prompt, tc.completion); got != tc.want {
			t.Errorf("ScoreSkill(%q, %q) = %v; want %v", tc.prompt, tc.completion, got, tc.want)
		}
	}
	for a := range 100 {
		for b := range 100 {
			p := string(appendProblem(nil, a, b, false))
			ans, ok := SkillAnswer(p)
			sum := a + b
			want := string([]byte{byte('0' + sum%10), byte('0' + sum/10%10), byte('0' + sum/100)})
			if !ok || ans != want {
				t.Fatalf("SkillAnswer(%q) = %q, %v; want %q", p, ans, ok, want)
			}
		}
	}
}
