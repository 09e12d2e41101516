package tokenizer

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
)

// parallelMin is the shortest text EncodeOrdinary splits over cores; below it
// the goroutines cost more than they save.
const parallelMin = 256 << 10

// EncodeOrdinary returns the ids of text with special tokens' text encoded as
// ordinary text (tiktoken's encode_ordinary). It never fails: every byte is a
// token. Texts of 256 KiB and more are split at chunk boundaries and encoded
// on GOMAXPROCS goroutines; the ids are the same as on one.
func (t *BPE) EncodeOrdinary(text string) []int {
	return t.AppendEncodeOrdinary(make([]int, 0, len(text)/4+1), text)
}

// AppendEncodeOrdinary appends the ids of text to out, like EncodeOrdinary,
// and returns the extended slice.
func (t *BPE) AppendEncodeOrdinary(out []int, text string) []int {
	if procs := runtime.GOMAXPROCS(0); procs > 1 && len(text) >= parallelMin {
		return t.appendParallel(out, text, procs)
	}
	return t.appendSerial(out, text)
}

func (t *BPE) appendSerial(out []int, text string) []int {
	var m merger
	for i := 0; i < len(text); {
		j := t.pattern.next(text, i)
		out = t.appendChunk(out, text[i:j], &m)
		i = j
	}
	return out
}

// appendParallel cuts text into about 4·procs parts at points where every
// scan restarts (splitPoint), encodes them on procs goroutines and joins the
// ids in order.
func (t *BPE) appendParallel(out []int, text string, procs int) []int {
	if t.pattern == NoSplit {
		return t.appendSerial(out, text) // one chunk: nothing to split
	}
	parts := 4 * procs
	size := len(text) / parts
	var cuts []int
	for k := 1; k < parts; k++ {
		from := max(k*size, 1)
		if len(cuts) > 0 {
			from = max(from, cuts[len(cuts)-1]+1)
		}
		if p := splitPoint(text, from, min(from+size, len(text))); p > 0 {
			cuts = append(cuts, p)
		}
	}
	cuts = append(cuts, len(text))
	results := make([][]int, len(cuts))
	var wg sync.WaitGroup
	work := make(chan int)
	for range procs {
		wg.Go(func() {
			for k := range work {
				start := 0
				if k > 0 {
					start = cuts[k-1]
				}
				seg := text[start:cuts[k]]
				results[k] = t.appendSerial(make([]int, 0, len(seg)/4+1), seg)
			}
		})
	}
	for k := range cuts {
		work <- k
	}
	close(work)
	wg.Wait()
	for _, r := range results {
		out = append(out, r...)
	}
	return out
}

// SpecialSet names special tokens, as tiktoken's allowed_special and
// disallowed_special do: AllSpecial, NoSpecial, or Specials(names...).
type SpecialSet struct {
	all   bool
	names []string
}

var (
	// AllSpecial is every special token of the tokenizer ("all").
	AllSpecial = SpecialSet{all: true}
	// NoSpecial is no special token (the empty set).
	NoSpecial = SpecialSet{}
)

// Specials returns the set of the named special tokens.
func Specials(names ...string) SpecialSet { return SpecialSet{names: names} }

// Encode returns the ids of text with tiktoken's defaults: no special token
// is allowed, and text that contains a special token's text is an error.
// Use EncodeSpecial to allow them or EncodeOrdinary to ignore them.
func (t *BPE) Encode(text string) ([]int, error) {
	return t.EncodeSpecial(text, NoSpecial, AllSpecial)
}

// EncodeSpecial returns the ids of text as tiktoken's encode does: the text
// of an allowed special token becomes its id; the text of a disallowed one is
// an error; the text of any other encodes as ordinary text. disallowed
// AllSpecial means every special token that is not allowed. Where special
// tokens overlap, the leftmost wins, then the longest. A name that is not a
// special token of t is an error.
func (t *BPE) EncodeSpecial(text string, allowed, disallowed SpecialSet) ([]int, error) {
	allow, err := t.specialSubset(allowed, nil)
	if err != nil {
		return nil, err
	}
	deny, err := t.specialSubset(disallowed, allow)
	if err != nil {
		return nil, err
	}
	for _, s := range deny {
		if i := strings.Index(text, s); i >= 0 {
			return nil, fmt.Errorf("tokenizer: text contains the special token %q at byte %d, which is not allowed (allow it, or encode it as ordinary text)", s, i)
		}
	}
	if len(allow) == 0 {
		return t.EncodeOrdinary(text), nil
	}
	out := make([]int, 0, len(text)/4+1)
	// at[k] is the next occurrence of allow[k] at or after start (-1: none).
	at := make([]int, len(allow))
	for k, s := range allow {
		at[k] = strings.Index(text, s)
	}
	for start := 0; ; {
		best := -1
		for k, s := range allow {
			if at[k] >= 0 && at[k] < start {
				if i := strings.Index(text[start:], s); i >= 0 {
					at[k] = start + i
				} else {
					at[k] = -1
				}
			}
			// allow is sorted longest first: a later one wins only if earlier.
			if at[k] >= 0 && (best < 0 || at[k] < at[best]) {
				best = k
			}
		}
		if best < 0 {
			return t.AppendEncodeOrdinary(out, text[start:]), nil
		}
		out = t.AppendEncodeOrdinary(out, text[start:at[best]])
		out = append(out, t.special[allow[best]])
		start = at[best] + len(allow[best])
	}
}

// specialSubset returns the special tokens in set, longest first, leaving out
// those in except; set "all" is every special token not in except.
func (t *BPE) specialSubset(set SpecialSet, except []string) ([]string, error) {
	var out []string
	if set.all {
		for _, s := range t.specialList {
			if !slices.Contains(except, s) {
				out = append(out, s)
			}
		}
		return out, nil
	}
	for _, s := range set.names {
		if _, ok := t.special[s]; !ok {
			return nil, fmt.Errorf("tokenizer: %q is not a special token of this tokenizer", s)
		}
	}
	for _, s := range t.specialList {
		if slices.Contains(set.names, s) && !slices.Contains(except, s) {
			out = append(out, s)
		}
	}
	return out, nil
}
