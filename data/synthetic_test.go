package data

import (
	"strings"
	"testing"

	"github.com/tapegrad/tapegrad/tokenizer"
)

func TestSyntheticDeterministic(t *testing.T) {
	a, b := Synthetic(1, SyntheticSize), Synthetic(1, SyntheticSize)
	if a != b {
		t.Fatal("Synthetic(1) differs between calls")
	}
	if len(a) > SyntheticSize || len(a) < SyntheticSize-40 {
		t.Errorf("len(Synthetic(1, %d)) = %d", SyntheticSize, len(a))
	}
	if Synthetic(2, SyntheticSize) == a {
		t.Error("seeds 1 and 2 give the same text")
	}
	if Synthetic(1, 3) != "" {
		t.Error("a size below one sentence does not give the empty text")
	}
}

// TestSyntheticGrammatical: every line is a sentence of the grammar, every
// character is in SyntheticAlphabet, and no held-out subject begins a line.
func TestSyntheticGrammatical(t *testing.T) {
	text := Synthetic(3, SyntheticSize)
	held := map[string]bool{}
	for _, p := range SkillPrompts(1, 1000) {
		held[strings.TrimSuffix(p, " ")] = true
	}
	if len(held) < 5 {
		t.Fatalf("only %d held-out subjects", len(held))
	}
	plural, singular := 0, 0
	for line := range strings.Lines(text) {
		line = strings.TrimSuffix(line, "\n")
		if !Grammatical(line) {
			t.Fatalf("line %q is not grammatical", line)
		}
		for p := range held {
			if strings.HasPrefix(line, p+" ") {
				t.Fatalf("line %q begins with held-out subject %q", line, p)
			}
		}
		if pl, _, _ := parseNP(strings.Split(line, " "), true); pl {
			plural++
		} else {
			singular++
		}
	}
	if plural < 1000 || singular < 1000 {
		t.Errorf("%d plural and %d singular sentences; want both common", plural, singular)
	}
	tok := tokenizer.NewChar(text)
	if got := string(tok.Chars()); got != SyntheticAlphabet {
		t.Errorf("characters %q; want SyntheticAlphabet %q", got, SyntheticAlphabet)
	}
}

func TestScoreSkill(t *testing.T) {
	for _, c := range []struct {
		prompt, completion string
		want               bool
	}{
		{"the red mice ", "chase a fox .\n", true},
		{"the red mice ", "chases a fox .\n", false}, // agreement
		{"the old fox", " sees the big wolves .\nthe", true},
		{"the old fox", " see the big wolves .", false},
		{"the old fox", " sees a wolves .", false}, // "a" takes a singular noun
		{"the old fox", " sees .", false},
		{"the old fox", " sees bob", false}, // no full stop
		{"the old fox", " sees bob . .", false},
		{"the old fox", "", false},
		{"alice", " likes carol .", true},
		{"the quick", " cats follow dave .", true},
		{"the quick", " quick cats follow dave .", false},
	} {
		if got := ScoreSkill(c.prompt, c.completion); got != c.want {
			t.Errorf("ScoreSkill(%q, %q) = %v; want %v", c.prompt, c.completion, got, c.want)
		}
	}
	for _, p := range SkillPrompts(1, 50) {
		if !strings.HasPrefix(p, "the ") || !strings.HasSuffix(p, " ") || len(strings.Fields(p)) != 3 {
			t.Errorf("prompt %q is not a \"the adjective noun\" subject", p)
		}
	}
}
