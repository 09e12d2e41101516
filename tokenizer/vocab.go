package tokenizer

import (
	"bufio"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// WriteVocab writes t's vocabulary for people to read, as minbpe's .vocab
// file: one line an id, "[token] id" for bytes and special tokens and
// "[left][right] -> [token] id" for merges. Tokens are shown as minbpe's
// render_token shows them: decoded as UTF-8 with U+FFFD for each maximal
// invalid sequence (Python's errors="replace"), and control, format,
// private-use and unassigned characters written as \uXXXX.
func (t *BPE) WriteVocab(w io.Writer) error {
	bw := bufio.NewWriter(w)
	made := make(map[int32][2]int32, len(t.rules))
	for _, r := range t.rules {
		made[r[2]] = [2]int32{r[0], r[1]}
	}
	for id, tok := range t.tokens {
		if tok == "" {
			continue
		}
		if pair, ok := made[int32(id)]; ok {
			fmt.Fprintf(bw, "[%s][%s] -> [%s] %d\n", renderToken(t.tokens[pair[0]]), renderToken(t.tokens[pair[1]]), renderToken(tok), id)
		} else {
			fmt.Fprintf(bw, "[%s] %d\n", renderToken(tok), id)
		}
	}
	for _, id := range slices.Sorted(maps.Keys(t.specialByID)) {
		fmt.Fprintf(bw, "[%s] %d\n", renderToken(t.specialByID[id]), id)
	}
	return bw.Flush()
}

// renderToken is minbpe's render_token.
func renderToken(tok string) string {
	var b strings.Builder
	for _, r := range decodeReplace(tok) {
		if isControl(r) {
			fmt.Fprintf(&b, "\\u%04x", r)
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// decodeReplace decodes s as UTF-8 the way Python's
// bytes.decode("utf-8", errors="replace") does: each maximal subpart of an
// invalid sequence becomes one U+FFFD.
func decodeReplace(s string) []rune {
	var out []rune
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r != utf8.RuneError || n > 1 {
			out = append(out, r)
			i += n
			continue
		}
		out = append(out, utf8.RuneError)
		i += maximalSubpart(s[i:])
	}
	return out
}

// maximalSubpart returns the length of the longest prefix of s (which does
// not start with a valid character) that could begin a valid UTF-8 sequence,
// at least 1.
func maximalSubpart(s string) int {
	c := s[0]
	var need int
	lo, hi := byte(0x80), byte(0xBF) // the range of the second byte
	switch {
	case c >= 0xC2 && c <= 0xDF:
		need = 1
	case c == 0xE0:
		need, lo = 2, 0xA0
	case c == 0xED:
		need, hi = 2, 0x9F
	case c >= 0xE1 && c <= 0xEF:
		need = 2
	case c == 0xF0:
		need, lo = 3, 0x90
	case c == 0xF4:
		need, hi = 3, 0x8F
	case c >= 0xF1 && c <= 0xF3:
		need = 3
	default:
		return 1
	}
	n := 1
	for k := 0; k < need && n < len(s); k++ {
		b := s[n]
		if k == 0 && (b < lo || b > hi) || k > 0 && (b < 0x80 || b > 0xBF) {
			break
		}
		n++
	}
	return n
}

// isControl reports whether Python's unicodedata.category(r) starts with
// "C": control, format, surrogate, private use or unassigned.
func isControl(r rune) bool {
	if unicode.In(r, unicode.Cc, unicode.Cf, unicode.Co, unicode.Cs) {
		return true
	}
	for name, table := range unicode.Categories {
		if len(name) == 2 && name[0] != 'C' && unicode.Is(table, r) {
			return false
		}
	}
	return true
}
