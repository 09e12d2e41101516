package tokenizer

import (
	"slices"
	"testing"
)

func TestChunks(t *testing.T) {
	tests := []struct {
		p    Pattern
		text string
		want []string
	}{
		{GPT2, "", nil},
		{GPT2, "Hello world", []string{"Hello", " world"}},
		// \s+(?!\S): a run before a word leaves its last space to the word.
		{GPT2, "a   b", []string{"a", "  ", " b"}},
		{GPT2, "a \n b", []string{"a", " \n", " b"}},
		{GPT2, "a\n\nb", []string{"a", "\n", "\n", "b"}},
		{GPT2, "end   ", []string{"end", "   "}},
		// GPT-2's contractions are case-sensitive.
		{GPT2, "I'M you've", []string{"I", "'", "M", " you", "'ve"}},
		{GPT2, " 123 !!", []string{" 123", " !!"}},
		{GPT2, " \u00850", []string{" ", "\u0085", "0"}},
		{GPT2, "\u00a0x", []string{"\u00a0", "x"}},
		{NoSplit, "a b", []string{"a b"}},
		// cl100k: case-insensitive contractions, letters after one
		// non-letter, numbers in threes, newlines kept with punctuation.
		{GPT4, "I'M WE'LL they'Ve 'ſ", []string{"I", "'M", " WE", "'LL", " they", "'Ve", " '", "ſ"}},
		{GPT4, "'ſ'S'x", []string{"'ſ", "'S", "'x"}},
		{GPT4, "1234567", []string{"123", "456", "7"}},
		{GPT4, "(hello)\tworld", []string{"(hello", ")", "\tworld"}},
		{GPT4, "ok!!\n\nnext", []string{"ok", "!!\n\n", "next"}},
		{GPT4, "today\n  \n", []string{"today", "\n  \n"}},
		{GPT4, "today\n ", []string{"today", "\n", " "}},
		{GPT4, "x  \n\t y", []string{"x", "  \n", "\t", " y"}},
		{GPT4, "\u3000ideographic", []string{"\u3000ideographic"}},
		{GPT4, "a\xffb", []string{"a", "\xffb"}},
		{GPT2, "a\xff\xfeb", []string{"a", "\xff\xfe", "b"}},
	}
	for _, tt := range tests {
		got := slices.Collect(tt.p.Chunks(tt.text))
		if !slices.Equal(got, tt.want) {
			t.Errorf("%v.Chunks(%q) = %q; want %q", tt.p, tt.text, got, tt.want)
		}
	}
}

func TestParsePattern(t *testing.T) {
	for src, want := range patternSources {
		if p, err := ParsePattern(src); err != nil || p != want {
			t.Errorf("ParsePattern(%q) = %v, %v; want %v", src, p, err, want)
		}
	}
	for _, p := range []Pattern{NoSplit, GPT2, GPT4} {
		if q, err := ParsePattern(p.Source()); err != nil || q != p {
			t.Errorf("ParsePattern(%v.Source()) = %v, %v", p, q, err)
		}
		if q, err := PatternByName(p.String()); err != nil || q != p {
			t.Errorf("PatternByName(%q) = %v, %v", p.String(), q, err)
		}
	}
	if _, err := ParsePattern(`\w+`); err == nil {
		t.Error(`ParsePattern(\w+): no error`)
	}
	if _, err := PatternByName("o200k"); err == nil {
		t.Error("PatternByName(o200k): no error")
	}
}

func TestSplitPoint(t *testing.T) {
	tests := []struct {
		text     string
		i, limit int
		want     int
	}{
		{"hello world", 1, 11, 5},
		{"hello world", 6, 11, -1}, // "world" ends the text: no non-letter after it
		{"hello world", 0, 11, -1},
		{"日本語です。次", 3, 30, 15},
		{"   ", 1, 3, -1},
	}
	for _, tt := range tests {
		if got := splitPoint(tt.text, tt.i, tt.limit); got != tt.want {
			t.Errorf("splitPoint(%q, %d, %d) = %d; want %d", tt.text, tt.i, tt.limit, got, tt.want)
		}
	}
}
