package data

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/tapegrad/tapegrad/internal/atomicfile"
)

// Corpus is the text of a source and where it came from.
type Corpus struct {
	Text string
	// Files lists the files whose text is in Text, in order: the source
	// itself for a file, the text files under it for a folder, the cache
	// file for a URL.
	Files []string
	// Skipped lists the files of a folder that were left out and why
	// (binary, not UTF-8). Hidden files and folders are left out silently.
	Skipped []Skipped
}

// Skipped is a file of a folder that Load left out.
type Skipped struct {
	Path   string
	Reason string // e.g. "binary: NUL byte at offset 12"
}

// LoadText returns the text of src, which is a file, a folder, or an http(s)
// URL; see Load for the rules. It is Load(src, cacheDir).Text.
func LoadText(src, cacheDir string) (string, error) {
	c, err := Load(src, cacheDir)
	if err != nil {
		return "", err
	}
	return c.Text, nil
}

// Load reads the corpus src:
//
//   - a file: its text. A binary file (a NUL byte) or one that is not UTF-8
//     is an error that says so.
//   - a folder: the text of every regular file under it, in the order of
//     their slash-separated paths relative to src (byte order), joined with
//     "\n". Hidden files and folders (names starting with ".") are left out;
//     so are binary and non-UTF-8 files, which Corpus.Skipped lists.
//     Symbolic links to files are followed; links to folders are not.
//   - an http:// or https:// URL: downloaded once into cacheDir (created if
//     needed; "" means tapegrad/data under os.UserCacheDir) under a name made
//     of a hash of the URL and the URL's base name; later calls read the
//     cache without the network. A download goes to a temporary file that
//     is renamed into place only when complete, so an interrupted download
//     never leaves a cache file. A status other than 2xx is an error naming
//     the status.
//
// Text that is empty is an error ("data: corpus ... is empty").
func Load(src, cacheDir string) (*Corpus, error) {
	var (
		c   *Corpus
		err error
	)
	if isURL(src) {
		c, err = loadURL(src, cacheDir)
	} else {
		c, err = loadPath(src)
	}
	if err != nil {
		return nil, err
	}
	if c.Text == "" {
		msg := fmt.Sprintf("data: corpus %s is empty", src)
		if len(c.Skipped) > 0 {
			msg += fmt.Sprintf(" (skipped %d files, e.g. %s: %s)", len(c.Skipped), c.Skipped[0].Path, c.Skipped[0].Reason)
		}
		return nil, errors.New(msg)
	}
	return c, nil
}

func isURL(src string) bool {
	s := strings.ToLower(src)
	return strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://")
}

func loadPath(src string) (*Corpus, error) {
	fi, err := os.Stat(src)
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	if !fi.IsDir() {
		text, err := readText(src)
		if err != nil {
			return nil, err
		}
		return &Corpus{Text: text, Files: []string{src}}, nil
	}
	return loadDir(src)
}

// readText returns the text of the file at name, or an error when it is not
// UTF-8 text.
func readText(name string) (string, error) {
	b, err := os.ReadFile(name)
	if err != nil {
		return "", fmt.Errorf("data: %w", err)
	}
	if why := notText(b); why != "" {
		return "", fmt.Errorf("data: %s is not text: %s", name, why)
	}
	return string(b), nil
}

// notText returns why b is not UTF-8 text ("binary: NUL byte at offset
// 12"), or "" when it is.
func notText(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		return fmt.Sprintf("binary: NUL byte at offset %d", i)
	}
	if !utf8.Valid(b) {
		i := 0
		for i < len(b) {
			r, n := utf8.DecodeRune(b[i:])
			if r == utf8.RuneError && n == 1 {
				break
			}
			i += n
		}
		return fmt.Sprintf("not UTF-8: invalid byte %#02x at offset %d", b[i], i)
	}
	return ""
}

func loadDir(root string) (*Corpus, error) {
	type file struct{ rel, path string }
	var files []file
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != root && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		if !d.Type().IsRegular() {
			if d.Type()&fs.ModeSymlink == 0 {
				return nil
			}
			fi, err := os.Stat(p)
			if err != nil || !fi.Mode().IsRegular() {
				return nil
			}
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		files = append(files, file{filepath.ToSlash(rel), p})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	slices.SortFunc(files, func(a, b file) int { return strings.Compare(a.rel, b.rel) })
	c := &Corpus{}
	var texts []string
	for _, f := range files {
		b, err := os.ReadFile(f.path)
		if err != nil {
			return nil, fmt.Errorf("data: %w", err)
		}
		if why := notText(b); why != "" {
			c.Skipped = append(c.Skipped, Skipped{Path: f.path, Reason: why})
			continue
		}
		texts = append(texts, string(b))
		c.Files = append(c.Files, f.path)
	}
	c.Text = strings.Join(texts, "\n")
	return c, nil
}

// CachePath returns the file under cacheDir that holds the download of the
// URL u: the first 16 hex digits of the SHA-256 of u, a dash, and the base
// name of u's path with characters other than letters, digits, '.', '-' and
// '_' replaced by '_' ("corpus" when the path has no base name).
func CachePath(u, cacheDir string) string {
	sum := sha256.Sum256([]byte(u))
	base := "corpus"
	if pu, err := url.Parse(u); err == nil {
		if b := path.Base(pu.Path); b != "." && b != "/" && b != "" {
			base = b
		}
	}
	clean := []byte(base)
	for i, ch := range clean {
		ok := ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || ch == '.' || ch == '-' || ch == '_'
		if !ok {
			clean[i] = '_'
		}
	}
	if len(clean) > 100 {
		clean = clean[len(clean)-100:]
	}
	return filepath.Join(cacheDir, hex.EncodeToString(sum[:8])+"-"+string(clean))
}

func loadURL(u, cacheDir string) (*Corpus, error) {
	if cacheDir == "" {
		dir, err := os.UserCacheDir()
		if err != nil {
			return nil, fmt.Errorf("data: no cache folder for %s: %w", u, err)
		}
		cacheDir = filepath.Join(dir, "tapegrad", "data")
	}
	name := CachePath(u, cacheDir)
	if _, err := os.Stat(name); err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("data: %w", err)
		}
		if err := download(u, name); err != nil {
			return nil, err
		}
	}
	text, err := readText(name)
	if err != nil {
		return nil, err
	}
	return &Corpus{Text: text, Files: []string{name}}, nil
}

// download writes the body of u to name through a temporary file in the
// same folder, renamed into place only after the whole body arrived.
func download(u, name string) error {
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return fmt.Errorf("data: cache folder: %w", err)
	}
	resp, err := http.Get(u)
	if err != nil {
		return fmt.Errorf("data: download: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("data: download %s: HTTP %s", u, resp.Status)
	}
	err = atomicfile.Write(name, func(w io.Writer) error {
		n, err := io.Copy(w, resp.Body)
		if err != nil {
			return fmt.Errorf("interrupted after %d bytes: %w", n, err)
		}
		if resp.ContentLength >= 0 && n != resp.ContentLength {
			return fmt.Errorf("got %d of %d bytes", n, resp.ContentLength)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("data: download %s: %w", u, err)
	}
	return nil
}
