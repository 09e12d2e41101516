// Command firstblock prints tapegrad's loss on the first block of a text —
// the number scripts/load_in_pytorch.py (PyTorch) and
// scripts/llamacpp_loss.mjs (llama.cpp) print for the same model — for a
// checkpoint (any scheme) or a GGUF file (read back with train.ImportGGUF).
//
//	go run ./scripts/firstblock MODEL.safetensors|MODEL.gguf TEXT
package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/tapegrad/tapegrad/autograd"
	"github.com/tapegrad/tapegrad/nn"
	"github.com/tapegrad/tapegrad/tokenizer"
	"github.com/tapegrad/tapegrad/train"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: firstblock MODEL.safetensors|MODEL.gguf TEXT")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, "firstblock:", err)
		os.Exit(1)
	}
}

func run(modelPath, textPath string) error {
	text, err := os.ReadFile(textPath)
	if err != nil {
		return err
	}
	var model *nn.GPT
	var tok tokenizer.Tokenizer
	if strings.HasSuffix(modelPath, ".gguf") {
		// A GGUF file's vocabulary is the exported char tokenizer's, in id
		// order; take the characters from the text itself, as training did.
		if model, err = train.ImportGGUF(modelPath); err != nil {
			return err
		}
		tok = tokenizer.NewChar(string(text))
	} else {
		ck, err := train.Load(modelPath)
		if err != nil {
			return err
		}
		model, tok = ck.Model, ck.Tokenizer
	}
	T := model.Config.BlockSize
	ids, err := tok.Encode(string([]rune(string(text))[:T+1]))
	if err != nil {
		return err
	}
	tp := autograd.NewTape()
	var loss *autograd.Value
	tp.NoGrad(func() { _, loss = model.Loss(tp, ids[:T], ids[1:T+1], 1, T) })
	fmt.Printf("tapegrad loss %.6f on the first %d tokens\n", loss.Item(), T)
	return nil
}
