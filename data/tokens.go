package data

import (
	"encoding/binary"
	"fmt"
	"io"

	"golang.org/x/exp/mmap"

	"github.com/tapegrad/tapegrad/internal/atomicfile"
)

// TokenFile is a Source read from a token file: flat little-endian unsigned
// ids of 2 bytes (uint16, as nanoGPT's train.bin and val.bin) or 4 bytes
// (uint32), with no header. The file is memory-mapped (golang.org/x/exp/mmap),
// so it may be larger than memory: pages are read as blocks touch them.
// A TokenFile is safe for concurrent reads; At after Close panics. Where int
// has 32 bits, a uint32 id of 2^31 or more reads as a negative int.
type TokenFile struct {
	r     *mmap.ReaderAt
	width int
	n     int
}

// OpenTokens maps the token file at path whose ids are width bytes each
// (2 or 4). A size that is not a multiple of width is an error.
func OpenTokens(path string, width int) (*TokenFile, error) {
	if width != 2 && width != 4 {
		return nil, fmt.Errorf("data: token file %s: width %d is not 2 or 4", path, width)
	}
	r, err := mmap.Open(path)
	if err != nil {
		return nil, fmt.Errorf("data: token file: %w", err)
	}
	if r.Len()%width != 0 {
		size := r.Len()
		r.Close()
		return nil, fmt.Errorf("data: token file %s: size %d is not a multiple of the width %d", path, size, width)
	}
	return &TokenFile{r: r, width: width, n: r.Len() / width}, nil
}

// Len returns the number of ids in the file.
func (f *TokenFile) Len() int { return f.n }

// Width returns the bytes per id, 2 or 4.
func (f *TokenFile) Width() int { return f.width }

// At returns the i-th id. It panics when i is outside [0, Len()).
func (f *TokenFile) At(i int) int {
	if uint(i) >= uint(f.n) {
		panic(fmt.Sprintf("data: TokenFile.At: index %d out of range [0, %d)", i, f.n))
	}
	o := i * f.width
	if f.width == 2 {
		return int(f.r.At(o)) | int(f.r.At(o+1))<<8
	}
	return int(uint32(f.r.At(o)) | uint32(f.r.At(o+1))<<8 | uint32(f.r.At(o+2))<<16 | uint32(f.r.At(o+3))<<24)
}

// Close unmaps the file.
func (f *TokenFile) Close() error { return f.r.Close() }

// WriteTokens writes ids to path as a token file of width bytes per id (2 or
// 4), atomically: to a temporary file in the same folder, synced, then
// renamed, so path never holds half a file. An id that does not fit the
// width (negative, or ≥ 2^(8·width)) is an error naming its index, and
// nothing is written.
func WriteTokens(path string, ids []int, width int) (err error) {
	if width != 2 && width != 4 {
		return fmt.Errorf("data: token file %s: width %d is not 2 or 4", path, width)
	}
	limit := uint64(1) << (8 * width)
	for i, id := range ids {
		if id < 0 || uint64(id) >= limit {
			return fmt.Errorf("data: token file %s: id %d at index %d does not fit in %d bytes", path, id, i, width)
		}
	}
	err = atomicfile.Write(path, func(w io.Writer) error {
		var buf [4]byte
		for _, id := range ids {
			if width == 2 {
				binary.LittleEndian.PutUint16(buf[:2], uint16(id))
			} else {
				binary.LittleEndian.PutUint32(buf[:4], uint32(id))
			}
			if _, err := w.Write(buf[:width]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("data: token file: %w", err)
	}
	return nil
}
