package tokenizer

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/tapegrad/tapegrad/internal/atomicfile"
)

// modelVersion is the first line of a minbpe .model file.
const modelVersion = "minbpe v1"

// WriteModel writes t in minbpe's .model format, byte for byte as minbpe's
// save writes it:
//
//	minbpe v1
//	<split pattern, empty for the BasicTokenizer>
//	<number of special tokens>
//	<special> <id>          one line each, by id
//	<id1> <id2>             one line each merge, in order
//
// Only tokenizers from minbpe (Train, NewMinbpe, ReadModel) have this form;
// others are an error.
func (t *BPE) WriteModel(w io.Writer) error {
	if t.source != fromMinbpe {
		return fmt.Errorf("tokenizer: model: only minbpe tokenizers (bytes 0-255, merge i making id 256+i) can be written as .model")
	}
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "%s\n%s\n%d\n", modelVersion, t.patternSource, len(t.special))
	for _, id := range slices.Sorted(maps.Keys(t.specialByID)) {
		fmt.Fprintf(bw, "%s %d\n", t.specialByID[id], id)
	}
	for _, r := range t.rules {
		fmt.Fprintf(bw, "%d %d\n", r[0], r[1])
	}
	return bw.Flush()
}

// SaveModel writes prefix.model (WriteModel) and prefix.vocab (WriteVocab),
// as minbpe's save does.
func (t *BPE) SaveModel(prefix string) error {
	if err := writeFile(prefix+".model", t.WriteModel); err != nil {
		return err
	}
	return writeFile(prefix+".vocab", t.WriteVocab)
}

// writeFile writes path atomically (internal/atomicfile) with write, whose
// errors are returned as they are.
func writeFile(path string, write func(io.Writer) error) error {
	var werr error
	err := atomicfile.Write(path, func(w io.Writer) error {
		werr = write(w)
		return werr
	})
	if werr != nil {
		return werr
	}
	if err != nil {
		return fmt.Errorf("tokenizer: %w", err)
	}
	return nil
}

// loadFile reads the file at path with read; read's errors name the path.
func loadFile(path string, read func(io.Reader) (*BPE, error)) (*BPE, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("tokenizer: %w", err)
	}
	defer f.Close()
	t, err := read(f)
	if err != nil {
		return nil, fmt.Errorf("%w (in %s)", err, path)
	}
	return t, nil
}

// ReadModel reads a minbpe .model file (see WriteModel). Lines are trimmed of
// surrounding white space, as minbpe's load does. A malformed line is an
// error naming it: a merge must join two ids defined before it, and special
// tokens may not take the ids of bytes or merges.
func ReadModel(r io.Reader) (*BPE, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	line := 0
	next := func() (string, bool) {
		if !sc.Scan() {
			return "", false
		}
		line++
		return strings.TrimSpace(sc.Text()), true
	}
	fail := func(format string, args ...any) error {
		return fmt.Errorf("tokenizer: model: line %d: %s", line, fmt.Sprintf(format, args...))
	}
	eof := func(what string) error {
		if err := sc.Err(); err != nil {
			return fmt.Errorf("tokenizer: model: line %d: %w", line+1, err)
		}
		return fmt.Errorf("tokenizer: model: file ends before the %s (line %d)", what, line+1)
	}
	s, ok := next()
	if !ok {
		return nil, eof("version line")
	}
	if s != modelVersion {
		return nil, fail("want %q, have %q", modelVersion, s)
	}
	source, ok := next()
	if !ok {
		return nil, eof("pattern line")
	}
	pattern, err := ParsePattern(source)
	if err != nil {
		return nil, fail("%v", err)
	}
	s, ok = next()
	if !ok {
		return nil, eof("number of special tokens")
	}
	nspecial, err := parseID(s)
	if err != nil {
		return nil, fail("number of special tokens: %v", err)
	}
	special := make(map[string]int)
	for range nspecial {
		if s, ok = next(); !ok {
			return nil, eof("special tokens")
		}
		f := strings.Fields(s)
		if len(f) != 2 {
			return nil, fail("want \"<special token> <id>\", have %q", s)
		}
		id, err := parseID(f[1])
		if err != nil {
			return nil, fail("special token id: %v", err)
		}
		if _, dup := special[f[0]]; dup {
			return nil, fail("special token %q appears twice", f[0])
		}
		special[f[0]] = id
	}
	var merges [][2]int
	seen := make(map[[2]int]int)
	for {
		if s, ok = next(); !ok {
			break
		}
		f := strings.Fields(s)
		if len(f) != 2 {
			return nil, fail("want a merge \"<id> <id>\", have %q", s)
		}
		a, err1 := parseID(f[0])
		b, err2 := parseID(f[1])
		if err := cmp.Or(err1, err2); err != nil {
			return nil, fail("merge: %v", err)
		}
		id := 256 + len(merges)
		if a >= id || b >= id {
			return nil, fail("merge %d %d uses an id not defined before it (next id %d)", a, b, id)
		}
		if prev, dup := seen[[2]int{a, b}]; dup {
			return nil, fail("merge %d %d repeats line %d", a, b, prev)
		}
		seen[[2]int{a, b}] = line
		merges = append(merges, [2]int{a, b})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("tokenizer: model: line %d: %w", line+1, err)
	}
	t, err := NewMinbpe(merges, pattern, special)
	if err != nil {
		return nil, inContext("model", err)
	}
	t.patternSource = source
	return t, nil
}

// LoadModel reads the minbpe .model file at path.
func LoadModel(path string) (*BPE, error) { return loadFile(path, ReadModel) }
