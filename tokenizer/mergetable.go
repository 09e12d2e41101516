package tokenizer

import "math/bits"

// mergeTable is an open-addressing hash map from a pair of ids to the merge
// they make, the inner loop of encoding: a pair is pairKey(left, right), a
// merge is rank<<32 | id, and a missing pair is noMerge. It is faster than a
// Go map here because keys and values sit side by side and the hash is one
// multiplication.
type mergeTable struct {
	slots []mergeSlot
	shift uint // 64 - log2(len(slots))
	n     int
}

type mergeSlot struct{ key, val uint64 }

const (
	noMerge  = ^uint64(0) // no merge for a pair; sorts after every merge
	emptyKey = ^uint64(0) // an empty slot; pairKey never makes it
)

// pairKey packs a pair of non-negative ids.
func pairKey(a, b int32) uint64 { return uint64(uint32(a))<<32 | uint64(uint32(b)) }

func newMergeTable(hint int) mergeTable {
	var m mergeTable
	m.resize(max(16, 1<<bits.Len(uint(hint*2))))
	return m
}

func (m *mergeTable) resize(size int) {
	old := m.slots
	m.slots = make([]mergeSlot, size)
	for i := range m.slots {
		m.slots[i].key = emptyKey
	}
	m.shift = uint(64 - bits.TrailingZeros(uint(size)))
	m.n = 0
	for _, s := range old {
		if s.key != emptyKey {
			m.put(s.key, s.val)
		}
	}
}

func (m *mergeTable) index(key uint64) uint64 {
	return (key * 0x9E3779B97F4A7C15) >> m.shift
}

// get returns the merge for key, or noMerge.
func (m *mergeTable) get(key uint64) uint64 {
	mask := uint64(len(m.slots) - 1)
	for i := m.index(key); ; i = (i + 1) & mask {
		s := &m.slots[i]
		if s.key == key {
			return s.val
		}
		if s.key == emptyKey {
			return noMerge
		}
	}
}

// put sets the merge for key.
func (m *mergeTable) put(key, val uint64) {
	if 2*(m.n+1) > len(m.slots) {
		m.resize(2 * len(m.slots))
	}
	mask := uint64(len(m.slots) - 1)
	for i := m.index(key); ; i = (i + 1) & mask {
		s := &m.slots[i]
		if s.key == key {
			s.val = val
			return
		}
		if s.key == emptyKey {
			s.key, s.val = key, val
			m.n++
			return
		}
	}
}
