package data

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tapegrad/tapegrad/internal/testenv"
	"github.com/tapegrad/tapegrad/tokenizer"
)

func writeFile(t *testing.T, name, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestLoadTextFile(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "a.txt")
	writeFile(t, name, "héllo\nworld\n")
	got, err := LoadText(name, "")
	if err != nil {
		t.Fatal(err)
	}
	if got != "héllo\nworld\n" {
		t.Errorf("LoadText(%q) = %q; want %q", name, got, "héllo\nworld\n")
	}
}

func TestLoadTextFileErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name, text, want string
	}{
		{"empty.txt", "", "data: corpus " + filepath.Join(dir, "empty.txt") + " is empty"},
		{"nul.bin", "ab\x00cd", "binary: NUL byte at offset 2"},
		{"latin1.txt", "caf\xe9 au lait", "not UTF-8: invalid byte 0xe9 at offset 3"},
		{"missing.txt", "", "no such file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			name := filepath.Join(dir, tc.name)
			if tc.name != "missing.txt" {
				writeFile(t, name, tc.text)
			}
			_, err := LoadText(name, "")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("LoadText(%q) error = %v; want one containing %q", name, err, tc.want)
			}
			if !strings.HasPrefix(err.Error(), "data: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
		})
	}
}

func TestLoadFolder(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"b.txt":            "bee",
		"a.txt":            "ay",
		"a/z.txt":          "zed", // "a.txt" < "a/z.txt" in byte order ('.' < '/')
		"c/d/e.md":         "deep\n",
		".hidden":          "secret",
		".git/config":      "[core]",
		"c/.notes.txt":     "hidden too",
		"img.png":          "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
		"latin1.txt":       "caf\xe9",
		"sub/empty.txt":    "",
		"sub/unicode.txt":  "日本語",
		"sub/.cache/x.txt": "no",
	}
	for name, text := range files {
		writeFile(t, filepath.Join(dir, filepath.FromSlash(name)), text)
	}
	c, err := Load(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Join([]string{"ay", "zed", "bee", "deep\n", "", "日本語"}, "\n")
	if c.Text != want {
		t.Errorf("Load(dir).Text = %q; want %q", c.Text, want)
	}
	var rel []string
	for _, f := range c.Files {
		r, _ := filepath.Rel(dir, f)
		rel = append(rel, filepath.ToSlash(r))
	}
	wantFiles := []string{"a.txt", "a/z.txt", "b.txt", "c/d/e.md", "sub/empty.txt", "sub/unicode.txt"}
	if diff := cmp.Diff(wantFiles, rel); diff != "" {
		t.Errorf("Load(dir).Files (-want +got):\n%s", diff)
	}
	var skipped []string
	for _, s := range c.Skipped {
		r, _ := filepath.Rel(dir, s.Path)
		skipped = append(skipped, filepath.ToSlash(r)+": "+s.Reason)
	}
	wantSkipped := []string{"img.png: binary: NUL byte at offset 8", "latin1.txt: not UTF-8: invalid byte 0xe9 at offset 3"}
	if diff := cmp.Diff(wantSkipped, skipped); diff != "" {
		t.Errorf("Load(dir).Skipped (-want +got):\n%s", diff)
	}
	got, err := LoadText(dir, "")
	if err != nil || got != want {
		t.Errorf("LoadText(dir) = %q, %v; want %q, nil", got, err, want)
	}
}

func TestLoadFolderEmpty(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, ".hidden.txt"), "text")
	writeFile(t, filepath.Join(dir, "x.bin"), "\x00\x01")
	_, err := LoadText(dir, "")
	want := "data: corpus " + dir + " is empty (skipped 1 files, e.g. " + filepath.Join(dir, "x.bin") + ": binary: NUL byte at offset 0)"
	if err == nil || err.Error() != want {
		t.Errorf("LoadText(empty folder) error = %v; want %q", err, want)
	}
}

func TestLoadURL(t *testing.T) {
	const body = "First Citizen:\nBefore we proceed any further, hear me speak.\n"
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		switch r.URL.Path {
		case "/input.txt":
			io.WriteString(w, body)
		default:
			http.NotFound(w, r)
		}
	}))
	cache := filepath.Join(t.TempDir(), "cache", "nested") // created by Load
	u := srv.URL + "/input.txt"
	got, err := LoadText(u, cache)
	if err != nil {
		t.Fatal(err)
	}
	if got != body {
		t.Errorf("LoadText(%s) = %q; want %q", u, got, body)
	}
	cached := CachePath(u, cache)
	if !strings.HasSuffix(cached, "-input.txt") {
		t.Errorf("CachePath(%s) = %s; want a name ending in -input.txt", u, cached)
	}
	if b, err := os.ReadFile(cached); err != nil || string(b) != body {
		t.Errorf("cache file %s = %q, %v; want the body", cached, b, err)
	}

	_, err = LoadText(srv.URL+"/missing.txt", cache)
	if err == nil || !strings.Contains(err.Error(), "404 Not Found") {
		t.Errorf("LoadText(404) error = %v; want one naming the status", err)
	}
	if n := hits.Load(); n != 2 {
		t.Errorf("server saw %d requests; want 2", n)
	}

	srv.Close()
	got, err = LoadText(u, cache)
	if err != nil || got != body {
		t.Errorf("second LoadText(%s) with the server closed = %q, %v; want the cached body", u, got, err)
	}
	entries, _ := os.ReadDir(cache)
	if len(entries) != 1 {
		t.Errorf("cache holds %d entries; want 1 (the 404 leaves nothing)", len(entries))
	}
}

func TestLoadURLInterrupted(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100000")
		io.WriteString(w, strings.Repeat("partial ", 100))
		w.(http.Flusher).Flush()
		panic(http.ErrAbortHandler) // drops the connection mid-body
	}))
	defer srv.Close()
	cache := t.TempDir()
	_, err := LoadText(srv.URL+"/big.txt", cache)
	if err == nil {
		t.Fatal("LoadText of an interrupted download succeeded")
	}
	if !strings.HasPrefix(err.Error(), "data: download ") {
		t.Errorf("error %q; want a download error", err)
	}
	entries, _ := os.ReadDir(cache)
	if len(entries) != 0 {
		t.Errorf("interrupted download left %v in the cache; want nothing", entries)
	}
}

func TestCachePath(t *testing.T) {
	for _, tc := range []struct{ url, suffix string }{
		{"https://example.com/data/input.txt", "-input.txt"},
		{"https://example.com/", "-corpus"},
		{"https://example.com", "-corpus"},
		{"https://example.com/a%20b?x=1", "-a_b"},
		{"http://h/weird/na:me*.txt", "-na_me_.txt"},
	} {
		got := CachePath(tc.url, "c")
		if filepath.Dir(got) != "c" || !strings.HasSuffix(got, tc.suffix) || len(filepath.Base(got)) != 16+len(tc.suffix) {
			t.Errorf("CachePath(%q) = %q; want c/<16 hex>%s", tc.url, got, tc.suffix)
		}
	}
	if CachePath("https://a/x.txt", "c") == CachePath("https://b/x.txt", "c") {
		t.Error("two URLs with one base name share a cache file")
	}
}

// TestTinyShakespeare loads the standard char-LM corpus (shared data) and
// checks nanoGPT's numbers: 1,115,394 characters, 65 distinct, and the 90/10
// split sizes of shakespeare_char (1,003,854 and 111,540).
func TestTinyShakespeare(t *testing.T) {
	path := testenv.SharedData(t, "tinyshakespeare.txt")
	text, err := LoadText(path, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(text) != 1115394 {
		t.Errorf("len(text) = %d; want 1115394", len(text))
	}
	tok := tokenizer.NewChar(text)
	if tok.VocabSize() != 65 {
		t.Errorf("vocab size %d; want 65", tok.VocabSize())
	}
	ids, err := tok.Encode(text)
	if err != nil {
		t.Fatal(err)
	}
	train, val := Split(ids, 0.9)
	if len(train) != 1003854 || len(val) != 111540 {
		t.Errorf("Split(0.9) = %d, %d tokens; want 1003854, 111540", len(train), len(val))
	}
}
