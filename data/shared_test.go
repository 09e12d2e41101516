package data

import (
	"os"
	"path/filepath"
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
