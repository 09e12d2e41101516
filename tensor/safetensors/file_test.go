package safetensors

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// listDir returns the names in dir.
func listDir(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

func sampleTensors() []Tensor {
	return []Tensor{
		{Name: "w", DType: "F32", Shape: []int{2}, Data: f32le(1, 2)},
		{Name: "w.q", DType: "I8", Shape: []int{2}, Data: []byte{3, 4}},
	}
}

func TestWriteReadFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "model.safetensors")
	meta := map[string]string{"format": "tapegrad/1"}
	if err := WriteFile(path, sampleTensors(), meta); err != nil {
		t.Fatal(err)
	}
	if got := listDir(t, dir); !cmp.Equal(got, []string{"model.safetensors"}) {
		t.Errorf("folder holds %v; want only model.safetensors", got)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := encode(t, sampleTensors(), meta); !bytes.Equal(raw, want) {
		t.Errorf("WriteFile wrote %q; want Encode's %q", raw, want)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("file mode %v, %v; want 0644", fi.Mode(), err)
	}
	f, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&File{Metadata: meta, Tensors: sampleTensors()}, f, tensorOpts); diff != "" {
		t.Errorf("ReadFile (-want +got):\n%s", diff)
	}
	// A relative path (no folder part) works too.
	t.Chdir(dir)
	if err := WriteFile("rel.safetensors", sampleTensors(), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadFile("rel.safetensors"); err != nil {
		t.Fatal(err)
	}
}

func TestReadFileErrors(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.safetensors")
	_, err := ReadFile(missing)
	if !errors.Is(err, os.ErrNotExist) || !strings.HasPrefix(err.Error(), "safetensors: ") || !strings.Contains(err.Error(), missing) {
		t.Errorf("ReadFile(missing) error %v; want safetensors: ... %s ... not exist", err, missing)
	}
	bad := filepath.Join(dir, "bad.safetensors")
	full := smallFile(t)
	if err := os.WriteFile(bad, full[:len(full)-1], 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = ReadFile(bad)
	var fe *FormatError
	if !errors.As(err, &fe) || fe.Path != bad {
		t.Fatalf("ReadFile(truncated) error %v; want a *FormatError with Path %s", err, bad)
	}
	checkErr(t, err, "safetensors: "+bad+": truncated")
}

// TestWriteFileFailures checks that a failed write leaves no file, and no
// temporary file, behind.
func TestWriteFileFailures(t *testing.T) {
	t.Run("invalid-tensors", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "model.safetensors")
		bad := append(sampleTensors(), Tensor{Name: "x", DType: "F32", Shape: []int{3}, Data: make([]byte, 8)})
		err := WriteFile(path, bad, nil)
		if err == nil {
			t.Fatal("WriteFile of a bad tensor = nil; want an error")
		}
		checkErr(t, err, path+`: tensor "x": 8 bytes of data; F32 [3] needs 12`)
		if got := listDir(t, dir); len(got) != 0 {
			t.Errorf("folder holds %v after a failed WriteFile; want nothing", got)
		}
	})
	t.Run("write-error", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "model.safetensors")
		err := writeAtomic(path, func(w io.Writer) error {
			w.Write(make([]byte, 3<<20)) // some of it reaches the temporary file
			return errDiskFull
		})
		if !errors.Is(err, errDiskFull) || !strings.HasPrefix(err.Error(), "safetensors: write "+path+": ") {
			t.Errorf("writeAtomic error %v; want safetensors: write %s: disk full", err, path)
		}
		if got := listDir(t, dir); len(got) != 0 {
			t.Errorf("folder holds %v after a failed write; want nothing", got)
		}
	})
	t.Run("rename-error", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "model.safetensors")
		// A non-empty folder under the real name makes the rename fail.
		if err := os.MkdirAll(filepath.Join(path, "x"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := WriteFile(path, sampleTensors(), nil); err == nil {
			t.Fatal("WriteFile over a non-empty folder = nil; want an error")
		}
		if got := listDir(t, dir); !cmp.Equal(got, []string{"model.safetensors"}) {
			t.Errorf("folder holds %v; want only the folder in the way", got)
		}
	})
	t.Run("no-folder", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "nope", "model.safetensors")
		if err := WriteFile(path, sampleTensors(), nil); err == nil || !strings.Contains(err.Error(), path) {
			t.Errorf("WriteFile into a missing folder: %v; want an error naming %s", err, path)
		}
	})
}

// TestWriteFileOverwrite checks that an old file stays intact until the
// rename: during the write and after a failed one.
func TestWriteFileOverwrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "model.safetensors")
	if err := WriteFile(path, sampleTensors(), map[string]string{"step": "1"}); err != nil {
		t.Fatal(err)
	}
	old, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	checkOld := func(when string) {
		t.Helper()
		now, err := os.ReadFile(path)
		if err != nil || !bytes.Equal(now, old) {
			t.Errorf("%s: the old file changed (%v)", when, err)
		}
	}
	newer, err := prepare(sampleTensors(), map[string]string{"step": "2"})
	if err != nil {
		t.Fatal(err)
	}
	err = writeAtomic(path, func(w io.Writer) error {
		if err := newer.writeTo(w); err != nil {
			return err
		}
		checkOld("during the write")
		return errDiskFull
	})
	if !errors.Is(err, errDiskFull) {
		t.Fatalf("writeAtomic error %v; want disk full", err)
	}
	checkOld("after a failed write")
	if got := listDir(t, dir); !cmp.Equal(got, []string{"model.safetensors"}) {
		t.Errorf("folder holds %v; want only model.safetensors", got)
	}

	if err := WriteFile(path, sampleTensors(), map[string]string{"step": "2"}); err != nil {
		t.Fatal(err)
	}
	f, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if f.Metadata["step"] != "2" {
		t.Errorf("after overwriting, step = %q; want 2", f.Metadata["step"])
	}
	if got := listDir(t, dir); !cmp.Equal(got, []string{"model.safetensors"}) {
		t.Errorf("folder holds %v; want only model.safetensors", got)
	}
}
