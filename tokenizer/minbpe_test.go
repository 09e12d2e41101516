package tokenizer

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestGoldenMinbpe trains on the corpus each golden .model file names
// (<corpus>_<basic|regex>_<vocab>.model, made by minbpe's own code on
// ../shared/data/<corpus>.txt) and wants the same file, byte for byte.
func TestGoldenMinbpe(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "golden", "minbpe", "*.model"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no golden .model files")
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			want, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			parts := strings.Split(strings.TrimSuffix(filepath.Base(file), ".model"), "_")
			if len(parts) != 3 {
				t.Fatalf("name %q is not <corpus>_<type>_<vocab>.model", filepath.Base(file))
			}
			vocab, err := strconv.Atoi(parts[2])
			if err != nil {
				t.Fatalf("name %q: vocabulary: %v", filepath.Base(file), err)
			}
			golden, err := ReadModel(bytes.NewReader(want))
			if err != nil {
				t.Fatalf("ReadModel(golden): %v", err)
			}
			var pattern Pattern
			switch parts[1] {
			case "basic":
				pattern = NoSplit
			case "regex":
				pattern = golden.Pattern()
				if pattern == NoSplit {
					t.Fatalf("regex model without a split pattern")
				}
			default:
				t.Fatalf("unknown tokenizer type %q", parts[1])
			}
			text := readShared(t, parts[0]+".txt")
			bpe, err := Train(text, TrainOptions{VocabSize: vocab, Pattern: pattern})
			if err != nil {
				t.Fatal(err)
			}
			var got bytes.Buffer
			if err := bpe.WriteModel(&got); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Bytes(), want) {
				t.Errorf("trained model differs from %s at line %s", file, firstDiffLine(got.String(), string(want)))
			}
			ids := bpe.EncodeOrdinary(text)
			if gids := golden.EncodeOrdinary(text); !slices.Equal(ids, gids) {
				t.Errorf("encoding %s: trained and golden models give different ids", parts[0])
			}
			if back, err := bpe.Decode(ids); err != nil || back != text {
				t.Errorf("Decode(Encode(%s)) differs from the text (err %v)", parts[0], err)
			}
		})
	}
}

// firstDiffLine returns the number of the first line where a and b differ.
func firstDiffLine(a, b string) string {
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < min(len(la), len(lb)); i++ {
		if la[i] != lb[i] {
			return fmt.Sprintf("%d (%q vs %q)", i+1, la[i], lb[i])
		}
	}
	return fmt.Sprintf("%d (one is longer)", min(len(la), len(lb))+1)
}

// The cases of minbpe's tests/test_tokenizer.py.

func TestMinbpeWikipediaExample(t *testing.T) {
	for _, p := range []Pattern{NoSplit, GPT4} {
		t.Run(p.String(), func(t *testing.T) {
			text := "aaabdaaabac"
			bpe, err := Train(text, TrainOptions{VocabSize: 256 + 3, Pattern: p})
			if err != nil {
				t.Fatal(err)
			}
			ids := bpe.EncodeOrdinary(text)
			if want := []int{258, 100, 258, 97, 99}; !slices.Equal(ids, want) {
				t.Errorf("Encode(%q) = %v; want %v", text, ids, want)
			}
			if back, err := bpe.Decode(ids); err != nil || back != text {
				t.Errorf("Decode(%v) = %q, %v; want %q", ids, back, err, text)
			}
		})
	}
}

func TestMinbpeUntrainedIdentity(t *testing.T) {
	for _, p := range []Pattern{NoSplit, GPT2, GPT4} {
		bpe, err := NewMinbpe(nil, p, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, text := range []string{"", "?", "hello world!!!? (안녕하세요!) lol123 😉"} {
			ids := bpe.EncodeOrdinary(text)
			if len(ids) != len(text) {
				t.Errorf("%v: Encode(%q) = %v; want its bytes", p, text, ids)
			}
			for i, id := range ids {
				if id != int(text[i]) {
					t.Errorf("%v: Encode(%q)[%d] = %d; want byte %d", p, text, i, id, text[i])
					break
				}
			}
			if back, err := bpe.Decode(ids); err != nil || back != text {
				t.Errorf("%v: Decode(Encode(%q)) = %q, %v", p, text, back, err)
			}
		}
	}
}

// specialsText is minbpe's test string for special tokens.
const specialsText = `<|endoftext|>Hello world this is one document
<|endoftext|>And this is another document
<|endoftext|><|fim_prefix|>And this one has<|fim_suffix|> tokens.<|fim_middle|> FIM
<|endoftext|>Last document!!! 👋<|endofprompt|>`

var cl100kSpecial = map[string]int{
	"<|endoftext|>": 100257, "<|fim_prefix|>": 100258, "<|fim_middle|>": 100259,
	"<|fim_suffix|>": 100260, "<|endofprompt|>": 100276,
}

// TestMinbpeSaveLoad is minbpe's test_save_load: train, save, load, and the
// loaded tokenizer gives the same ids and the same files.
func TestMinbpeSaveLoad(t *testing.T) {
	text := "hello world!!!? (안녕하세요!) lol123 😉 " + specialsText + " aaabdaaabac the the the"
	for _, c := range []struct {
		pattern Pattern
		special map[string]int
	}{{NoSplit, nil}, {GPT4, cl100kSpecial}, {GPT2, map[string]int{"<|endoftext|>": 320}}} {
		t.Run(c.pattern.String(), func(t *testing.T) {
			bpe, err := Train(text, TrainOptions{VocabSize: 256 + 64, Pattern: c.pattern, Special: c.special})
			if err != nil {
				t.Fatal(err)
			}
			allowed := NoSpecial
			if c.special != nil {
				allowed = AllSpecial
			}
			ids, err := bpe.EncodeSpecial(text, allowed, AllSpecial)
			if err != nil {
				t.Fatal(err)
			}
			prefix := filepath.Join(t.TempDir(), "toy")
			if err := bpe.SaveModel(prefix); err != nil {
				t.Fatal(err)
			}
			loaded, err := LoadModel(prefix + ".model")
			if err != nil {
				t.Fatal(err)
			}
			ids2, err := loaded.EncodeSpecial(text, allowed, AllSpecial)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(ids, ids2) {
				t.Errorf("loaded model encodes differently:\n%v\n%v", ids, ids2)
			}
			if back, err := loaded.Decode(ids); err != nil || back != text {
				t.Errorf("Decode(Encode(text)) = %q, %v; want %q", back, err, text)
			}
			var a, b bytes.Buffer
			bpe.WriteModel(&a)
			loaded.WriteModel(&b)
			if a.String() != b.String() {
				t.Errorf("saved again, the model differs:\n%s\nvs\n%s", a.String(), b.String())
			}
			if c.special != nil && !slices.Contains(ids, c.special["<|endoftext|>"]) {
				t.Errorf("ids %v lack <|endoftext|>", ids)
			}
		})
	}
}
