package tokenizer

import (
	"errors"
	"fmt"
	"slices"
)

// TrainOptions configures Train.
type TrainOptions struct {
	// VocabSize is 256 plus the number of merges to learn.
	VocabSize int
	// Pattern splits the text before counting pairs: NoSplit is minbpe's
	// BasicTokenizer, GPT2 or GPT4 its RegexTokenizer.
	Pattern Pattern
	// Special lists special tokens to register after training (may be nil).
	Special map[string]int
	// Progress, when set, is called after each merge.
	Progress func(Merge)
}

// Merge reports one merge made by Train: merge Index (from 0) of Total joined
// Pair into the new id ID; the pair occurred Count times.
type Merge struct {
	Index, Total int
	Pair         [2]int
	ID           int
	Count        int64
}

// ErrNoPairs is returned by Train when the text runs out of pairs to merge
// before the vocabulary is full (minbpe fails there too).
var ErrNoPairs = errors.New("tokenizer: train: no pairs left to merge")

// Train learns a BPE from text with minbpe's algorithm and returns the same
// merges as minbpe's train: each step merges the most frequent pair of
// adjacent ids, and among pairs as frequent the one that a left-to-right
// scan of the chunks meets first (minbpe takes Python's max over a dict
// filled in that order).
//
// It does not recount pairs after every merge. Identical chunks are stored
// once with their count, pair counts are updated where a merge happens, and
// a heap ordered by (count, first position) picks the next pair. First
// positions are kept as lower bounds, raised when the heap's top turns out
// stale, so ties break exactly as in minbpe.
func Train(text string, opt TrainOptions) (*BPE, error) {
	if opt.VocabSize < 256 {
		return nil, fmt.Errorf("tokenizer: train: vocabulary size %d is below 256", opt.VocabSize)
	}
	if !opt.Pattern.valid() {
		return nil, fmt.Errorf("tokenizer: train: unknown pattern %v", opt.Pattern)
	}
	tr := newTrainer(text, opt.Pattern)
	total := opt.VocabSize - 256
	merges := make([][2]int, 0, total)
	for i := range total {
		p, count := tr.best()
		if p < 0 {
			return nil, fmt.Errorf("%w after %d of %d merges (vocabulary %d)", ErrNoPairs, i, total, opt.VocabSize)
		}
		pair := [2]int{int(tr.pairs[p].a), int(tr.pairs[p].b)}
		id := int32(256 + i)
		merges = append(merges, pair)
		tr.merge(p, id)
		if opt.Progress != nil {
			opt.Progress(Merge{Index: i, Total: total, Pair: pair, ID: int(id), Count: count})
		}
	}
	t, err := NewMinbpe(merges, opt.Pattern, opt.Special)
	if err != nil {
		return nil, inContext("train", err)
	}
	return t, nil
}

// trainer holds the unique chunks laid end to end, in the order a scan meets
// them first, as linked lists of tokens over byte positions: tok[p] is the id
// of the token starting at p (-1 inside a token), nxt and prv link the tokens
// of one chunk (-1 at its ends), and chunk[p] indexes weight, the number of
// times the chunk occurs.
type trainer struct {
	tok, nxt, prv, chunk []int32
	weight               []int64

	pairs   []pairStat
	index   map[uint64]int32 // pairKey → index in pairs
	heap    pairHeap
	touched []int32 // pairs changed by the current merge
	stamp   []int32 // stamp[pair] == merge number + 1: already in touched
	round   int32
}

// pairStat is a pair of ids: how often it occurs (weighted), positions where
// it occurs or did (occ, checked when used), and a lower bound on the first
// position where it occurs now (exact when an occurrence is there).
type pairStat struct {
	a, b  int32
	count int64
	first int32
	ver   uint32 // bumped on every change; heap entries of older versions are stale
	occ   []int32
}

func newTrainer(text string, pattern Pattern) *trainer {
	var chunks []string
	var weight []int64
	if pattern == NoSplit {
		if text != "" {
			chunks, weight = []string{text}, []int64{1}
		}
	} else {
		seen := make(map[string]int32)
		for c := range pattern.Chunks(text) {
			if i, ok := seen[c]; ok {
				weight[i]++
				continue
			}
			seen[c] = int32(len(chunks))
			chunks = append(chunks, c)
			weight = append(weight, 1)
		}
	}
	n := 0
	for _, c := range chunks {
		n += len(c)
	}
	tr := &trainer{
		tok: make([]int32, n), nxt: make([]int32, n), prv: make([]int32, n), chunk: make([]int32, n),
		weight: weight,
		index:  make(map[uint64]int32),
	}
	p := 0
	for ci, c := range chunks {
		for k := 0; k < len(c); k++ {
			tr.tok[p+k] = int32(c[k])
			tr.chunk[p+k] = int32(ci)
			tr.prv[p+k], tr.nxt[p+k] = int32(p+k-1), int32(p+k+1)
		}
		tr.prv[p] = -1
		tr.nxt[p+len(c)-1] = -1
		for k := 0; k+1 < len(c); k++ {
			tr.add(int32(c[k]), int32(c[k+1]), int32(p+k), weight[ci])
		}
		p += len(c)
	}
	tr.heap = make(pairHeap, 0, len(tr.pairs))
	for i := range tr.pairs {
		tr.heap = append(tr.heap, tr.entry(int32(i)))
	}
	tr.heap.init()
	tr.stamp = make([]int32, len(tr.pairs))
	return tr
}

// add counts an occurrence of the pair (a, b) at position p with weight w.
func (tr *trainer) add(a, b, p int32, w int64) {
	key := pairKey(a, b)
	i, ok := tr.index[key]
	if !ok {
		i = int32(len(tr.pairs))
		tr.index[key] = i
		tr.pairs = append(tr.pairs, pairStat{a: a, b: b, first: p})
	}
	ps := &tr.pairs[i]
	ps.count += w
	ps.occ = append(ps.occ, p)
	ps.first = min(ps.first, p)
	tr.touch(i)
}

// sub removes an occurrence of the pair (a, b) of weight w; its position
// stays in occ until a check finds it gone.
func (tr *trainer) sub(a, b int32, w int64) {
	i := tr.index[pairKey(a, b)]
	tr.pairs[i].count -= w
	tr.touch(i)
}

func (tr *trainer) touch(i int32) {
	if int(i) >= len(tr.stamp) {
		tr.stamp = append(tr.stamp, make([]int32, int(i)+1-len(tr.stamp))...)
	}
	if tr.stamp[i] != tr.round {
		tr.stamp[i] = tr.round
		tr.touched = append(tr.touched, i)
	}
}

// at reports whether the pair (a, b) occurs at position p.
func (tr *trainer) at(p, a, b int32) bool {
	if tr.tok[p] != a {
		return false
	}
	q := tr.nxt[p]
	return q >= 0 && tr.tok[q] == b
}

func (tr *trainer) entry(i int32) pairEntry {
	ps := &tr.pairs[i]
	return pairEntry{count: ps.count, first: ps.first, pair: i, ver: ps.ver}
}

// best returns the pair to merge next and its count, or -1 when no pair is
// left.
func (tr *trainer) best() (int32, int64) {
	for len(tr.heap) > 0 {
		e := tr.heap[0]
		ps := &tr.pairs[e.pair]
		if e.ver != ps.ver || ps.count <= 0 {
			tr.heap.pop()
			continue
		}
		if tr.at(ps.first, ps.a, ps.b) {
			return e.pair, ps.count
		}
		// The first occurrence is gone: find the new first one, drop the
		// positions that no longer hold the pair, and requeue.
		live := ps.occ[:0]
		first := int32(len(tr.tok))
		for _, p := range ps.occ {
			if tr.at(p, ps.a, ps.b) {
				live = append(live, p)
				first = min(first, p)
			}
		}
		ps.occ, ps.first = live, first
		ps.ver++
		tr.heap.pop()
		tr.heap.push(tr.entry(e.pair))
	}
	return -1, 0
}

// merge replaces every occurrence of pair i, left to right in each chunk,
// with the new token id, and updates the counts of the pairs around them.
func (tr *trainer) merge(i int32, id int32) {
	tr.round++
	tr.touched = tr.touched[:0]
	ps := &tr.pairs[i]
	a, b := ps.a, ps.b
	occ := ps.occ
	slices.Sort(occ)
	for _, p := range occ {
		if !tr.at(p, a, b) {
			continue // merged away, or overlapped by the previous merge ("aaa")
		}
		w := tr.weight[tr.chunk[p]]
		q := tr.nxt[p]
		o, r := tr.prv[p], tr.nxt[q]
		if o >= 0 {
			tr.sub(tr.tok[o], a, w)
		}
		if r >= 0 {
			tr.sub(b, tr.tok[r], w)
		}
		tr.pairs[i].count -= w
		tr.tok[p], tr.tok[q] = id, -1
		tr.nxt[p] = r
		if r >= 0 {
			tr.prv[r] = p
		}
		if o >= 0 {
			tr.add(tr.tok[o], id, o, w)
		}
		if r >= 0 {
			tr.add(id, tr.tok[r], p, w)
		}
	}
	ps = &tr.pairs[i] // add may have grown pairs
	ps.occ, ps.count = nil, 0
	ps.ver++
	for _, j := range tr.touched {
		if j == i {
			continue
		}
		tr.pairs[j].ver++
		if tr.pairs[j].count > 0 {
			tr.heap.push(tr.entry(j))
		}
	}
}

// pairEntry is a heap entry: a pair's count and first position when pushed.
type pairEntry struct {
	count int64
	first int32
	pair  int32
	ver   uint32
}

// pairHeap is a max-heap by count, then by earliest first position.
type pairHeap []pairEntry

func (h pairHeap) less(i, j int) bool {
	if h[i].count != h[j].count {
		return h[i].count > h[j].count
	}
	return h[i].first < h[j].first
}

func (h pairHeap) init() {
	for i := len(h)/2 - 1; i >= 0; i-- {
		h.down(i)
	}
}

func (h *pairHeap) push(e pairEntry) {
	*h = append(*h, e)
	s := *h
	for i := len(s) - 1; i > 0; {
		p := (i - 1) / 2
		if !s.less(i, p) {
			break
		}
		s[i], s[p] = s[p], s[i]
		i = p
	}
}

func (h *pairHeap) pop() {
	s := *h
	last := len(s) - 1
	s[0] = s[last]
	*h = s[:last]
	h.down(0)
}

func (h pairHeap) down(i int) {
	for {
		l := 2*i + 1
		if l >= len(h) {
			return
		}
		c := l
		if r := l + 1; r < len(h) && h.less(r, l) {
			c = r
		}
		if !h.less(c, i) {
			return
		}
		h[i], h[c] = h[c], h[i]
		i = c
	}
}
