// Package testenv helps tests find what lives outside the module: the data
// files beside the project's root (DESIGN.md, "Data the tests use").
package testenv

import (
	"os"
	"path/filepath"
	"testing"
)

// SharedData returns the path of name in ../shared/data beside the module's
// root. When the file is absent the test skips with a message, or fails when
// the environment has CI=true: CI always has the data.
func SharedData(tb testing.TB, name string) string {
	tb.Helper()
	root, err := ModuleRoot()
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

// ModuleRoot returns the folder holding go.mod, from the working directory
// up.
func ModuleRoot() (string, error) {
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
