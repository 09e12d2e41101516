package tokenizer

import (
	"fmt"
	"iter"
	"unicode"
	"unicode/utf8"
)

// Pattern is a pre-tokenizer: it splits text into chunks that BPE encodes
// independently, so no token crosses a chunk boundary. The GPT-2 and GPT-4
// patterns are regular expressions with lookahead and possessive forms that
// Go's regexp rejects; here each is a hand-written scanner over runes that
// matches what tiktoken's Rust core (fancy-regex) finds, with the same
// Unicode classes: \p{L} is unicode.IsLetter, \p{N} is unicode.IsNumber and
// \s is the White_Space property (tab to carriage return, space, U+0085,
// U+00A0, U+1680, U+2000–U+200A, U+2028, U+2029, U+202F, U+205F, U+3000).
//
// The chunks of a text always concatenate back to the text, byte for byte,
// invalid UTF-8 included (an invalid byte is a one-byte "other" character).
type Pattern int

const (
	// NoSplit keeps the whole text as one chunk, as minbpe's BasicTokenizer.
	NoSplit Pattern = iota
	// GPT2 is the pattern of GPT-2 and tiktoken's r50k_base and p50k_base:
	//	's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
	GPT2
	// GPT4 is the pattern of GPT-4 and tiktoken's cl100k_base, minbpe's
	// GPT4_SPLIT_PATTERN:
	//	'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]++[\r\n]*|\s*[\r\n]|\s+(?!\S)|\s+
	GPT4
)

// The regular expressions the patterns stand for, as the reference systems
// spell them. ParsePattern accepts every spelling listed here.
const (
	// minbpe's GPT2_SPLIT_PATTERN.
	gpt2MinbpeSource = `'(?:[sdmt]|ll|ve|re)| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`
	// tiktoken's r50k_base / p50k_base and Hugging Face's ByteLevel regex.
	gpt2TiktokenSource = `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`
	// minbpe's GPT4_SPLIT_PATTERN and current tiktoken's cl100k_base.
	gpt4MinbpeSource = `'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]++[\r\n]*|\s*[\r\n]|\s+(?!\S)|\s+`
	// cl100k_base as older tiktoken releases (and the npm package) spell it.
	gpt4TiktokenSource = `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`
	// cl100k_base with the current contractions and the older newline rule.
	gpt4TiktokenSource2 = `'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]++[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`
)

var patternSources = map[string]Pattern{
	"":                  NoSplit,
	gpt2MinbpeSource:    GPT2,
	gpt2TiktokenSource:  GPT2,
	gpt4MinbpeSource:    GPT4,
	gpt4TiktokenSource:  GPT4,
	gpt4TiktokenSource2: GPT4,
}

// ParsePattern returns the Pattern a regular expression stands for. It knows
// the spellings of minbpe, tiktoken and Hugging Face for the GPT-2 and GPT-4
// patterns, and "" for NoSplit; any other expression is an error, since the
// scanners are written by hand.
func ParsePattern(source string) (Pattern, error) {
	if p, ok := patternSources[source]; ok {
		return p, nil
	}
	return 0, fmt.Errorf("tokenizer: unsupported split pattern %q (have the GPT-2 and GPT-4 patterns)", source)
}

// PatternByName returns the Pattern called name: "none" (or ""), "gpt2" or
// "gpt4" (also "r50k_base", "p50k_base" and "cl100k_base").
func PatternByName(name string) (Pattern, error) {
	switch name {
	case "", "none", "basic":
		return NoSplit, nil
	case "gpt2", "r50k_base", "p50k_base":
		return GPT2, nil
	case "gpt4", "cl100k_base":
		return GPT4, nil
	}
	return 0, fmt.Errorf("tokenizer: unknown pattern %q (have none, gpt2, gpt4)", name)
}

// String returns the pattern's name: "none", "gpt2" or "gpt4".
func (p Pattern) String() string {
	switch p {
	case NoSplit:
		return "none"
	case GPT2:
		return "gpt2"
	case GPT4:
		return "gpt4"
	}
	return fmt.Sprintf("Pattern(%d)", int(p))
}

// Source returns the regular expression p stands for, spelled as minbpe
// writes it in a .model file ("" for NoSplit).
func (p Pattern) Source() string {
	switch p {
	case GPT2:
		return gpt2MinbpeSource
	case GPT4:
		return gpt4MinbpeSource
	}
	return ""
}

func (p Pattern) valid() bool { return p >= NoSplit && p <= GPT4 }

// Chunks returns the chunks of text in order; they concatenate to text.
func (p Pattern) Chunks(text string) iter.Seq[string] {
	return func(yield func(string) bool) {
		for i := 0; i < len(text); {
			j := p.next(text, i)
			if !yield(text[i:j]) {
				return
			}
			i = j
		}
	}
}

// next returns the end of the chunk that starts at i < len(s).
func (p Pattern) next(s string, i int) int {
	switch p {
	case GPT2:
		return nextGPT2(s, i)
	case GPT4:
		return nextGPT4(s, i)
	}
	return len(s)
}

// Character classes of the patterns. Whitespace is split in two because
// GPT-4's rules treat \r and \n apart.
const (
	clOther   = iota // [^\s\p{L}\p{N}], and invalid UTF-8
	clLetter         // \p{L}
	clNumber         // \p{N}
	clSpace          // \s other than \r and \n
	clNewline        // \r or \n
)

var asciiClass = func() (t [utf8.RuneSelf]uint8) {
	for c := range utf8.RuneSelf {
		t[c] = classOf(rune(c))
	}
	return t
}()

func classOf(r rune) uint8 {
	switch {
	case r == '\r' || r == '\n':
		return clNewline
	case unicode.IsSpace(r): // White_Space, with U+0085 and U+00A0
		return clSpace
	case unicode.IsLetter(r):
		return clLetter
	case unicode.IsNumber(r):
		return clNumber
	}
	return clOther
}

// class returns the class and width of the character at s[i]; an invalid
// byte is a one-byte clOther.
func class(s string, i int) (uint8, int) {
	if c := s[i]; c < utf8.RuneSelf {
		return asciiClass[c], 1
	}
	r, n := utf8.DecodeRuneInString(s[i:])
	if r == utf8.RuneError && n == 1 {
		return clOther, 1
	}
	return classOf(r), n
}

func isSpaceClass(c uint8) bool { return c == clSpace || c == clNewline }

// run returns the end of the run of characters of class c that starts at i.
func run(s string, i int, c uint8) int {
	for i < len(s) && s[i] < utf8.RuneSelf && asciiClass[s[i]] == c {
		i++ // the common case, ASCII, without a call per byte
	}
	for i < len(s) {
		ci, n := class(s, i)
		if ci != c {
			break
		}
		i += n
	}
	return i
}

// spaceRun returns the end of the whitespace run at i, the start of its
// last character, and the end of its last \r or \n (-1 when it has none).
func spaceRun(s string, i int) (end, last, nl int) {
	last, nl = i, -1
	for i < len(s) {
		c, n := class(s, i)
		if !isSpaceClass(c) {
			break
		}
		last = i
		i += n
		if c == clNewline {
			nl = i
		}
	}
	return i, last, nl
}

// spaceEnd applies \s+(?!\S)|\s+ to the whitespace run [start, end) whose
// last character starts at last: at the end of the text the whole run; before
// a non-space, all but the last character, or the one character when the run
// has only one (then \s+ takes it).
func spaceEnd(s string, start, end, last int) int {
	if end == len(s) || last == start {
		return end
	}
	return last
}

// nextGPT2 scans one chunk of
//
//	's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
func nextGPT2(s string, i int) int {
	if s[i] == '\'' && i+1 < len(s) {
		switch s[i+1] {
		case 's', 't', 'm', 'd':
			return i + 2
		case 'r', 'v':
			if i+2 < len(s) && s[i+2] == 'e' {
				return i + 3
			}
		case 'l':
			if i+2 < len(s) && s[i+2] == 'l' {
				return i + 3
			}
		}
	}
	c, n := class(s, i)
	j := i
	if s[i] == ' ' && i+1 < len(s) {
		if c2, n2 := class(s, i+1); !isSpaceClass(c2) {
			j, c, n = i+1, c2, n2
		}
	}
	if !isSpaceClass(c) {
		return run(s, j+n, c) // letters, numbers or others
	}
	end, last, _ := spaceRun(s, i)
	return spaceEnd(s, i, end, last)
}

// nextGPT4 scans one chunk of
//
//	'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}+|\p{N}{1,3}|
//	 ?[^\s\p{L}\p{N}]++[\r\n]*|\s*[\r\n]|\s+(?!\S)|\s+
func nextGPT4(s string, i int) int {
	if s[i] == '\'' {
		if j := contraction(s, i+1); j > 0 {
			return j
		}
	}
	c, n := class(s, i)
	switch c {
	case clLetter:
		return run(s, i+n, clLetter)
	case clNumber:
		j := i + n
		for k := 1; k < 3 && j < len(s); k++ {
			c2, n2 := class(s, j)
			if c2 != clNumber {
				break
			}
			j += n2
		}
		return j
	}
	if c == clOther || c == clSpace { // [^\r\n\p{L}\p{N}]?+\p{L}+
		if j := i + n; j < len(s) {
			if c2, n2 := class(s, j); c2 == clLetter {
				return run(s, j+n2, clLetter)
			}
		}
	}
	j, cj := i, c
	if s[i] == ' ' && i+1 < len(s) {
		if c2, _ := class(s, i+1); c2 == clOther {
			j, cj = i+1, c2
		}
	}
	if cj == clOther { //  ?[^\s\p{L}\p{N}]++[\r\n]*
		_, nj := class(s, j)
		j = run(s, j+nj, clOther)
		for j < len(s) && (s[j] == '\r' || s[j] == '\n') {
			j++
		}
		return j
	}
	end, last, nl := spaceRun(s, i)
	if nl > 0 { // \s*[\r\n]: up to the run's last newline
		return nl
	}
	return spaceEnd(s, i, end, last)
}

// contraction matches (?i:[sdmt]|ll|ve|re) at s[i:], with Unicode simple
// case folding as the Rust regex crate applies it (so 'ſ' is an 's'), and
// returns the end of the match, or 0.
func contraction(s string, i int) int {
	r, n := decodeAt(s, i)
	switch {
	case n == 0:
		return 0
	case foldEq(r, 's') || foldEq(r, 'd') || foldEq(r, 'm') || foldEq(r, 't'):
		return i + n
	}
	for _, pair := range [...][2]rune{{'l', 'l'}, {'v', 'e'}, {'r', 'e'}} {
		if foldEq(r, pair[0]) {
			if r2, n2 := decodeAt(s, i+n); n2 > 0 && foldEq(r2, pair[1]) {
				return i + n + n2
			}
		}
	}
	return 0
}

// decodeAt decodes the rune at s[i]; n is 0 at the end of s.
func decodeAt(s string, i int) (rune, int) {
	if i >= len(s) {
		return 0, 0
	}
	if c := s[i]; c < utf8.RuneSelf {
		return rune(c), 1
	}
	return utf8.DecodeRuneInString(s[i:])
}

// foldEq reports whether r equals the lower-case ASCII letter c under simple
// case folding.
func foldEq(r, c rune) bool {
	if r == c || r == c-'a'+'A' {
		return true
	}
	if r < utf8.RuneSelf {
		return false
	}
	for f := unicode.SimpleFold(c); f != c; f = unicode.SimpleFold(f) {
		if f == r {
			return true
		}
	}
	return false
}

// splitPoint returns a position near i (at or after it, before limit) where
// every scan of text restarts: the character before it is a letter and the
// one at it is not. A chunk holding a letter ends where its letters end under
// both patterns, so scanning from such a point gives the same chunks as
// scanning from the start. It returns -1 when there is none before limit.
func splitPoint(text string, i, limit int) int {
	limit = min(limit, len(text))
	if i <= 0 || i >= limit {
		return -1
	}
	for i < limit && i < len(text) && !utf8.RuneStart(text[i]) {
		i++
	}
	prevLetter := false
	if i > 0 {
		r, n := utf8.DecodeLastRuneInString(text[:i])
		prevLetter = n > 0 && !(r == utf8.RuneError && n == 1) && classOf(r) == clLetter
	}
	for i < limit && i < len(text) {
		c, n := class(text, i)
		if prevLetter && c != clLetter {
			return i
		}
		prevLetter = c == clLetter
		i += n
	}
	return -1
}
