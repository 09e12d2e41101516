package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestWalkThrough runs every stage with a sliver of the steps and checks
// each file was written.
func TestWalkThrough(t *testing.T) {
	out := t.TempDir()
	if err := run(out, 0.01); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"teacher.safetensors", "pruned50.safetensors", "heads75.safetensors",
		"student.safetensors", "teacher-int8.safetensors", "teacher-q4_0.safetensors", "teacher-q8_0.gguf"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Error(err)
		}
	}
}
