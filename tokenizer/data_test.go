package tokenizer

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// sharedData returns the path of name in ../shared/data beside the module's
// root (DESIGN.md, "Data the tests use"). When the file is absent the test
// skips, or fails when CI=true: CI always has the data.
func sharedData(tb testing.TB, name string) string {
	tb.Helper()
	root, err := moduleRoot()
	if err == nil {
		path := filepath.Join(root, "..", "shared", "data", name)
		if _, err = os.Stat(path); err == nil {
			return path
		}
	}
	if os.Getenv("CI") == "true" {
		tb.Fatalf("shared data %s is missing (CI=true): %v", name, err)
	}
	tb.Skipf("skipping: shared data %s is absent (%v); CI=true makes this a failure", name, err)
	return ""
}

// moduleRoot returns the folder holding go.mod, from the working directory
// up.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", os.ErrNotExist
		}
		dir = parent
	}
}

// readShared returns the contents of a shared data file (see sharedData).
func readShared(tb testing.TB, name string) string {
	tb.Helper()
	b, err := os.ReadFile(sharedData(tb, name))
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

// tryReadShared returns a shared data file's contents, if it is there.
func tryReadShared(name string) (string, bool) {
	root, err := moduleRoot()
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
	path := sharedData(tb, filepath.Join("tiktoken", e.File))
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
