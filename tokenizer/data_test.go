package tokenizer

import (
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/tapegrad/tapegrad/internal/testenv"
)

// readShared returns the contents of a shared data file (see sharedData).
func readShared(tb testing.TB, name string) string {
	tb.Helper()
	b, err := os.ReadFile(testenv.SharedData(tb, name))
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

// tryReadShared returns a shared data file's contents, if it is there.
func tryReadShared(name string) (string, bool) {
	root, err := testenv.ModuleRoot()
	if err != nil {
		return "", false
	}
	b, err := os.ReadFile(filepath.Join(root, "..", "shared", "data", name))
	return string(b), err == nil
}

var encodingCache sync.Map // name → func() (*BPE, error)

// loadEncoding returns tiktoken's encoding name ("gpt2", "cl100k_base"),
// read once from ../shared/data/tiktoken per test binary.
func loadEncoding(tb testing.TB, name string) *BPE {
	tb.Helper()
	e, ok := EncodingByName(name)
	if !ok {
		tb.Fatalf("unknown tiktoken encoding %q", name)
	}
	path := testenv.SharedData(tb, filepath.Join("tiktoken", e.File))
	load, _ := encodingCache.LoadOrStore(name, sync.OnceValues(func() (*BPE, error) {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		return ReadTiktoken(f, e)
	}))
	t, err := load.(func() (*BPE, error))()
	if err != nil {
		tb.Fatalf("loading %s: %v", name, err)
	}
	return t
}
