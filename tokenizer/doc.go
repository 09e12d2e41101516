// Package tokenizer turns text into token ids and back: a character-level
// tokenizer (Char) and a byte-level BPE (BPE) that matches tiktoken and
// minbpe id for id.
package tokenizer
