package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCharLM(t *testing.T) {
	path := filepath.Join(t.TempDir(), "text.txt")
	os.WriteFile(path, []byte(strings.Repeat("hello world, hello tapegrad. ", 200)), 0o644)
	if err := run(path, 20); err != nil {
		t.Fatal(err)
	}
}
