package tokenizer

import (
	"bytes"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func TestByteLevelMapping(t *testing.T) {
	seen := map[rune]bool{}
	for b := range 256 {
		r := byteRune[b]
		if seen[r] {
			t.Fatalf("byte %d maps to %q twice", b, r)
		}
		seen[r] = true
	}
	// GPT-2's well-known cases: space is Ġ, newline Ċ, 'A' itself.
	for _, c := range []struct {
		b byte
		r rune
	}{{' ', 'Ġ'}, {'\n', 'Ċ'}, {'A', 'A'}, {0, 'Ā'}, {0xAD, 'Ń'}} {
		if byteRune[c.b] != c.r {
			t.Errorf("byteRune[%#x] = %q; want %q", c.b, byteRune[c.b], c.r)
		}
	}
}

// toyHF is a hand-written byte-level tokenizer.json in the shape of GPT-2's,
// with merges in both notations and the special token in the vocab too.
func toyHF(mergeList string) string {
	var vocab strings.Builder
	for b := range 256 {
		vocab.WriteString(jsonString(string(byteRune[b])) + ": " + strconv.Itoa(b) + ", ")
	}
	return `{"version": "1.0", "added_tokens": [{"id": 259, "content": "<|endoftext|>", "special": true}],
	"normalizer": null,
	"pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true},
	"model": {"type": "BPE", "dropout": null, "vocab": {` + vocab.String() + `"ĠĠ": 256, "ab": 257, "abĠĠ": 258, "<|endoftext|>": 259},
	"merges": ` + mergeList + `}}`
}

func TestReadHF(t *testing.T) {
	for _, merges := range []string{`["Ġ Ġ", "a b"]`, `[["Ġ", "Ġ"], ["a", "b"]]`} {
		tok, err := ReadHF(strings.NewReader(toyHF(merges)))
		if err != nil {
			t.Fatalf("merges %s: %v", merges, err)
		}
		ids, err := tok.EncodeSpecial("ab   ab<|endoftext|>", AllSpecial, NoSpecial)
		if err != nil {
			t.Fatal(err)
		}
		// GPT-2 split: "ab", "  ", " ab", then the special token.
		if want := []int{257, 256, 32, 257, 259}; !slices.Equal(ids, want) {
			t.Errorf("merges %s: ids = %v; want %v", merges, ids, want)
		}
		if tok.VocabSize() != 260 {
			t.Errorf("VocabSize = %d; want 260", tok.VocabSize())
		}
	}
}

func TestReadHFErrors(t *testing.T) {
	good := toyHF(`["Ġ Ġ", "a b"]`)
	tests := []struct{ name, json string }{
		{"not json", "{"},
		{"empty", "{}"},
		{"wordpiece", strings.Replace(good, `"type": "BPE"`, `"type": "WordPiece"`, 1)},
		{"merge not in vocab", toyHF(`["a c"]`)},
		{"merge one part", toyHF(`["ab"]`)},
		{"merge three parts", toyHF(`[["a", "b", "c"]]`)},
		{"merge number", toyHF(`[7]`)},
		{"no pre_tokenizer", strings.Replace(good, `"pre_tokenizer"`, `"x"`, 1)},
		{"prefix space", strings.Replace(good, `"add_prefix_space": false`, `"add_prefix_space": true`, 1)},
		{"normalizer", strings.Replace(good, `"normalizer": null`, `"normalizer": {"type": "NFC"}`, 1)},
		{"not byte level", strings.Replace(good, `"ab": 257`, `"a b": 257`, 1)},
		{"duplicate id", strings.Replace(good, `"ab": 257`, `"ab": 256`, 1)},
		{"huge id", strings.Replace(good, `"ab": 257`, `"ab": 900000000`, 1)},
		{"negative id", strings.Replace(good, `"ab": 257`, `"ab": -3`, 1)},
		{"special clash", strings.Replace(good, `"id": 259`, `"id": 257`, 1)},
	}
	for _, tt := range tests {
		if _, err := ReadHF(strings.NewReader(tt.json)); err == nil {
			t.Errorf("%s: ReadHF: no error", tt.name)
		} else if !strings.HasPrefix(err.Error(), "tokenizer: hf: ") {
			t.Errorf("%s: error %q lacks the package prefix", tt.name, err)
		}
	}
}

// TestHFRoundTrip writes tokenizers as tokenizer.json, reads them back and
// wants the same ids: a minbpe model (GPT-4 split) and tiktoken's gpt2,
// whose merges are recovered from its ranks.
func TestHFRoundTrip(t *testing.T) {
	text := readShared(t, "taylorswift.txt")
	trained, err := Train(text[:30000], TrainOptions{VocabSize: 400, Pattern: GPT4, Special: map[string]int{"<|endoftext|>": 400}})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		bpe  *BPE
	}{{"minbpe", trained}}
	if !testing.Short() {
		cases = append(cases, struct {
			name string
			bpe  *BPE
		}{"gpt2", loadEncoding(t, "gpt2")})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := c.bpe.WriteHF(&buf); err != nil {
				t.Fatal(err)
			}
			back, err := ReadHF(bytes.NewReader(buf.Bytes()))
			if err != nil {
				t.Fatal(err)
			}
			want, got := c.bpe.EncodeOrdinary(text), back.EncodeOrdinary(text)
			if !slices.Equal(got, want) {
				t.Errorf("read back, the tokenizer encodes differently (%d vs %d ids)", len(got), len(want))
			}
			if back.VocabSize() != c.bpe.VocabSize() || len(back.SpecialTokens()) != len(c.bpe.SpecialTokens()) {
				t.Errorf("read back: vocab %d, %d special; want %d, %d", back.VocabSize(), len(back.SpecialTokens()), c.bpe.VocabSize(), len(c.bpe.SpecialTokens()))
			}
			var again bytes.Buffer
			if err := back.WriteHF(&again); err != nil {
				t.Fatal(err)
			}
			if again.String() != buf.String() {
				t.Errorf("written again, the tokenizer.json differs")
			}
		})
	}
}
