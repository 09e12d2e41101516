package tokenizer

// Tokenizer turns text into token ids and back. Char and BPE implement it.
//
// Encode returns the ids of text, or an error when text cannot be encoded (a
// character the Char vocabulary lacks, a special token's text that the
// tokenizer does not allow). Decode returns the text of ids, byte for byte:
// a BPE token may end inside a UTF-8 sequence, so the result of decoding part
// of a sequence need not be valid UTF-8; an id outside the vocabulary is an
// error. VocabSize is one more than the largest id. SpecialTokens maps each
// special token's text to its id; the caller may not change the map.
//
// Implementations are safe for concurrent use.
type Tokenizer interface {
	Encode(text string) ([]int, error)
	Decode(ids []int) (string, error)
	VocabSize() int
	SpecialTokens() map[string]int
}

var (
	_ Tokenizer = (*Char)(nil)
	_ Tokenizer = (*BPE)(nil)
)
