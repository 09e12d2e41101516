package tokenizer_test

import (
	"fmt"
	"os"
	"slices"

	"github.com/tapegrad/tapegrad/tokenizer"
)

// Train minbpe's Wikipedia example, encode and decode, and write the model
// as minbpe would.
func ExampleTrain() {
	bpe, err := tokenizer.Train("aaabdaaabac", tokenizer.TrainOptions{VocabSize: 256 + 3})
	if err != nil {
		panic(err)
	}
	ids := bpe.EncodeOrdinary("aaabdaaabac")
	text, _ := bpe.Decode(ids)
	fmt.Println(ids, text)
	bpe.WriteModel(os.Stdout)
	// Output:
	// [258 100 258 97 99] aaabdaaabac
	// minbpe v1
	//
	// 0
	// 97 97
	// 256 97
	// 257 98
}

// Special tokens: an error by default, ids when allowed, text when ordinary.
func ExampleBPE_EncodeSpecial() {
	bpe, _ := tokenizer.NewMinbpe(nil, tokenizer.GPT4, map[string]int{"<|endoftext|>": 256})
	_, err := bpe.Encode("hi<|endoftext|>")
	fmt.Println(err != nil)
	ids, _ := bpe.EncodeSpecial("hi<|endoftext|>", tokenizer.AllSpecial, tokenizer.NoSpecial)
	fmt.Println(ids)
	fmt.Println(len(bpe.EncodeOrdinary("hi<|endoftext|>")))
	// Output:
	// true
	// [104 105 256]
	// 15
}

// A streaming decoder prints whole characters as ids arrive.
func ExampleStreamDecoder() {
	bpe, _ := tokenizer.NewMinbpe(nil, tokenizer.NoSplit, nil)
	d := tokenizer.NewStreamDecoder(bpe)
	var pieces []string
	for _, b := range []byte("é!") {
		s, _ := d.Add(int(b))
		pieces = append(pieces, s)
	}
	pieces = append(pieces, d.Flush())
	fmt.Printf("%q\n", pieces)
	// Output:
	// ["" "é" "!" ""]
}

// Pattern.Chunks shows how GPT-4's pattern splits text before merging.
func ExamplePattern_Chunks() {
	fmt.Printf("%q\n", slices.Collect(tokenizer.GPT4.Chunks("Hello've world123 how's  are you!!!?\n\n  ok")))
	// Output:
	// ["Hello" "'ve" " world" "123" " how" "'s" " " " are" " you" "!!!?\n\n" " " " ok"]
}
