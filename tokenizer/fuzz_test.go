package tokenizer

import (
	"bytes"
	"encoding/base64"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/tapegrad/tapegrad/internal/testenv"
)

// fuzzTokenizers are small minbpe tokenizers, one per pattern, trained once
// on a built-in text with overlapping merges.
var fuzzTokenizers = sync.OnceValue(func() []*BPE {
	text := strings.Repeat("hello world!!!? (안녕하세요!) lol123 😉 aaabdaaabac \n\n  'll 'S ", 20) + specialsText
	var out []*BPE
	for _, p := range []Pattern{NoSplit, GPT2, GPT4} {
		t, err := Train(text, TrainOptions{VocabSize: 356, Pattern: p, Special: cl100kSpecial})
		if err != nil {
			panic(err)
		}
		out = append(out, t)
	}
	return out
})

// haveTiktoken reports whether ../shared/data has tiktoken's rank files.
var haveTiktoken = sync.OnceValue(func() bool {
	root, err := testenv.ModuleRoot()
	if err != nil {
		return false
	}
	_, err1 := os.Stat(filepath.Join(root, "..", "shared", "data", "tiktoken", "r50k_base.tiktoken"))
	_, err2 := os.Stat(filepath.Join(root, "..", "shared", "data", "tiktoken", "cl100k_base.tiktoken"))
	return err1 == nil && err2 == nil
})

func roundTripSeeds(f *testing.F) {
	for _, s := range []string{"", "?", "hello world!!!? (안녕하세요!) lol123 😉", "today\n  \n", " \u00850",
		"tabs\tand\u00a0nbsp\u3000ideographic", "'s 'S 'ſ 'LL", "00000000000000000", "\r\n\r\n x", "<|endoftext|>",
		strings.Repeat("a", 200), strings.Repeat(" ", 100) + "x"} {
		f.Add(s)
	}
}

// FuzzRoundTrip: for valid UTF-8, Decode(Encode(s)) == s for every
// tokenizer; the chunks join to s; encoding over cores equals encoding on
// one; the heap merge equals the quadratic one.
func FuzzRoundTrip(f *testing.F) {
	roundTripSeeds(f)
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return
		}
		toks := fuzzTokenizers()
		if haveTiktoken() {
			toks = append(toks, loadEncoding(t, "gpt2"), loadEncoding(t, "cl100k_base"))
		}
		for _, tok := range toks {
			ids := tok.EncodeOrdinary(s)
			back, err := tok.Decode(ids)
			if err != nil || back != s {
				t.Fatalf("%v: Decode(Encode(%q)) = %q, %v", tok.Pattern(), s, back, err)
			}
			if par := tok.appendParallel(nil, s, 3); !slices.Equal(par, ids) {
				t.Fatalf("%v: parallel encoding of %q = %v; want %v", tok.Pattern(), s, par, ids)
			}
			if got := strings.Join(slices.Collect(tok.Pattern().Chunks(s)), ""); got != s {
				t.Fatalf("%v: chunks of %q join to %q", tok.Pattern(), s, got)
			}
			if len(s) > 1 {
				var m merger
				small := tok.mergeSmall(nil, s, &m)
				large := tok.mergeLarge(nil, s, &m)
				if !slices.Equal(small, large) {
					t.Fatalf("%v: merging %q: heap %v; scan %v", tok.Pattern(), s, large, small)
				}
			}
		}
	})
}

// FuzzLoadTiktoken: ReadTiktoken never panics; what it accepts encodes and
// decodes.
func FuzzLoadTiktoken(f *testing.F) {
	var good bytes.Buffer
	for b := range 256 {
		good.WriteString(base64String([]byte{byte(b)}) + " " + itoaTest(b) + "\n")
	}
	good.WriteString(base64String([]byte("ab")) + " 256\n\n" + base64String([]byte("abab")) + " 257\n")
	f.Add(good.String())
	f.Add("YQ== 0\n")
	f.Add("YQ== 0\nYQ== 1\n")
	f.Add("YQ== 99999999999\n")
	f.Add("!!!! 1\n")
	f.Fuzz(func(t *testing.T, data string) {
		tok, err := ReadTiktoken(strings.NewReader(data), Encoding{Name: "fuzz", Pattern: GPT2, Special: map[string]int{"<|endoftext|>": 1 << 20}})
		if err != nil {
			if !strings.HasPrefix(err.Error(), "tokenizer: ") {
				t.Fatalf("error %q lacks the package prefix", err)
			}
			return
		}
		checkRoundTrip(t, tok, "ab abab\n日本 <|endoftext|>")
	})
}

// FuzzLoadModel: ReadModel never panics; what it accepts writes back the
// same (up to white space) and encodes and decodes.
func FuzzLoadModel(f *testing.F) {
	f.Add("minbpe v1\n\n0\n97 97\n256 98\n")
	f.Add("minbpe v1\n" + GPT4.Source() + "\n1\n<|endoftext|> 300\n101 32\n")
	f.Add("minbpe v1\n\n0\n300 1\n")
	f.Add("minbpe v1\n\n2\na 1\n")
	f.Add("minbpe v2\n")
	f.Fuzz(func(t *testing.T, data string) {
		tok, err := ReadModel(strings.NewReader(data))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "tokenizer: ") {
				t.Fatalf("error %q lacks the package prefix", err)
			}
			return
		}
		var buf bytes.Buffer
		if err := tok.WriteModel(&buf); err != nil {
			t.Fatal(err)
		}
		again, err := ReadModel(&buf)
		if err != nil {
			t.Fatalf("reading the written model: %v", err)
		}
		if !slices.Equal(again.Merges(), tok.Merges()) {
			t.Fatal("merges differ after writing and reading")
		}
		checkRoundTrip(t, tok, "aaabdaaabac hello world 😉")
	})
}

// FuzzLoadHF: ReadHF never panics; what it accepts encodes and decodes.
func FuzzLoadHF(f *testing.F) {
	f.Add(toyHF(`["Ġ Ġ", "a b"]`))
	f.Add(toyHF(`[["Ġ", "Ġ"], ["a", "b"]]`))
	f.Add(`{"model":{"vocab":{"a":0},"merges":[]},"pre_tokenizer":{"type":"ByteLevel"}}`)
	f.Add(`{"model":{"vocab":{"a":1e9}}}`)
	f.Fuzz(func(t *testing.T, data string) {
		tok, err := ReadHF(strings.NewReader(data))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "tokenizer: ") {
				t.Fatalf("error %q lacks the package prefix", err)
			}
			return
		}
		checkRoundTrip(t, tok, "ab   ab hello 😉")
	})
}

// FuzzUnmarshal: Unmarshal never panics; what it accepts marshals back.
func FuzzUnmarshal(f *testing.F) {
	for _, tok := range fuzzTokenizers()[:2] {
		b, _ := Marshal(tok)
		f.Add(string(b))
	}
	b, _ := Marshal(NewChar("hello"))
	f.Add(string(b))
	f.Add(`{"format":"tapegrad.tokenizer/1","type":"bpe","pattern":"","ranks":["YQ=="]}`)
	f.Fuzz(func(t *testing.T, data string) {
		tok, err := Unmarshal([]byte(data))
		if err != nil {
			return
		}
		if _, err := Marshal(tok); err != nil {
			t.Fatal(err)
		}
		if b, ok := tok.(*BPE); ok {
			checkRoundTrip(t, b, "hello world 😉")
		}
	})
}

func checkRoundTrip(t *testing.T, tok *BPE, s string) {
	t.Helper()
	ids := tok.EncodeOrdinary(s)
	if back, err := tok.Decode(ids); err != nil || back != s {
		t.Fatalf("Decode(Encode(%q)) = %q, %v", s, back, err)
	}
	for _, id := range ids {
		if id < 0 || id >= tok.VocabSize() {
			t.Fatalf("id %d outside the vocabulary (size %d)", id, tok.VocabSize())
		}
	}
}

func base64String(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func itoaTest(i int) string { return strconv.Itoa(i) }
