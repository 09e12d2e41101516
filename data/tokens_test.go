package data

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func TestTokensRoundTrip(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		width int
		ids   []int
	}{
		{2, []int{0, 1, 255, 256, 50256, 65535}},
		{4, []int{0, 1, 65535, 65536, 100276, 1<<31 - 1}},
		{2, nil},
	} {
		path := filepath.Join(dir, "t.bin")
		if err := WriteTokens(path, tc.ids, tc.width); err != nil {
			t.Fatal(err)
		}
		if fi, err := os.Stat(path); err != nil || fi.Size() != int64(len(tc.ids)*tc.width) {
			t.Fatalf("WriteTokens(width %d): file %v, %v; want %d bytes", tc.width, fi, err, len(tc.ids)*tc.width)
		}
		f, err := OpenTokens(path, tc.width)
		if err != nil {
			t.Fatal(err)
		}
		got := make([]int, f.Len())
		for i := range got {
			got[i] = f.At(i)
		}
		if f.Width() != tc.width || !slices.Equal(got, tc.ids) && len(tc.ids) > 0 {
			t.Errorf("width %d: read %v; want %v", tc.width, got, tc.ids)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("folder holds %v; want only t.bin (no temporary files)", entries)
	}
}

// TestTokensLittleEndian pins the byte layout: nanoGPT's train.bin is
// numpy uint16 written with tofile on a little-endian machine.
func TestTokensLittleEndian(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "train.bin")
	if err := os.WriteFile(path, []byte{0x01, 0x02, 0xff, 0x7f, 0x34, 0x12, 0x00, 0x70}, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		width int
		want  []int
	}{{2, []int{0x0201, 0x7fff, 0x1234, 0x7000}}, {4, []int{0x7fff0201, 0x70001234}}} {
		f, err := OpenTokens(path, tc.width)
		if err != nil {
			t.Fatal(err)
		}
		var got []int
		for i := range f.Len() {
			got = append(got, f.At(i))
		}
		f.Close()
		if !slices.Equal(got, tc.want) {
			t.Errorf("OpenTokens(width %d) = %#x; want %#x", tc.width, got, tc.want)
		}
	}
}

func TestTokensErrors(t *testing.T) {
	dir := t.TempDir()
	odd := filepath.Join(dir, "odd.bin")
	os.WriteFile(odd, []byte{1, 2, 3}, 0o644)
	six := filepath.Join(dir, "six.bin")
	os.WriteFile(six, []byte{1, 2, 3, 4, 5, 6}, 0o644)
	for _, tc := range []struct {
		path  string
		width int
		want  string
	}{
		{odd, 2, "size 3 is not a multiple of the width 2"},
		{six, 4, "size 6 is not a multiple of the width 4"},
		{six, 3, "width 3 is not 2 or 4"},
		{filepath.Join(dir, "missing.bin"), 2, "no such file"},
	} {
		f, err := OpenTokens(tc.path, tc.width)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "data: ") {
			t.Errorf("OpenTokens(%s, %d) = %v, %v; want error containing %q", filepath.Base(tc.path), tc.width, f, err, tc.want)
		}
	}

	out := filepath.Join(dir, "out.bin")
	cases := []struct {
		ids   []int
		width int
		want  string
	}{
		{[]int{1, 65536}, 2, "id 65536 at index 1 does not fit in 2 bytes"},
		{[]int{-1}, 2, "id -1 at index 0 does not fit in 2 bytes"},
		{[]int{1}, 8, "width 8 is not 2 or 4"},
	}
	if strconv.IntSize == 64 {
		var one int64 = 1
		cases = append(cases, struct {
			ids   []int
			width int
			want  string
		}{[]int{0, 0, int(one << 32)}, 4, "id 4294967296 at index 2 does not fit in 4 bytes"})
	}
	for _, tc := range cases {
		err := WriteTokens(out, tc.ids, tc.width)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("WriteTokens(%v, %d) = %v; want error containing %q", tc.ids, tc.width, err, tc.want)
		}
		if _, err := os.Stat(out); err == nil {
			t.Errorf("WriteTokens(%v, %d) failed but wrote %s", tc.ids, tc.width, out)
		}
	}
	if err := WriteTokens(filepath.Join(dir, "no", "such", "dir.bin"), []int{1}, 2); err == nil {
		t.Error("WriteTokens into a missing folder succeeded")
	}
}

func TestTokensAtPanics(t *testing.T) {
	path := filepath.Join(t.TempDir(), "t.bin")
	WriteTokens(path, []int{1, 2, 3}, 2)
	f, err := OpenTokens(path, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, i := range []int{-1, 3} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("At(%d) on 3 ids did not panic", i)
				}
			}()
			f.At(i)
		}()
	}
}

// TestSamplerTokenFile draws the same batches from a token file as from the
// same ids in memory.
func TestSamplerTokenFile(t *testing.T) {
	src := iota(1000)
	path := filepath.Join(t.TempDir(), "t.bin")
	if err := WriteTokens(path, src, 2); err != nil {
		t.Fatal(err)
	}
	f, err := OpenTokens(path, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	a, _ := NewSampler(src, 5)
	b, _ := NewSampler(f, 5)
	xa, ya := make([]int, 4*16), make([]int, 4*16)
	xb, yb := make([]int, 4*16), make([]int, 4*16)
	for range 20 {
		a.Batch(4, 16, xa, ya)
		b.Batch(4, 16, xb, yb)
		if !slices.Equal(xa, xb) || !slices.Equal(ya, yb) {
			t.Fatalf("token-file batch %v %v; want %v %v", xb, yb, xa, ya)
		}
	}
	if n := testing.AllocsPerRun(50, func() { b.Batch(4, 16, xb, yb) }); n != 0 {
		t.Errorf("Batch from a token file allocates %v times; want 0", n)
	}
}
