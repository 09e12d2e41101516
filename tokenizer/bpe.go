package tokenizer

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// BPE is a byte-level byte-pair-encoding tokenizer: a Pattern splits text into
// chunks, and each chunk's bytes are merged pair by pair, lowest rank first
// (the leftmost pair among equals), as tiktoken's byte_pair_merge does. It
// comes from one of three sources, which differ in where ranks come from:
//
//   - minbpe (NewMinbpe, Train, ReadModel): bytes are ids 0–255 and merge i
//     joins two ids into id 256+i with rank i;
//   - tiktoken (NewTiktoken, ReadTiktoken): every token's id is its rank, two
//     adjacent parts merge when their bytes together are a token, and a chunk
//     that is a whole token encodes to it directly (tiktoken's fast path);
//   - Hugging Face (ReadHF): ids from the vocabulary, ranks from the merges.
//
// A BPE is immutable and safe for concurrent use.
type BPE struct {
	name          string  // tiktoken's encoding name, when known
	pattern       Pattern // how text splits into chunks
	patternSource string  // the pattern as a file spelled it; written back
	source        source

	tokens    []string   // id → bytes of ordinary tokens; "" = no such id
	vocabSize int        // one more than the largest id, special tokens included
	byteID    [256]int32 // the id of each single byte

	// merges maps a pair of ids (left<<32 | right) to rank<<32 | id of the
	// token they merge into.
	merges mergeTable
	// rules lists the merges in rank order for minbpe and Hugging Face
	// tokenizers: left, right, result.
	rules [][3]int32
	// whole maps each ordinary token's bytes to its id when a chunk that is a
	// whole token encodes to that token without merging (tiktoken).
	whole map[string]int32

	special     map[string]int
	specialByID map[int]string
	specialList []string // longest first, for matching
}

// source says where a BPE's ranks come from.
type source int

const (
	fromMinbpe source = iota
	fromTiktoken
	fromHF
)

// maxGap bounds how far ids may run past the number of tokens, so a
// malformed file cannot make a loader allocate gigabytes.
const maxGap = 1 << 16

// NewMinbpe returns minbpe's tokenizer for merges: ids 0–255 are the bytes,
// and merges[i] joins two earlier ids into id 256+i. special maps special
// tokens to ids that no byte or merge uses (it may be nil).
func NewMinbpe(merges [][2]int, pattern Pattern, special map[string]int) (*BPE, error) {
	t := &BPE{pattern: pattern, patternSource: pattern.Source(), source: fromMinbpe}
	t.tokens = make([]string, 256, 256+len(merges))
	for b := range 256 {
		t.tokens[b] = string([]byte{byte(b)})
		t.byteID[b] = int32(b)
	}
	t.merges = newMergeTable(len(merges))
	t.rules = make([][3]int32, len(merges))
	for i, m := range merges {
		id := 256 + i
		a, b := m[0], m[1]
		if a < 0 || b < 0 || a >= id || b >= id {
			return nil, fmt.Errorf("tokenizer: merge %d (%d %d) uses an id that is not yet defined", i, a, b)
		}
		key := pairKey(int32(a), int32(b))
		if t.merges.get(key) != noMerge {
			return nil, fmt.Errorf("tokenizer: merge %d (%d %d) repeats an earlier merge", i, a, b)
		}
		t.merges.put(key, uint64(i)<<32|uint64(id))
		t.rules[i] = [3]int32{int32(a), int32(b), int32(id)}
		t.tokens = append(t.tokens, t.tokens[a]+t.tokens[b])
	}
	if err := t.setSpecial(special); err != nil {
		return nil, err
	}
	return t, nil
}

// NewTiktoken returns tiktoken's tokenizer for ranks (token bytes → rank,
// which is also the token's id): name is the encoding's name (may be ""),
// pattern its split and special its special tokens (may be nil). Every single
// byte must be a token, ranks and tokens must be unique, and ranks must not
// leave gaps of more than 65536 ids.
func NewTiktoken(name string, ranks map[string]int, pattern Pattern, special map[string]int) (*BPE, error) {
	t := &BPE{name: name, pattern: pattern, patternSource: pattern.Source(), source: fromTiktoken}
	maxRank := -1
	for tok, r := range ranks {
		if tok == "" {
			return nil, fmt.Errorf("tokenizer: tiktoken: rank %d has an empty token", r)
		}
		if r < 0 {
			return nil, fmt.Errorf("tokenizer: tiktoken: token %q has negative rank %d", tok, r)
		}
		maxRank = max(maxRank, r)
	}
	if maxRank >= len(ranks)+maxGap || maxRank >= 1<<31-1 {
		return nil, fmt.Errorf("tokenizer: tiktoken: rank %d is far beyond the %d tokens", maxRank, len(ranks))
	}
	t.tokens = make([]string, maxRank+1)
	t.whole = make(map[string]int32, len(ranks))
	for tok, r := range ranks {
		if prev := t.tokens[r]; prev != "" {
			a, b := min(prev, tok), max(prev, tok)
			return nil, fmt.Errorf("tokenizer: tiktoken: tokens %q and %q share rank %d", a, b, r)
		}
		t.tokens[r] = tok
		t.whole[tok] = int32(r)
	}
	if err := t.setByteIDs(); err != nil {
		return nil, err
	}
	// Two adjacent parts merge when their bytes together are a token: list
	// every split of every token into two tokens.
	n := 0
	for _, tok := range t.tokens {
		n += max(len(tok)-1, 0)
	}
	t.merges = newMergeTable(n / 2)
	for r, tok := range t.tokens {
		for k := 1; k < len(tok); k++ {
			a, ok := t.whole[tok[:k]]
			if !ok {
				continue
			}
			if b, ok := t.whole[tok[k:]]; ok {
				t.merges.put(pairKey(a, b), uint64(r)<<32|uint64(r))
			}
		}
	}
	if err := t.setSpecial(special); err != nil {
		return nil, err
	}
	return t, nil
}

// newVocabBPE returns a tokenizer with the given tokens (by id; "" for no
// such id) and merge rules in rank order (left, right, result), as Hugging
// Face's BPE model has them.
func newVocabBPE(tokens []string, rules [][3]int32, pattern Pattern, special map[string]int, wholeFirst bool) (*BPE, error) {
	t := &BPE{pattern: pattern, patternSource: pattern.Source(), source: fromHF, tokens: tokens, rules: rules}
	if err := t.setByteIDs(); err != nil {
		return nil, err
	}
	t.merges = newMergeTable(len(rules))
	for r, m := range rules {
		// Hugging Face collects the merges into a map: a repeated pair keeps
		// the rank of its last occurrence.
		t.merges.put(pairKey(m[0], m[1]), uint64(r)<<32|uint64(m[2]))
	}
	if wholeFirst {
		t.whole = make(map[string]int32, len(tokens))
		for id, tok := range tokens {
			if tok != "" {
				t.whole[tok] = int32(id)
			}
		}
	}
	if err := t.setSpecial(special); err != nil {
		return nil, err
	}
	return t, nil
}

// setByteIDs finds the id of every single byte.
func (t *BPE) setByteIDs() error {
	var seen [256]bool
	for id, tok := range t.tokens {
		if len(tok) == 1 && !seen[tok[0]] {
			t.byteID[tok[0]] = int32(id)
			seen[tok[0]] = true
		}
	}
	for b, ok := range seen {
		if !ok {
			return fmt.Errorf("tokenizer: byte 0x%02x is not a token, so not every text can be encoded", b)
		}
	}
	return nil
}

// setSpecial sets the special tokens. Their ids may lie anywhere outside
// the ordinary tokens' ids (minbpe's tests give a 320-token vocabulary
// cl100k's special ids).
func (t *BPE) setSpecial(special map[string]int) error {
	t.special = make(map[string]int, len(special))
	t.specialByID = make(map[int]string, len(special))
	t.vocabSize = len(t.tokens)
	for _, s := range slices.Sorted(maps.Keys(special)) {
		id := special[s]
		switch {
		case s == "":
			return fmt.Errorf("tokenizer: special token %d has empty text", id)
		case id < 0 || id >= 1<<31-1:
			return fmt.Errorf("tokenizer: special token %q has id %d, out of range", s, id)
		case id < len(t.tokens) && t.tokens[id] != "":
			return fmt.Errorf("tokenizer: special token %q has id %d, which is already the token %q", s, id, t.tokens[id])
		}
		if prev, dup := t.specialByID[id]; dup {
			return fmt.Errorf("tokenizer: special tokens %q and %q share id %d", prev, s, id)
		}
		t.special[s] = id
		t.specialByID[id] = s
		t.vocabSize = max(t.vocabSize, id+1)
	}
	t.specialList = slices.SortedFunc(maps.Keys(t.special), func(a, b string) int {
		return cmp.Or(cmp.Compare(len(b), len(a)), strings.Compare(a, b))
	})
	return nil
}

// Name returns the tiktoken encoding's name ("cl100k_base"), or "".
func (t *BPE) Name() string { return t.name }

// Pattern returns how t splits text into chunks.
func (t *BPE) Pattern() Pattern { return t.pattern }

// VocabSize returns one more than the largest id, special tokens included.
func (t *BPE) VocabSize() int { return t.vocabSize }

// SpecialTokens returns the special tokens' ids by text. The caller may not
// change the map.
func (t *BPE) SpecialTokens() map[string]int { return t.special }

// Token returns the bytes of the token id (a special token's text) and
// whether id is in the vocabulary.
func (t *BPE) Token(id int) (string, bool) {
	if id >= 0 && id < len(t.tokens) && t.tokens[id] != "" {
		return t.tokens[id], true
	}
	s, ok := t.specialByID[id]
	return s, ok
}

// Merges returns minbpe's merges: pairs of ids, merge i making id 256+i. It
// is nil for tokenizers that do not come from minbpe.
func (t *BPE) Merges() [][2]int {
	if t.source != fromMinbpe {
		return nil
	}
	m := make([][2]int, len(t.rules))
	for i, r := range t.rules {
		m[i] = [2]int{int(r[0]), int(r[1])}
	}
	return m
}

// Decode returns the bytes of ids joined, as a string.
func (t *BPE) Decode(ids []int) (string, error) {
	b, err := t.AppendDecode(nil, ids)
	return string(b), err
}

// AppendDecode appends the bytes of ids to dst and returns the extended
// slice. An id outside the vocabulary is an error; the bytes of the ids
// before it are appended.
func (t *BPE) AppendDecode(dst []byte, ids []int) ([]byte, error) {
	for _, id := range ids {
		if uint(id) < uint(len(t.tokens)) && t.tokens[id] != "" {
			dst = append(dst, t.tokens[id]...)
			continue
		}
		s, ok := t.specialByID[id]
		if !ok {
			return dst, fmt.Errorf("tokenizer: decode: id %d is not in the vocabulary (size %d)", id, t.vocabSize)
		}
		dst = append(dst, s...)
	}
	return dst, nil
}
