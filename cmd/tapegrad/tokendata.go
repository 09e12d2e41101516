package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/tapegrad/tapegrad/data"
	"github.com/tapegrad/tapegrad/tokenizer"
)

// Token folders are nanoGPT's prepared data (its prepare.py): train.bin and
// val.bin of flat little-endian token ids, uint16 by default, read through
// mmap so they may be larger than memory. The ids come from a tokenizer the
// user names (a .tiktoken, minbpe .model or Hugging Face .json file), which
// the checkpoint then carries.

// isTokenDir reports whether src is a folder holding train.bin and val.bin.
func isTokenDir(src string) bool {
	for _, name := range []string{"train.bin", "val.bin"} {
		if st, err := os.Stat(filepath.Join(src, name)); err != nil || st.IsDir() {
			return false
		}
	}
	return true
}

// tokenSplits maps dir's train.bin and val.bin (ids width bytes each) and
// checks that every id is below vocab — once, reading both files through —
// so that a file from another tokenizer fails here, naming the first bad
// id, rather than in the middle of training.
func tokenSplits(dir string, width, vocab int) (trainIDs, valIDs *data.TokenFile, err error) {
	open := func(name string) (*data.TokenFile, error) {
		path := filepath.Join(dir, name)
		f, err := data.OpenTokens(path, width)
		if err != nil {
			return nil, err
		}
		for i := range f.Len() {
			if id := f.At(i); id < 0 || id >= vocab {
				f.Close()
				return nil, fmt.Errorf("%s: token %d is id %d, outside the tokenizer's vocabulary of %d (another tokenizer, or --token_bytes %d is wrong?)", path, i, id, vocab, width)
			}
		}
		return f, nil
	}
	if trainIDs, err = open("train.bin"); err != nil {
		return nil, nil, err
	}
	if valIDs, err = open("val.bin"); err != nil {
		trainIDs.Close()
		return nil, nil, err
	}
	return trainIDs, valIDs, nil
}

// checkNotTokenFile returns a usage error for cmd when src is a .bin file:
// token ids read as text would train on nonsense. nanoGPT's layout is a
// folder with train.bin and val.bin.
func checkNotTokenFile(cmd, src string) error {
	if filepath.Ext(src) != ".bin" {
		return nil
	}
	if st, err := os.Stat(src); err == nil && !st.IsDir() {
		return &usageError{cmd: cmd, msg: fmt.Sprintf("--data %s is a token file: pass the folder that holds train.bin and val.bin", src)}
	}
	return nil
}

// isTokenizerFile reports whether name names a tokenizer file by its
// extension (see loadTokenizer).
func isTokenizerFile(name string) bool {
	switch filepath.Ext(name) {
	case ".tiktoken", ".model", ".json":
		return true
	}
	return false
}

// tokenizerForDir returns the tokenizer of a token folder: the file named by
// --tokenizer.
func tokenizerForDir(dir, tok string) (tokenizer.Tokenizer, error) {
	if !isTokenizerFile(tok) {
		return nil, &usageError{cmd: "train", msg: fmt.Sprintf("%s holds token ids: --tokenizer must name the tokenizer file that made them (.tiktoken, .model or .json), not %q", dir, tok)}
	}
	return loadTokenizer(tok)
}
