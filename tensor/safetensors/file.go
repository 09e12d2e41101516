package safetensors

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/tapegrad/tapegrad/internal/atomicfile"
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

// writeAtomic is atomicfile.Write with the package's error prefix.
func writeAtomic(path string, write func(io.Writer) error) error {
	if err := atomicfile.Write(path, write); err != nil {
		return fmt.Errorf("safetensors: write %s: %w", path, err)
	}
	return nil
}
