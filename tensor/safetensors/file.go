package safetensors

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"
)

// ReadFile reads the whole file at path into memory and decodes it (see
// Decode); the tensors' Data slices share that one buffer. A malformed file
// gives a *FormatError whose Path is path.
func ReadFile(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("safetensors: %w", err)
	}
	f, err := Decode(data)
	if err != nil {
		var fe *FormatError
		if errors.As(err, &fe) {
			fe.Path = path
			return nil, fe
		}
		return nil, fmt.Errorf("safetensors: %s: %w", path, err)
	}
	return f, nil
}

// WriteFile writes tensors and metadata (as Encode does) to path, atomically:
// it validates everything first, writes to a temporary file in the same
// folder, fsyncs and closes it, renames it to path and fsyncs the folder. On
// any error before the rename the temporary file is removed and path is
// untouched (an old file there keeps its content); a crash leaves at worst a stray hidden temporary
// file, never a half-written file under the real name. The new file has mode
// 0644.
func WriteFile(path string, tensors []Tensor, metadata map[string]string) error {
	e, err := prepare(tensors, metadata)
	if err != nil {
		var fe *FormatError
		if errors.As(err, &fe) {
			fe.Path = path
		}
		return err
	}
	return writeAtomic(path, e.writeTo)
}

// writeAtomic creates path with the bytes that write produces, through a
// temporary file that is synced and renamed.
func writeAtomic(path string, write func(io.Writer) error) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp*")
	if err != nil {
		return fmt.Errorf("safetensors: write %s: %w", path, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
			err = fmt.Errorf("safetensors: write %s: %w", path, err)
		}
	}()
	w := bufio.NewWriterSize(f, 1<<20)
	if err = write(w); err != nil {
		return err
	}
	if err = w.Flush(); err != nil {
		return err
	}
	if err = f.Chmod(0o644); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp, path); err != nil {
		return err
	}
	return syncDir(dir)
}

// syncDir flushes a folder's entries (the rename) to disk. File systems that
// cannot sync a folder (EINVAL) are not an error.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if errors.Is(err, syscall.EINVAL) {
		err = nil
	}
	return err
}
