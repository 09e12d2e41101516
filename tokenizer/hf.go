package tokenizer

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
)

// byteRune is GPT-2's bytes_to_unicode: the printable character that stands
// for each byte in a byte-level vocabulary (printable Latin-1 bytes stand for
// themselves, the others for U+0100 onwards), and runeByte its inverse.
var byteRune, runeByte = func() (br [256]rune, rb map[rune]byte) {
	rb = make(map[rune]byte, 256)
	n := 0
	for b := range 256 {
		switch {
		case b >= '!' && b <= '~', b >= 0xA1 && b <= 0xAC, b >= 0xAE && b <= 0xFF:
			br[b] = rune(b)
		default:
			br[b] = rune(256 + n)
			n++
		}
		rb[br[b]] = byte(b)
	}
	return br, rb
}()

// hfEncode maps token bytes to a byte-level vocabulary string.
func hfEncode(tok string) string {
	var b strings.Builder
	for i := 0; i < len(tok); i++ {
		b.WriteRune(byteRune[tok[i]])
	}
	return b.String()
}

// hfDecode maps a byte-level vocabulary string back to bytes.
func hfDecode(s string) (string, error) {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		c, ok := runeByte[r]
		if !ok {
			return "", fmt.Errorf("%q is not a byte-level token (%q stands for no byte)", s, r)
		}
		b = append(b, c)
	}
	return string(b), nil
}

// hfFile is the part of a Hugging Face tokenizer.json that a byte-level BPE
// uses.
type hfFile struct {
	AddedTokens []struct {
		ID      int    `json:"id"`
		Content string `json:"content"`
	} `json:"added_tokens"`
	Normalizer   json.RawMessage `json:"normalizer"`
	PreTokenizer *hfPreTokenizer `json:"pre_tokenizer"`
	Model        struct {
		Type                    string            `json:"type"`
		Dropout                 *float64          `json:"dropout"`
		ContinuingSubwordPrefix *string           `json:"continuing_subword_prefix"`
		EndOfWordSuffix         *string           `json:"end_of_word_suffix"`
		ByteFallback            bool              `json:"byte_fallback"`
		IgnoreMerges            bool              `json:"ignore_merges"`
		Vocab                   map[string]int    `json:"vocab"`
		Merges                  []json.RawMessage `json:"merges"`
	} `json:"model"`
}

type hfPreTokenizer struct {
	Type           string                   `json:"type"`
	AddPrefixSpace bool                     `json:"add_prefix_space"`
	UseRegex       *bool                    `json:"use_regex"`
	Pattern        *struct{ Regex *string } `json:"pattern"`
	Behavior       string                   `json:"behavior"`
	Invert         bool                     `json:"invert"`
	PreTokenizers  []hfPreTokenizer         `json:"pretokenizers"`
}

// hfPattern returns the split a pre_tokenizer stands for: ByteLevel (its own
// regex, GPT-2's, unless use_regex is false) alone or after a Split with an
// isolated regex.
func hfPattern(p *hfPreTokenizer) (Pattern, string, error) {
	if p == nil {
		return 0, "", fmt.Errorf("no pre_tokenizer (want ByteLevel)")
	}
	byteLevel := func(q *hfPreTokenizer) error {
		if q.Type != "ByteLevel" {
			return fmt.Errorf("pre_tokenizer %q is not supported (want ByteLevel)", q.Type)
		}
		if q.AddPrefixSpace {
			return fmt.Errorf("ByteLevel add_prefix_space is not supported")
		}
		return nil
	}
	switch p.Type {
	case "ByteLevel":
		if err := byteLevel(p); err != nil {
			return 0, "", err
		}
		if p.UseRegex != nil && !*p.UseRegex {
			return NoSplit, "", nil
		}
		return GPT2, gpt2TiktokenSource, nil
	case "Sequence":
		if len(p.PreTokenizers) != 2 {
			return 0, "", fmt.Errorf("pre_tokenizer Sequence of %d is not supported (want Split, ByteLevel)", len(p.PreTokenizers))
		}
		s, b := &p.PreTokenizers[0], &p.PreTokenizers[1]
		if s.Type != "Split" || s.Pattern == nil || s.Pattern.Regex == nil || s.Behavior != "Isolated" || s.Invert {
			return 0, "", fmt.Errorf("pre_tokenizer Sequence: want an isolated Split on a Regex first")
		}
		if err := byteLevel(b); err != nil {
			return 0, "", err
		}
		if b.UseRegex == nil || *b.UseRegex {
			return 0, "", fmt.Errorf("pre_tokenizer Sequence: ByteLevel after Split must not split again (use_regex false)")
		}
		pat, err := ParsePattern(*s.Pattern.Regex)
		return pat, *s.Pattern.Regex, err
	}
	return 0, "", fmt.Errorf("pre_tokenizer %q is not supported (want ByteLevel)", p.Type)
}

// ReadHF reads a Hugging Face tokenizer.json that holds a byte-level BPE:
// model type BPE with GPT-2's byte-to-unicode vocabulary, merges as "a b"
// strings or ["a", "b"] pairs, a ByteLevel pre-tokenizer (or a Split on the
// GPT-2 or GPT-4 regex followed by ByteLevel) and no normalizer. Added tokens
// become special tokens. Anything else is an error; so is malformed JSON.
func ReadHF(r io.Reader) (*BPE, error) {
	var f hfFile
	dec := json.NewDecoder(r)
	if err := dec.Decode(&f); err != nil {
		return nil, inContext("hf", err)
	}
	fail := func(format string, args ...any) (*BPE, error) {
		return nil, fmt.Errorf("tokenizer: hf: "+format, args...)
	}
	m := &f.Model
	switch {
	case m.Type != "" && m.Type != "BPE":
		return fail("model type %q is not supported (want BPE)", m.Type)
	case m.Dropout != nil && *m.Dropout != 0:
		return fail("BPE dropout is not supported")
	case m.ContinuingSubwordPrefix != nil && *m.ContinuingSubwordPrefix != "",
		m.EndOfWordSuffix != nil && *m.EndOfWordSuffix != "":
		return fail("subword prefixes and suffixes are not supported (not a byte-level BPE)")
	case m.ByteFallback:
		return fail("byte_fallback is not supported (not a byte-level BPE)")
	case len(f.Normalizer) > 0 && string(f.Normalizer) != "null":
		return fail("normalizers are not supported")
	case len(m.Vocab) == 0:
		return fail("the model has no vocab")
	}
	pattern, source, err := hfPattern(f.PreTokenizer)
	if err != nil {
		return fail("%v", err)
	}
	maxID := -1
	for _, id := range m.Vocab {
		maxID = max(maxID, id)
	}
	if maxID >= len(m.Vocab)+maxGap {
		return fail("vocab id %d is far beyond the %d tokens", maxID, len(m.Vocab))
	}
	tokens := make([]string, maxID+1)
	byToken := make(map[string]int32, len(m.Vocab))
	for _, s := range slices.Sorted(maps.Keys(m.Vocab)) {
		id := m.Vocab[s]
		if id < 0 {
			return fail("vocab: %q has negative id %d", s, id)
		}
		tok, err := hfDecode(s)
		if err != nil {
			return fail("vocab: %v", err)
		}
		if tok == "" {
			return fail("vocab: empty token (id %d)", id)
		}
		if tokens[id] != "" {
			return fail("vocab: id %d is both %q and %q", id, hfEncode(tokens[id]), s)
		}
		tokens[id] = tok
		byToken[tok] = int32(id)
	}
	special := make(map[string]int, len(f.AddedTokens))
	for _, a := range f.AddedTokens {
		if a.ID < 0 || a.Content == "" {
			return fail("added token %q with id %d", a.Content, a.ID)
		}
		if a.ID < len(tokens) && tokens[a.ID] != "" {
			// GPT-2 lists <|endoftext|> in both places.
			if hfEncode(tokens[a.ID]) != a.Content {
				return fail("added token %q has id %d, which is the token %q", a.Content, a.ID, hfEncode(tokens[a.ID]))
			}
			delete(byToken, tokens[a.ID])
			tokens[a.ID] = ""
		}
		special[a.Content] = a.ID
	}
	rules := make([][3]int32, 0, len(m.Merges))
	for i, raw := range m.Merges {
		a, b, err := hfMerge(raw)
		if err != nil {
			return fail("merge %d: %v", i, err)
		}
		ta, err1 := hfDecode(a)
		tb, err2 := hfDecode(b)
		if err := cmp.Or(err1, err2); err != nil {
			return fail("merge %d: %v", i, err)
		}
		ia, ok1 := byToken[ta]
		ib, ok2 := byToken[tb]
		ic, ok3 := byToken[ta+tb]
		if !ok1 || !ok2 || !ok3 {
			return fail("merge %d (%q %q): a token is not in the vocab", i, a, b)
		}
		rules = append(rules, [3]int32{ia, ib, ic})
	}
	t, err := newVocabBPE(tokens, rules, pattern, special, m.IgnoreMerges)
	if err != nil {
		return nil, inContext("hf", err)
	}
	t.patternSource = source
	return t, nil
}

// hfMerge reads a merge: "a b" or ["a", "b"].
func hfMerge(raw json.RawMessage) (string, string, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		a, b, ok := strings.Cut(s, " ")
		if !ok || a == "" || b == "" || strings.Contains(b, " ") {
			return "", "", fmt.Errorf("%q is not \"left right\"", s)
		}
		return a, b, nil
	}
	var pair []string
	if err := json.Unmarshal(raw, &pair); err != nil || len(pair) != 2 || pair[0] == "" || pair[1] == "" {
		return "", "", fmt.Errorf("%s is neither \"left right\" nor [left, right]", raw)
	}
	return pair[0], pair[1], nil
}

// LoadHF reads the tokenizer.json at path (see ReadHF).
func LoadHF(path string) (*BPE, error) { return loadFile(path, ReadHF) }

// WriteHF writes t as a Hugging Face tokenizer.json: a BPE model with the
// byte-level vocabulary, merges as "a b" strings in rank order, a ByteLevel
// pre-tokenizer (after a Split on the regex for GPT-4's pattern) and special
// tokens as added tokens. A tiktoken tokenizer's merges are recovered as
// minbpe recovers them (each token from the two parts that BPE with lower
// ranks makes of it), and ignore_merges keeps tiktoken's whole-token rule. It
// is an error when two ids have the same bytes, which a byte-level
// vocabulary cannot hold.
func (t *BPE) WriteHF(w io.Writer) error {
	rules := t.rules
	if t.source == fromTiktoken {
		var err error
		if rules, err = t.recoverMerges(); err != nil {
			return err
		}
	}
	seen := make(map[string]int, len(t.tokens))
	var vocab bytes.Buffer
	vocab.WriteString("{")
	first := true
	for id, tok := range t.tokens {
		if tok == "" {
			continue
		}
		if prev, dup := seen[tok]; dup {
			return fmt.Errorf("tokenizer: hf: ids %d and %d are both %q; a byte-level vocabulary cannot hold both", prev, id, tok)
		}
		seen[tok] = id
		if !first {
			vocab.WriteString(",")
		}
		first = false
		fmt.Fprintf(&vocab, "\n      %s: %d", jsonString(hfEncode(tok)), id)
	}
	vocab.WriteString("\n    }")
	var merges bytes.Buffer
	merges.WriteString("[")
	for i, r := range rules {
		if i > 0 {
			merges.WriteString(",")
		}
		fmt.Fprintf(&merges, "\n      %s", jsonString(hfEncode(t.tokens[r[0]])+" "+hfEncode(t.tokens[r[1]])))
	}
	merges.WriteString("\n    ]")
	var added bytes.Buffer
	added.WriteString("[")
	for i, id := range slices.Sorted(maps.Keys(t.specialByID)) {
		if i > 0 {
			added.WriteString(",")
		}
		fmt.Fprintf(&added, "\n    {\"id\": %d, \"content\": %s, \"single_word\": false, \"lstrip\": false, \"rstrip\": false, \"normalized\": false, \"special\": true}",
			id, jsonString(t.specialByID[id]))
	}
	added.WriteString("\n  ]")
	var pre string
	switch t.pattern {
	case NoSplit:
		pre = `{"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": false}`
	case GPT2:
		pre = `{"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true}`
	default:
		pre = fmt.Sprintf(`{"type": "Sequence", "pretokenizers": [{"type": "Split", "pattern": {"Regex": %s}, "behavior": "Isolated", "invert": false}, {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": false}]}`,
			jsonString(t.pattern.Source()))
	}
	_, err := fmt.Fprintf(w, `{
  "version": "1.0",
  "truncation": null,
  "padding": null,
  "added_tokens": %s,
  "normalizer": null,
  "pre_tokenizer": %s,
  "post_processor": {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": false, "use_regex": false},
  "decoder": {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": false},
  "model": {
    "type": "BPE",
    "dropout": null,
    "unk_token": null,
    "continuing_subword_prefix": null,
    "end_of_word_suffix": null,
    "fuse_unk": false,
    "byte_fallback": false,
    "ignore_merges": %t,
    "vocab": %s,
    "merges": %s
  }
}
`, added.String(), pre, t.whole != nil, vocab.String(), merges.String())
	return err
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// recoverMerges finds, for each token of a tiktoken tokenizer in rank order,
// the two tokens it is made of: the two parts that merging its bytes with
// lower ranks only leaves (minbpe's recover_merges).
func (t *BPE) recoverMerges() ([][3]int32, error) {
	var rules [][3]int32
	var m merger
	for r, tok := range t.tokens {
		if len(tok) < 2 {
			continue
		}
		ids := t.mergeBytes(tok, uint64(r), &m)
		if len(ids) != 2 {
			return nil, fmt.Errorf("tokenizer: token %d (%q) is not made of two earlier tokens", r, tok)
		}
		rules = append(rules, [3]int32{ids[0], ids[1], int32(r)})
	}
	return rules, nil
}
