package tokenizer

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// goldenTiktoken is testdata/golden/tiktoken_strings.json, made by tiktoken
// (Rust core, npm WASM build) with ../shared/ref/tok_golden.mjs.
type goldenTiktoken struct {
	Strings []struct {
		Encoding       string          `json:"encoding"`
		Text           string          `json:"text"`
		IDs            []int           `json:"ids"`
		AllowedSpecial json.RawMessage `json:"allowed_special"`
	} `json:"strings"`
}

// allowedSpecial reads an allowed_special value: absent (encode_ordinary),
// "all", or a list of special tokens.
func allowedSpecial(raw json.RawMessage) (set SpecialSet, ordinary bool, err error) {
	if len(raw) == 0 || string(raw) == "null" {
		return NoSpecial, true, nil
	}
	var all string
	if json.Unmarshal(raw, &all) == nil {
		if all != "all" {
			return set, false, fmt.Errorf("allowed_special %q is neither \"all\" nor a list", all)
		}
		return AllSpecial, false, nil
	}
	var names []string
	if err := json.Unmarshal(raw, &names); err != nil {
		return set, false, fmt.Errorf("allowed_special %s: %v", raw, err)
	}
	return Specials(names...), false, nil
}

func TestGoldenTiktoken(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "golden", "tiktoken_strings.json"))
	if err != nil {
		t.Fatal(err)
	}
	var g goldenTiktoken
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	if len(g.Strings) == 0 {
		t.Fatal("golden file holds no strings")
	}
	for i, c := range g.Strings {
		t.Run(fmt.Sprintf("%d/%s/%.20q", i, c.Encoding, c.Text), func(t *testing.T) {
			if _, ok := EncodingByName(c.Encoding); !ok {
				t.Fatalf("unknown encoding %q", c.Encoding)
			}
			enc := loadEncoding(t, c.Encoding)
			allowed, ordinary, err := allowedSpecial(c.AllowedSpecial)
			if err != nil {
				t.Fatal(err)
			}
			var ids []int
			if ordinary {
				ids = enc.EncodeOrdinary(c.Text)
			} else if ids, err = enc.EncodeSpecial(c.Text, allowed, AllSpecial); err != nil {
				t.Fatalf("EncodeSpecial(%q) error: %v", c.Text, err)
			}
			if c.IDs == nil {
				c.IDs = []int{}
			}
			if !slices.Equal(ids, c.IDs) {
				t.Errorf("encode %q = %v; want %v", c.Text, ids, c.IDs)
			}
			text, err := enc.Decode(c.IDs)
			if err != nil || text != c.Text {
				t.Errorf("Decode(%v) = %q, %v; want %q", c.IDs, text, err, c.Text)
			}
		})
	}
}

// TestGoldenTiktokenRandom encodes the random strings of
// testdata/golden/tiktoken_random.json (made by tiktoken's npm package with
// testdata/tiktoken_random.mjs) and wants tiktoken's ids.
func TestGoldenTiktokenRandom(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "golden", "tiktoken_random.json"))
	if err != nil {
		t.Fatal(err)
	}
	var g struct {
		Cases []struct {
			Encoding string `json:"encoding"`
			Text     string `json:"text"`
			IDs      []int  `json:"ids"`
		} `json:"cases"`
	}
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	bad := 0
	for _, c := range g.Cases {
		if _, ok := EncodingByName(c.Encoding); !ok {
			t.Fatalf("unknown encoding %q", c.Encoding)
		}
		enc := loadEncoding(t, c.Encoding)
		ids := enc.EncodeOrdinary(c.Text)
		if len(ids) == 0 && len(c.IDs) == 0 {
			continue
		}
		if !slices.Equal(ids, c.IDs) {
			if bad++; bad <= 10 {
				t.Errorf("%s: encode %q = %v; want %v", c.Encoding, c.Text, ids, c.IDs)
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d strings differ", bad, len(g.Cases))
	}
}
