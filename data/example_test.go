package data_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/tapegrad/tapegrad/data"
	"github.com/tapegrad/tapegrad/tokenizer"
)

// A whole char-level pipeline: corpus, vocabulary, split, batches.
func Example() {
	text := data.Synthetic(1, data.SyntheticSize)
	tok := tokenizer.NewChar(text)
	ids, err := tok.Encode(text)
	if err != nil {
		log.Fatal(err)
	}
	train, val := data.Split(ids, 0.9)
	fmt.Println("vocab", tok.VocabSize(), "train", len(train), "val", len(val))

	s, err := data.NewSampler(data.Ints(train), 1337)
	if err != nil {
		log.Fatal(err)
	}
	const B, T = 2, 10
	x, y := make([]int, B*T), make([]int, B*T)
	if err := s.Batch(B, T, x, y); err != nil {
		log.Fatal(err)
	}
	xs, _ := tok.Decode(x[:T])
	ys, _ := tok.Decode(y[:T])
	fmt.Printf("x %q\ny %q\n", xs, ys)
	// Output:
	// vocab 24 train 269980 val 29998
	// x "mouse foll"
	// y "ouse follo"
}

// The synthetic corpus's skill: held-out subjects, and completions scored
// by the grammar.
func ExampleScoreSkill() {
	fmt.Print(data.Synthetic(7, 60))
	for _, p := range data.SkillPrompts(7, 2) {
		fmt.Printf("%q: %v %v\n", p, data.ScoreSkill(p, "chase bob .\n"), data.ScoreSkill(p, "chases bob .\n"))
	}
	// Output:
	// dave sees the small cat .
	// the mice see a dog .
	// "the quick fox ": false true
	// "the quick cat ": false true
}

// Saving and restoring a Sampler's state continues the same batches.
func ExampleSampler_State() {
	s, _ := data.NewSampler(data.Ints{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, 1)
	x, y := make([]int, 3), make([]int, 3)
	state := s.State()
	s.Batch(1, 3, x, y)
	fmt.Println(x, y)

	r, _ := data.NewSampler(data.Ints{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, 99)
	if err := r.SetState(state); err != nil {
		log.Fatal(err)
	}
	r.Batch(1, 3, x, y)
	fmt.Println(x, y)
	// Output:
	// [6 7 8] [7 8 9]
	// [6 7 8] [7 8 9]
}

// Token files hold ids as flat little-endian integers, as nanoGPT's
// train.bin; OpenTokens maps them without reading them into memory.
func ExampleOpenTokens() {
	dir, _ := os.MkdirTemp("", "tokens")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "train.bin")
	if err := data.WriteTokens(path, []int{5, 1000, 65535}, 2); err != nil {
		log.Fatal(err)
	}
	f, err := data.OpenTokens(path, 2)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	fmt.Println(f.Len(), f.At(0), f.At(1), f.At(2))
	// Output:
	// 3 5 1000 65535
}
