package tokenizer

import (
	"slices"
	"testing"
)

func TestChar(t *testing.T) {
	c := NewChar("hello, world\n")
	// nanoGPT: sorted(set(text)).
	if want := []rune("\n ,dehlorw"); !slices.Equal(c.Chars(), want) {
		t.Errorf("Chars() = %q; want %q", c.Chars(), want)
	}
	if c.VocabSize() != 10 || len(c.SpecialTokens()) != 0 {
		t.Errorf("VocabSize = %d, %d special; want 10, 0", c.VocabSize(), len(c.SpecialTokens()))
	}
	ids, err := c.Encode("hello")
	if want := []int{5, 4, 6, 6, 7}; err != nil || !slices.Equal(ids, want) {
		t.Errorf("Encode(hello) = %v, %v; want %v", ids, err, want)
	}
	if s, err := c.Decode(ids); err != nil || s != "hello" {
		t.Errorf("Decode(%v) = %q, %v", ids, s, err)
	}
	if _, err := c.Encode("help"); err == nil {
		t.Error("Encode(help): no error for 'p'")
	}
	for _, bad := range [][]int{{-1}, {10}} {
		if _, err := c.Decode(bad); err == nil {
			t.Errorf("Decode(%v): no error", bad)
		}
	}
	if _, err := NewCharVocab([]rune("aba")); err == nil {
		t.Error("NewCharVocab(aba): no error")
	}
}

func TestCharShakespeare(t *testing.T) {
	text := readShared(t, "tinyshakespeare.txt")
	c := NewChar(text)
	if c.VocabSize() != 65 { // nanoGPT's shakespeare_char
		t.Errorf("VocabSize = %d; want 65", c.VocabSize())
	}
}
