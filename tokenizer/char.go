package tokenizer

import (
	"fmt"
	"maps"
	"slices"
	"unicode/utf8"
)

// Char is a character-level tokenizer, as nanoGPT's shakespeare_char: the
// vocabulary is the sorted unique characters (runes) of a text, and a
// character's id is its place in that order. It has no special tokens.
type Char struct {
	chars []rune
	index map[rune]int
}

// NewChar returns the tokenizer whose vocabulary is the characters of text.
// Invalid UTF-8 in text counts as U+FFFD.
func NewChar(text string) *Char {
	seen := make(map[rune]bool)
	for _, r := range text {
		seen[r] = true
	}
	c, _ := NewCharVocab(slices.Sorted(maps.Keys(seen)))
	return c
}

// NewCharVocab returns the tokenizer whose ids are the places of chars. A
// repeated or invalid character is an error.
func NewCharVocab(chars []rune) (*Char, error) {
	c := &Char{chars: slices.Clone(chars), index: make(map[rune]int, len(chars))}
	for i, r := range chars {
		if !utf8.ValidRune(r) {
			return nil, fmt.Errorf("tokenizer: char: %U is not a valid character", r)
		}
		if _, dup := c.index[r]; dup {
			return nil, fmt.Errorf("tokenizer: char: %q appears twice in the vocabulary", r)
		}
		c.index[r] = i
	}
	return c, nil
}

// Chars returns the vocabulary in id order. The caller may not change it.
func (c *Char) Chars() []rune { return c.chars }

// Encode returns the id of each character of text. A character outside the
// vocabulary is an error naming its byte offset.
func (c *Char) Encode(text string) ([]int, error) {
	ids := make([]int, 0, len(text))
	for i, r := range text {
		id, ok := c.index[r]
		if !ok {
			return nil, fmt.Errorf("tokenizer: char: %q at byte %d is not in the vocabulary", r, i)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// Decode returns the characters of ids. An id outside the vocabulary is an
// error.
func (c *Char) Decode(ids []int) (string, error) {
	b := make([]byte, 0, len(ids))
	for _, id := range ids {
		if id < 0 || id >= len(c.chars) {
			return "", fmt.Errorf("tokenizer: char: decode: id %d is not in the vocabulary (size %d)", id, len(c.chars))
		}
		b = utf8.AppendRune(b, c.chars[id])
	}
	return string(b), nil
}

// VocabSize returns the number of characters.
func (c *Char) VocabSize() int { return len(c.chars) }

// SpecialTokens returns an empty map: Char has no special tokens.
func (c *Char) SpecialTokens() map[string]int { return map[string]int{} }
