package tokenizer

import (
	"bytes"
	"slices"
	"strings"
	"testing"
)

func TestMarshalRoundTrip(t *testing.T) {
	text := "hello world!!!? (안녕하세요!) lol123 😉 " + specialsText
	trained, err := Train(text, TrainOptions{VocabSize: 300, Pattern: GPT4, Special: cl100kSpecial})
	if err != nil {
		t.Fatal(err)
	}
	basic, err := Train(text, TrainOptions{VocabSize: 270})
	if err != nil {
		t.Fatal(err)
	}
	var hfJSON bytes.Buffer
	if err := trained.WriteHF(&hfJSON); err != nil {
		t.Fatal(err)
	}
	hf, err := ReadHF(&hfJSON)
	if err != nil {
		t.Fatal(err)
	}
	toks := []struct {
		name string
		tok  Tokenizer
	}{
		{"char", NewChar(text)},
		{"minbpe", trained},
		{"basic", basic},
		{"hf", hf},
	}
	if !testing.Short() {
		toks = append(toks, struct {
			name string
			tok  Tokenizer
		}{"cl100k", loadEncoding(t, "cl100k_base")})
	}
	for _, c := range toks {
		t.Run(c.name, func(t *testing.T) {
			data, err := Marshal(c.tok)
			if err != nil {
				t.Fatal(err)
			}
			back, err := Unmarshal(data)
			if err != nil {
				t.Fatal(err)
			}
			want, err1 := c.tok.Encode(text)
			got, err2 := back.Encode(text)
			if (err1 == nil) != (err2 == nil) || !slices.Equal(got, want) {
				t.Errorf("Encode after Unmarshal = %v, %v; want %v, %v", got, err2, want, err1)
			}
			if b, ok := c.tok.(*BPE); ok {
				want, _ := b.EncodeSpecial(text, AllSpecial, NoSpecial)
				got, _ := back.(*BPE).EncodeSpecial(text, AllSpecial, NoSpecial)
				if !slices.Equal(got, want) {
					t.Errorf("EncodeSpecial after Unmarshal differs")
				}
			}
			if back.VocabSize() != c.tok.VocabSize() {
				t.Errorf("VocabSize = %d; want %d", back.VocabSize(), c.tok.VocabSize())
			}
			again, err := Marshal(back)
			if err != nil || !bytes.Equal(again, data) {
				t.Errorf("Marshal(Unmarshal(data)) differs from data (err %v)", err)
			}
		})
	}
}

func TestUnmarshalErrors(t *testing.T) {
	tests := []string{
		``,
		`[]`,
		`{"format":"x","type":"char","chars":"ab"}`,
		`{"format":"tapegrad.tokenizer/1","type":"char"}`,
		`{"format":"tapegrad.tokenizer/1","type":"char","chars":"aa"}`,
		`{"format":"tapegrad.tokenizer/1","type":"word"}`,
		`{"format":"tapegrad.tokenizer/1","type":"bpe","merges":[]}`,
		`{"format":"tapegrad.tokenizer/1","type":"bpe","pattern":"\\w+","merges":[]}`,
		`{"format":"tapegrad.tokenizer/1","type":"bpe","pattern":"","merges":[[300,1]]}`,
		`{"format":"tapegrad.tokenizer/1","type":"bpe","pattern":"","merges":[],"ranks":["YQ=="]}`,
		`{"format":"tapegrad.tokenizer/1","type":"bpe","pattern":"","ranks":["YQ=="]}`,
		`{"format":"tapegrad.tokenizer/1","type":"bpe","pattern":"","ranks":["!!"]}`,
		`{"format":"tapegrad.tokenizer/1","type":"bpe","pattern":"","vocab":["YQ=="],"rules":[[0,0,5]]}`,
		`{"format":"tapegrad.tokenizer/1","type":"bpe","pattern":"","merges":[],"special":{"a":-1}}`,
		`{"format":"tapegrad.tokenizer/1","type":"bpe","pattern":"","merges":[],"extra":1}`,
	}
	for _, s := range tests {
		if _, err := Unmarshal([]byte(s)); err == nil {
			t.Errorf("Unmarshal(%s): no error", s)
		} else if !strings.HasPrefix(err.Error(), "tokenizer: ") {
			t.Errorf("Unmarshal(%s): error %q lacks the package prefix", s, err)
		}
	}
}
