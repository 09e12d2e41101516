package tokenizer

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// idsHash is the sha256 of ids written in decimal, comma-separated, as
// testdata/tiktoken_files.mjs hashes them.
func idsHash(ids []int) string {
	var b strings.Builder
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(id))
	}
	sum := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(sum[:])
}

// TestTiktokenFiles encodes whole files and compares with
// testdata/golden/tiktoken_files.json, written by tiktoken (npm) with
// testdata/tiktoken_files.mjs. Encoding runs both on one goroutine and over
// cores; both must give tiktoken's ids.
func TestTiktokenFiles(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "golden", "tiktoken_files.json"))
	if err != nil {
		t.Fatal(err)
	}
	var g struct {
		Files map[string]map[string]struct {
			N      int    `json:"n"`
			SHA256 string `json:"sha256"`
		} `json:"files"`
	}
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	for _, file := range slices.Sorted(maps.Keys(g.Files)) {
		for _, name := range slices.Sorted(maps.Keys(g.Files[file])) {
			want := g.Files[file][name]
			t.Run(file+"/"+name, func(t *testing.T) {
				if testing.Short() && file == "tinyshakespeare.txt" {
					t.Skip("skipping 1 MB file in short mode")
				}
				text := readShared(t, file)
				enc := loadEncoding(t, name)
				serial := enc.appendSerial(nil, text)
				parallel := enc.appendParallel(nil, text, 3)
				for _, c := range []struct {
					how string
					ids []int
				}{{"serial", serial}, {"parallel", parallel}} {
					if got := idsHash(c.ids); len(c.ids) != want.N || got != want.SHA256 {
						t.Errorf("%s: %d ids, sha256 %s; want %d ids, sha256 %s", c.how, len(c.ids), got, want.N, want.SHA256)
					}
				}
				if back, err := enc.Decode(serial); err != nil || back != text {
					t.Errorf("Decode(Encode(%s)) differs from the file (err %v)", file, err)
				}
			})
		}
	}
}
