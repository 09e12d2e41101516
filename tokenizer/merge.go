package tokenizer

// merger holds the scratch space of encoding one chunk; one per goroutine.
type merger struct {
	ids   []int32
	ranks []uint64 // ranks[i]: the merge of ids[i] and the next id, or noMerge
	next  []int32  // large chunks: the next live position
	prev  []int32  // large chunks: the previous live position
	heap  []uint64 // large chunks: rank<<32 | position
}

// smallChunk is the longest chunk merged by scanning for the lowest rank
// after every merge (tiktoken's way, quadratic but tight); longer chunks use
// a heap. Both merge the same pairs in the same order.
const smallChunk = 48

// appendChunk appends the ids of one chunk to out.
func (t *BPE) appendChunk(out []int, piece string, m *merger) []int {
	if len(piece) == 1 {
		return append(out, int(t.byteID[piece[0]]))
	}
	if t.whole != nil {
		if id, ok := t.whole[piece]; ok {
			return append(out, int(id))
		}
	}
	if len(piece) <= smallChunk {
		return t.mergeSmall(out, piece, m)
	}
	return t.mergeLarge(out, piece, m)
}

// mergeSmall is tiktoken's byte_pair_merge: merge the lowest-ranked pair
// (the leftmost among equals) until no pair merges.
func (t *BPE) mergeSmall(out []int, piece string, m *merger) []int {
	for _, id := range t.mergeBytes(piece, 1<<32, m) {
		out = append(out, int(id))
	}
	return out
}

// mergeBytes merges the bytes of piece as mergeSmall does, using merges of
// rank below limit only, and returns the ids (in m's scratch space).
func (t *BPE) mergeBytes(piece string, limit uint64, m *merger) []int32 {
	get := func(a, b int32) uint64 {
		if v := t.merges.get(pairKey(a, b)); v>>32 < limit {
			return v
		}
		return noMerge
	}
	ids, ranks := m.ids[:0], m.ranks[:0]
	for i := 0; i < len(piece); i++ {
		ids = append(ids, t.byteID[piece[i]])
	}
	for i := 0; i+1 < len(ids); i++ {
		ranks = append(ranks, get(ids[i], ids[i+1]))
	}
	for {
		best, bi := noMerge, -1
		for i, r := range ranks {
			if r < best {
				best, bi = r, i
			}
		}
		if bi < 0 {
			break
		}
		ids[bi] = int32(uint32(best))
		ids = append(ids[:bi+1], ids[bi+2:]...)
		ranks = append(ranks[:bi], ranks[bi+1:]...)
		if bi > 0 {
			ranks[bi-1] = get(ids[bi-1], ids[bi])
		}
		if bi < len(ranks) {
			ranks[bi] = get(ids[bi], ids[bi+1])
		}
	}
	m.ids, m.ranks = ids, ranks
	return ids
}

// mergeLarge merges like mergeSmall, in O(n log n): positions form a linked
// list, and a heap keyed by (rank, position) yields the lowest-ranked,
// leftmost pair; entries made stale by a merge are skipped when popped.
func (t *BPE) mergeLarge(out []int, piece string, m *merger) []int {
	n := len(piece)
	ids := grow(m.ids, n)
	ranks := grow(m.ranks, n)
	next, prev := grow(m.next, n), grow(m.prev, n)
	h := m.heap[:0]
	for i := range n {
		ids[i] = t.byteID[piece[i]]
		next[i], prev[i] = int32(i+1), int32(i-1)
	}
	for i := 0; i+1 < n; i++ {
		ranks[i] = t.merges.get(pairKey(ids[i], ids[i+1]))
		if ranks[i] != noMerge {
			h = append(h, ranks[i]&^(1<<32-1)|uint64(i))
		}
	}
	ranks[n-1] = noMerge
	heapify(h)
	for len(h) > 0 {
		var e uint64
		e, h = heapPop(h)
		p := int32(uint32(e))
		r := ranks[p]
		if ids[p] < 0 || r == noMerge || r>>32 != e>>32 {
			continue // stale
		}
		q := next[p]
		ids[p], ids[q] = int32(uint32(r)), -1
		next[p] = next[q]
		if int(next[p]) < n {
			prev[next[p]] = p
			ranks[p] = t.merges.get(pairKey(ids[p], ids[next[p]]))
			if ranks[p] != noMerge {
				h = heapPush(h, ranks[p]&^(1<<32-1)|uint64(p))
			}
		} else {
			ranks[p] = noMerge
		}
		if pp := prev[p]; pp >= 0 {
			ranks[pp] = t.merges.get(pairKey(ids[pp], ids[p]))
			if ranks[pp] != noMerge {
				h = heapPush(h, ranks[pp]&^(1<<32-1)|uint64(pp))
			}
		}
	}
	for i := int32(0); int(i) < n; i = next[i] {
		out = append(out, int(ids[i]))
	}
	m.ids, m.ranks, m.next, m.prev, m.heap = ids, ranks, next, prev, h
	return out
}

// grow returns s resliced or reallocated to length n.
func grow[E any](s []E, n int) []E {
	if cap(s) >= n {
		return s[:n]
	}
	return make([]E, n, n+n/4)
}

// heapify, heapPush and heapPop keep a binary min-heap of uint64s.
func heapify(h []uint64) {
	for i := len(h)/2 - 1; i >= 0; i-- {
		siftDown(h, i)
	}
}

func heapPush(h []uint64, v uint64) []uint64 {
	h = append(h, v)
	for i := len(h) - 1; i > 0; {
		p := (i - 1) / 2
		if h[p] <= h[i] {
			break
		}
		h[p], h[i] = h[i], h[p]
		i = p
	}
	return h
}

func heapPop(h []uint64) (uint64, []uint64) {
	v := h[0]
	last := len(h) - 1
	h[0] = h[last]
	h = h[:last]
	siftDown(h, 0)
	return v, h
}

func siftDown(h []uint64, i int) {
	for {
		l := 2*i + 1
		if l >= len(h) {
			return
		}
		c := l
		if r := l + 1; r < len(h) && h[r] < h[l] {
			c = r
		}
		if h[i] <= h[c] {
			return
		}
		h[i], h[c] = h[c], h[i]
		i = c
	}
}
