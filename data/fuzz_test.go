package data

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzOpenTokens checks that any file either opens as a token file whose ids
// read back as its bytes, or is an error; never a panic.
func FuzzOpenTokens(f *testing.F) {
	f.Add([]byte{}, uint8(2))
	f.Add([]byte{1, 2, 3}, uint8(2))
	f.Add([]byte{1, 2, 3, 4}, uint8(4))
	f.Add([]byte{0xff, 0xff, 0, 0, 1, 0}, uint8(2))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, b []byte, width uint8) {
		path := filepath.Join(dir, "f.bin")
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		tf, err := OpenTokens(path, int(width))
		if err != nil {
			if (width == 2 || width == 4) && len(b)%int(width) == 0 {
				t.Fatalf("OpenTokens(%d bytes, width %d): %v", len(b), width, err)
			}
			return
		}
		defer tf.Close()
		ids := make([]int, tf.Len())
		for i := range ids {
			ids[i] = tf.At(i)
		}
		out := filepath.Join(dir, "g.bin")
		if err := WriteTokens(out, ids, int(width)); err != nil {
			t.Fatal(err)
		}
		back, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		if string(back) != string(b) {
			t.Fatalf("round trip of %x (width %d) = %x", b, width, back)
		}
	})
}

// FuzzLoadText checks that any file content loads as its own text, or is an
// error when it is empty, binary or not UTF-8; never a panic.
func FuzzLoadText(f *testing.F) {
	f.Add([]byte("hello\n"))
	f.Add([]byte(""))
	f.Add([]byte("a\x00b"))
	f.Add([]byte("caf\xe9"))
	f.Add([]byte("日本\xe8\xaa"))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, b []byte) {
		path := filepath.Join(dir, "f.txt")
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		text, err := LoadText(path, "")
		if err == nil && text != string(b) {
			t.Fatalf("LoadText(%q) = %q", b, text)
		}
		if (err == nil) != (notText(b) == "" && len(b) > 0) {
			t.Fatalf("LoadText(%q) error = %v; notText = %q", b, err, notText(b))
		}
	})
}
