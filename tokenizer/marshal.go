package tokenizer

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// MarshalFormat is the "format" field of Marshal's JSON.
const MarshalFormat = "tapegrad.tokenizer/1"

// marshaled is the JSON form of a tokenizer; see Marshal.
type marshaled struct {
	Format  string         `json:"format"`
	Type    string         `json:"type"`
	Chars   *string        `json:"chars,omitempty"`
	Name    string         `json:"name,omitempty"`
	Pattern *string        `json:"pattern,omitempty"`
	Special map[string]int `json:"special,omitempty"`
	Merges  [][2]int       `json:"merges,omitempty"`
	Ranks   []string       `json:"ranks,omitempty"`
	Vocab   []string       `json:"vocab,omitempty"`
	Rules   [][3]int       `json:"rules,omitempty"`
	Whole   bool           `json:"whole_tokens,omitempty"`
}

// Marshal returns t as one JSON object, small enough for a checkpoint's
// metadata (a safetensors __metadata__ value is a string). Unmarshal reads
// it back into a tokenizer that encodes and decodes exactly as t does.
//
// The object has "format": "tapegrad.tokenizer/1" and a "type":
//
//   - "char": "chars" is the vocabulary as a string, in id order.
//   - "bpe": "pattern" is the split's regular expression as minbpe spells it
//     ("" for none), "special" maps special tokens to ids, and the ranks are
//     one of: "merges", minbpe's merges as [id, id] pairs (merge i makes id
//     256+i); "ranks", tiktoken's tokens by rank in standard base64 ("" for
//     an unused rank), with "name" the encoding's name; or "vocab", the
//     tokens by id in base64, with "rules" the merges as [left, right,
//     result] in rank order and "whole_tokens" for Hugging Face's
//     ignore_merges.
//
// t must be a *Char or a *BPE.
func Marshal(t Tokenizer) ([]byte, error) {
	m := marshaled{Format: MarshalFormat}
	switch t := t.(type) {
	case *Char:
		m.Type = "char"
		s := string(t.chars)
		m.Chars = &s
	case *BPE:
		m.Type = "bpe"
		m.Pattern = &t.patternSource
		m.Special = t.special
		switch t.source {
		case fromMinbpe:
			m.Merges = t.Merges()
			if m.Merges == nil {
				m.Merges = [][2]int{}
			}
		case fromTiktoken:
			m.Name = t.name
			m.Ranks = base64All(t.tokens)
		default:
			m.Vocab = base64All(t.tokens)
			for _, r := range t.rules {
				m.Rules = append(m.Rules, [3]int{int(r[0]), int(r[1]), int(r[2])})
			}
			m.Whole = t.whole != nil
		}
	default:
		return nil, fmt.Errorf("tokenizer: marshal: unsupported tokenizer type %T", t)
	}
	return json.Marshal(m)
}

func base64All(tokens []string) []string {
	out := make([]string, len(tokens))
	for i, tok := range tokens {
		out[i] = base64.StdEncoding.EncodeToString([]byte(tok))
	}
	return out
}

// Unmarshal reads a tokenizer written by Marshal. Malformed data is an
// error.
func Unmarshal(data []byte) (Tokenizer, error) {
	var m marshaled
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return nil, inContext("unmarshal", err)
	}
	if m.Format != MarshalFormat {
		return nil, fmt.Errorf("tokenizer: unmarshal: format %q, want %q", m.Format, MarshalFormat)
	}
	switch m.Type {
	case "char":
		if m.Chars == nil || !utf8.ValidString(*m.Chars) {
			return nil, fmt.Errorf("tokenizer: unmarshal: char tokenizer without valid \"chars\"")
		}
		c, err := NewCharVocab([]rune(*m.Chars))
		if err != nil {
			return nil, inContext("unmarshal", err)
		}
		return c, nil
	case "bpe":
	default:
		return nil, fmt.Errorf("tokenizer: unmarshal: unknown type %q", m.Type)
	}
	if m.Pattern == nil {
		return nil, fmt.Errorf("tokenizer: unmarshal: bpe without \"pattern\"")
	}
	pattern, err := ParsePattern(*m.Pattern)
	if err != nil {
		return nil, inContext("unmarshal", err)
	}
	var t *BPE
	switch {
	case m.Merges != nil && m.Ranks == nil && m.Vocab == nil:
		t, err = NewMinbpe(m.Merges, pattern, m.Special)
	case m.Ranks != nil && m.Merges == nil && m.Vocab == nil:
		var tokens []string
		if tokens, err = unbase64All(m.Ranks); err != nil {
			break
		}
		ranks := make(map[string]int, len(tokens))
		for r, tok := range tokens {
			if tok == "" {
				continue
			}
			if _, dup := ranks[tok]; dup {
				return nil, fmt.Errorf("tokenizer: unmarshal: rank %d repeats token %q", r, tok)
			}
			ranks[tok] = r
		}
		t, err = NewTiktoken(m.Name, ranks, pattern, m.Special)
	case m.Vocab != nil && m.Merges == nil && m.Ranks == nil:
		var tokens []string
		if tokens, err = unbase64All(m.Vocab); err != nil {
			break
		}
		rules := make([][3]int32, len(m.Rules))
		for i, r := range m.Rules {
			for k, id := range r {
				if id < 0 || id >= len(tokens) || tokens[id] == "" {
					return nil, fmt.Errorf("tokenizer: unmarshal: rule %d uses id %d, which is not a token", i, id)
				}
				rules[i][k] = int32(id)
			}
			if tokens[r[0]]+tokens[r[1]] != tokens[r[2]] {
				return nil, fmt.Errorf("tokenizer: unmarshal: rule %d: tokens %d and %d do not make token %d", i, r[0], r[1], r[2])
			}
		}
		t, err = newVocabBPE(tokens, rules, pattern, m.Special, m.Whole)
	default:
		return nil, fmt.Errorf("tokenizer: unmarshal: bpe needs exactly one of \"merges\", \"ranks\" or \"vocab\"")
	}
	if err != nil {
		return nil, inContext("unmarshal", err)
	}
	t.patternSource = *m.Pattern
	return t, nil
}

func unbase64All(in []string) ([]string, error) {
	out := make([]string, len(in))
	for i, s := range in {
		b, err := base64.StdEncoding.Strict().DecodeString(s)
		if err != nil {
			return nil, fmt.Errorf("token %d: %w", i, err)
		}
		out[i] = string(b)
	}
	return out, nil
}
