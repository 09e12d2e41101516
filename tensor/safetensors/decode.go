package safetensors

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"math"
	"slices"
	"strconv"
	"unicode/utf8"
)

// Decode parses and validates a whole safetensors file (see the package
// comment for every check). The tensors' Data slices point into data (no
// copy, capacity clipped), so data must not be modified while they are in
// use. Errors are *FormatError values that name the problem, the tensor and
// the file offset.
func Decode(data []byte) (*File, error) {
	if len(data) < 8 {
		return nil, formatErr("", -1, "file of %d bytes is too short for the 8-byte header size", len(data))
	}
	size := binary.LittleEndian.Uint64(data)
	if size > MaxHeaderSize {
		return nil, formatErr("", 0, "header size %d exceeds the limit of %d bytes", size, MaxHeaderSize)
	}
	n := int(size)
	if len(data)-8 < n {
		return nil, formatErr("", 0, "truncated: header size %d needs %d bytes, the file has %d", n, 8+n, len(data))
	}
	hdr := data[8 : 8+n]
	if !utf8.Valid(hdr) {
		i := 0
		for i < len(hdr) {
			r, w := utf8.DecodeRune(hdr[i:])
			if r == utf8.RuneError && w <= 1 {
				break
			}
			i += w
		}
		return nil, formatErr("", int64(8+i), "header is not valid UTF-8")
	}

	p := &parser{hdr: hdr, dec: json.NewDecoder(bytes.NewReader(hdr))}
	p.dec.UseNumber()
	entries, meta, err := p.header()
	if err != nil {
		return nil, err
	}

	// The data buffer must be tiled by the tensors, in offset order.
	slices.SortStableFunc(entries, func(a, b entry) int {
		if c := cmp.Compare(a.begin, b.begin); c != 0 {
			return c
		}
		return cmp.Compare(a.end, b.end)
	})
	pos := uint64(0)
	for i := range entries {
		e := &entries[i]
		switch {
		case e.begin < pos:
			return nil, formatErr(e.name, e.at, "data_offsets [%d, %d] overlap the previous tensor, which ends at %d", e.begin, e.end, pos)
		case e.begin > pos:
			return nil, formatErr(e.name, e.at, "data_offsets [%d, %d] leave a gap: the data before them ends at %d", e.begin, e.end, pos)
		case e.end < e.begin:
			return nil, formatErr(e.name, e.at, "data_offsets [%d, %d] end before they begin", e.begin, e.end)
		}
		nb, ok := numBytes(uint64(dtypes[e.dtype].size), e.shape)
		if !ok {
			return nil, formatErr(e.name, e.at, "shape %v of %s overflows", e.shape, e.dtype)
		}
		if e.end-e.begin != nb {
			return nil, formatErr(e.name, e.at, "data_offsets [%d, %d] hold %d bytes; %s %v needs %d", e.begin, e.end, e.end-e.begin, e.dtype, e.shape, nb)
		}
		for _, d := range e.shape {
			if d > math.MaxInt {
				return nil, formatErr(e.name, e.at, "dimension %d of shape %v is too large", d, e.shape)
			}
		}
		pos = e.end
	}
	start := 8 + n
	have := uint64(len(data) - start)
	if pos > have {
		return nil, formatErr("", int64(len(data)), "truncated: the tensors need %d bytes of data, the file has %d", pos, have)
	}
	if pos < have {
		return nil, formatErr("", int64(start)+int64(pos), "%d trailing bytes after the last tensor", have-pos)
	}

	f := &File{Metadata: meta, Tensors: make([]Tensor, len(entries))}
	for i, e := range entries {
		shape := make([]int, len(e.shape))
		for j, d := range e.shape {
			shape[j] = int(d)
		}
		b, end := start+int(e.begin), start+int(e.end)
		f.Tensors[i] = Tensor{Name: e.name, DType: e.dtype, Shape: shape, Data: data[b:end:end]}
	}
	return f, nil
}

// entry is one tensor of a header as read.
type entry struct {
	name       string
	at         int64 // file offset of its name in the header
	dtype      string
	shape      []uint64
	begin, end uint64
}

// parser reads a header with encoding/json's tokenizer, so that it can refuse
// repeated keys and report where each problem is.
type parser struct {
	hdr []byte
	dec *json.Decoder
}

// next returns the file offset of the next token: past whitespace and the
// separators that the tokenizer consumes before it.
func (p *parser) next() int64 {
	i := int(p.dec.InputOffset())
	for i < len(p.hdr) {
		switch p.hdr[i] {
		case ' ', '\t', '\n', '\r', ',', ':':
			i++
			continue
		}
		break
	}
	return 8 + int64(i)
}

// token returns the next JSON token; a syntax error or the end of the header
// becomes a *FormatError for tensor.
func (p *parser) token(tensor string) (json.Token, error) {
	at := p.next()
	tok, err := p.dec.Token()
	if err == nil {
		return tok, nil
	}
	return nil, p.jsonErr(tensor, at, err)
}

// jsonErr turns an error of the JSON decoder at offset at into a
// *FormatError for tensor.
func (p *parser) jsonErr(tensor string, at int64, err error) error {
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		return formatErr(tensor, 8+se.Offset, "header is not valid JSON: %v", se)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return formatErr(tensor, 8+int64(len(p.hdr)), "header is not valid JSON: unexpected end")
	}
	return formatErr(tensor, at, "header is not valid JSON: %v", err)
}

// delim reads the next token and checks that it is the delimiter d.
func (p *parser) delim(tensor string, d json.Delim, what string) error {
	at := p.next()
	tok, err := p.token(tensor)
	if err != nil {
		return err
	}
	if tok != d {
		return formatErr(tensor, at, "%s, found %s", what, describe(tok))
	}
	return nil
}

// header reads the whole header: the tensor entries in header order and the
// metadata (nil when absent or null).
func (p *parser) header() ([]entry, map[string]string, error) {
	if err := p.delim("", json.Delim('{'), "header is not a JSON object"); err != nil {
		return nil, nil, err
	}
	var entries []entry
	var meta map[string]string
	seen := make(map[string]bool)
	for p.dec.More() {
		at := p.next()
		tok, err := p.token("")
		if err != nil {
			return nil, nil, err
		}
		name := tok.(string) // the tokenizer only returns strings as keys
		if seen[name] {
			return nil, nil, formatErr(name, at, "name given twice in the header")
		}
		seen[name] = true
		if name == metadataKey {
			if meta, err = p.metadata(); err != nil {
				return nil, nil, err
			}
			continue
		}
		e, err := p.entry(name, at)
		if err != nil {
			return nil, nil, err
		}
		entries = append(entries, e)
	}
	if err := p.delim("", json.Delim('}'), "header object not closed"); err != nil {
		return nil, nil, err
	}
	at := p.next()
	if tok, err := p.dec.Token(); err != io.EOF {
		if err == nil {
			return nil, nil, formatErr("", at, "header has %s after its JSON object", describe(tok))
		}
		return nil, nil, formatErr("", at, "header has data after its JSON object")
	}
	return entries, meta, nil
}

// metadata reads the value of __metadata__: null or an object of strings.
func (p *parser) metadata() (map[string]string, error) {
	at := p.next()
	tok, err := p.token("")
	if err != nil {
		return nil, err
	}
	if tok == nil {
		return nil, nil
	}
	if tok != json.Delim('{') {
		return nil, formatErr("", at, "%s is %s, not an object of strings", metadataKey, describe(tok))
	}
	m := make(map[string]string)
	for p.dec.More() {
		at := p.next()
		tok, err := p.token("")
		if err != nil {
			return nil, err
		}
		k := tok.(string)
		if _, dup := m[k]; dup {
			return nil, formatErr("", at, "%s key %q given twice", metadataKey, k)
		}
		at = p.next()
		if tok, err = p.token(""); err != nil {
			return nil, err
		}
		v, ok := tok.(string)
		if !ok {
			return nil, formatErr("", at, "%s value of %q is %s, not a string", metadataKey, k, describe(tok))
		}
		m[k] = v
	}
	if err := p.delim("", json.Delim('}'), metadataKey+" object not closed"); err != nil {
		return nil, err
	}
	return m, nil
}

// entry reads one tensor's {"dtype", "shape", "data_offsets"} object; other
// fields are skipped.
func (p *parser) entry(name string, at int64) (entry, error) {
	e := entry{name: name, at: at}
	if err := p.delim(name, json.Delim('{'), "entry is not an object"); err != nil {
		return e, err
	}
	var have [3]bool
	for p.dec.More() {
		kat := p.next()
		tok, err := p.token(name)
		if err != nil {
			return e, err
		}
		key := tok.(string)
		field := -1
		switch key {
		case "dtype":
			field = 0
		case "shape":
			field = 1
		case "data_offsets":
			field = 2
		default:
			var skip json.RawMessage
			at := p.next()
			if err := p.dec.Decode(&skip); err != nil {
				return e, p.jsonErr(name, at, err)
			}
			continue
		}
		if have[field] {
			return e, formatErr(name, kat, "field %q given twice", key)
		}
		have[field] = true
		switch field {
		case 0:
			vat := p.next()
			tok, err := p.token(name)
			if err != nil {
				return e, err
			}
			s, ok := tok.(string)
			if !ok {
				return e, formatErr(name, vat, "dtype is %s, not a string", describe(tok))
			}
			if _, ok := dtypes[s]; !ok {
				return e, formatErr(name, vat, "unknown dtype %q", s)
			}
			e.dtype = s
		case 1:
			if e.shape, err = p.uints(name, "shape"); err != nil {
				return e, err
			}
		case 2:
			vat := p.next()
			offs, err := p.uints(name, "data_offsets")
			if err != nil {
				return e, err
			}
			if len(offs) != 2 {
				return e, formatErr(name, vat, "data_offsets hold %d numbers, not 2", len(offs))
			}
			e.begin, e.end = offs[0], offs[1]
		}
	}
	if err := p.delim(name, json.Delim('}'), "entry object not closed"); err != nil {
		return e, err
	}
	for i, f := range []string{"dtype", "shape", "data_offsets"} {
		if !have[i] {
			return e, formatErr(name, at, "entry has no %s", f)
		}
	}
	return e, nil
}

// uints reads an array of non-negative integers that fit a uint64.
func (p *parser) uints(name, what string) ([]uint64, error) {
	at := p.next()
	tok, err := p.token(name)
	if err != nil {
		return nil, err
	}
	if tok != json.Delim('[') {
		return nil, formatErr(name, at, "%s is %s, not an array", what, describe(tok))
	}
	v := []uint64{}
	for p.dec.More() {
		at := p.next()
		tok, err := p.token(name)
		if err != nil {
			return nil, err
		}
		num, ok := tok.(json.Number)
		if !ok {
			return nil, formatErr(name, at, "%s holds %s, not a number", what, describe(tok))
		}
		u, err := strconv.ParseUint(string(num), 10, 64)
		if err != nil {
			return nil, formatErr(name, at, "%s holds %s, not an integer in [0, 2^64)", what, num)
		}
		v = append(v, u)
	}
	if err := p.delim(name, json.Delim(']'), what+" array not closed"); err != nil {
		return nil, err
	}
	return v, nil
}

// describe names a JSON token for an error message.
func describe(tok json.Token) string {
	switch t := tok.(type) {
	case nil:
		return "null"
	case json.Delim:
		return "'" + t.String() + "'"
	case string:
		return "string " + strconv.Quote(t)
	case json.Number:
		return "number " + t.String()
	case bool:
		return strconv.FormatBool(t)
	}
	return "a value"
}
