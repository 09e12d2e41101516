package tokenizer

import "unicode/utf8"

// StreamDecoder decodes ids one at a time, as a model generates them. A BPE
// token may end inside a UTF-8 character; the decoder holds back such an
// incomplete character until the ids that complete it arrive, so each piece
// of text it returns can be printed as it comes. Bytes that can never become
// valid UTF-8 are passed through at once.
type StreamDecoder struct {
	tok     Tokenizer
	pending []byte
	one     [1]int
}

// NewStreamDecoder returns a decoder for ids of tok.
func NewStreamDecoder(tok Tokenizer) *StreamDecoder {
	return &StreamDecoder{tok: tok}
}

// Add decodes id and returns the text that is now complete, possibly "". An
// id outside the vocabulary is an error and changes nothing.
func (d *StreamDecoder) Add(id int) (string, error) {
	d.one[0] = id
	s, err := d.tok.Decode(d.one[:])
	if err != nil {
		return "", err
	}
	d.pending = append(d.pending, s...)
	k := len(d.pending) - incompleteTail(d.pending)
	out := string(d.pending[:k])
	d.pending = append(d.pending[:0], d.pending[k:]...)
	return out, nil
}

// Flush returns the bytes held back, even if they are not valid UTF-8, and
// empties the decoder. The pieces Add returned and Flush's result join to the
// decoding of all the ids.
func (d *StreamDecoder) Flush() string {
	s := string(d.pending)
	d.pending = d.pending[:0]
	return s
}

// incompleteTail returns the length of the UTF-8 character that b ends in
// the middle of (a valid start that more bytes could complete), or 0.
func incompleteTail(b []byte) int {
	for k := 1; k <= utf8.UTFMax-1 && k <= len(b); k++ {
		if c := b[len(b)-k]; c&0xC0 == 0x80 {
			continue // a continuation byte: look further back for the start
		}
		tail := b[len(b)-k:]
		if !utf8.FullRune(tail) && maximalSubpart(string(tail)) == k {
			return k
		}
		return 0
	}
	return 0
}
