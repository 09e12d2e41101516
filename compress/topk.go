package compress

import (
	"math"
	"math/bits"
)

// topkIndices returns the indices of the k smallest (largest=false) or
// largest scores, the same set torch.topk returns on the CPU in PyTorch 1.13
// (aten/src/ATen/native/TopKImpl.h): it fills a queue of (score, index) pairs
// and, when 64·k ≤ n, runs std::partial_sort over it, else std::nth_element;
// which of several equal scores are taken is decided by libstdc++'s
// algorithms, ported below step for step. NaN counts as the largest score.
// The order of the result is unspecified.
func topkIndices(scores []float64, k int, largest bool) []int {
	if k <= 0 {
		return nil
	}
	q := make([]scored, len(scores))
	for i, s := range scores {
		q[i] = scored{s, i}
	}
	less := func(x, y scored) bool { // the comparator of the smallest-k case
		return (!math.IsNaN(x.v) && math.IsNaN(y.v)) || x.v < y.v
	}
	if largest {
		less = func(x, y scored) bool {
			return (math.IsNaN(x.v) && !math.IsNaN(y.v)) || x.v > y.v
		}
	}
	s := stlSorter{q, less}
	if k*64 <= len(q) {
		s.heapSelect(0, k, len(q)) // partial_sort = heap_select + sort_heap (order only)
	} else {
		s.nthElement(0, k-1, len(q))
	}
	idx := make([]int, k)
	for i := range idx {
		idx[i] = q[i].i
	}
	return idx
}

type scored struct {
	v float64
	i int
}

// stlSorter holds libstdc++'s selection algorithms (bits/stl_algo.h,
// bits/stl_heap.h) on a slice with a strict weak order; positions are
// indices into q, as the iterators are in C++.
type stlSorter struct {
	q    []scored
	less func(x, y scored) bool
}

// nthElement is std::nth_element: __introselect with depth limit 2·⌊log₂ n⌋.
func (s stlSorter) nthElement(first, nth, last int) {
	if first == last || nth == last {
		return
	}
	depth := 2 * (bits.Len(uint(last-first)) - 1)
	for last-first > 3 {
		if depth == 0 {
			s.heapSelect(first, nth+1, last)
			s.q[first], s.q[nth] = s.q[nth], s.q[first]
			return
		}
		depth--
		cut := s.partitionPivot(first, last)
		if cut <= nth {
			first = cut
		} else {
			last = cut
		}
	}
	s.insertionSort(first, last)
}

// partitionPivot is __unguarded_partition_pivot: median of three to first,
// then Hoare partition of [first+1, last) around it.
func (s stlSorter) partitionPivot(first, last int) int {
	mid := first + (last-first)/2
	s.moveMedianToFirst(first, first+1, mid, last-1)
	lo, hi, pivot := first+1, last, first
	for {
		for s.less(s.q[lo], s.q[pivot]) {
			lo++
		}
		hi--
		for s.less(s.q[pivot], s.q[hi]) {
			hi--
		}
		if lo >= hi {
			return lo
		}
		s.q[lo], s.q[hi] = s.q[hi], s.q[lo]
		lo++
	}
}

func (s stlSorter) moveMedianToFirst(result, a, b, c int) {
	q, less := s.q, s.less
	var m int
	switch {
	case less(q[a], q[b]):
		switch {
		case less(q[b], q[c]):
			m = b
		case less(q[a], q[c]):
			m = c
		default:
			m = a
		}
	case less(q[a], q[c]):
		m = a
	case less(q[b], q[c]):
		m = c
	default:
		m = b
	}
	q[result], q[m] = q[m], q[result]
}

// insertionSort is __insertion_sort.
func (s stlSorter) insertionSort(first, last int) {
	if first == last {
		return
	}
	for i := first + 1; i < last; i++ {
		v := s.q[i]
		if s.less(v, s.q[first]) {
			copy(s.q[first+1:i+1], s.q[first:i])
			s.q[first] = v
			continue
		}
		j := i
		for s.less(v, s.q[j-1]) {
			s.q[j] = s.q[j-1]
			j--
		}
		s.q[j] = v
	}
}

// heapSelect is __heap_select: a max-heap of [first, middle) that every
// smaller element of [middle, last) replaces the top of.
func (s stlSorter) heapSelect(first, middle, last int) {
	s.makeHeap(first, middle)
	for i := middle; i < last; i++ {
		if s.less(s.q[i], s.q[first]) {
			v := s.q[i] // __pop_heap(first, middle, i)
			s.q[i] = s.q[first]
			s.adjustHeap(first, 0, middle-first, v)
		}
	}
}

func (s stlSorter) makeHeap(first, last int) {
	n := last - first
	if n < 2 {
		return
	}
	for parent := (n - 2) / 2; ; parent-- {
		s.adjustHeap(first, parent, n, s.q[first+parent])
		if parent == 0 {
			return
		}
	}
}

// adjustHeap is __adjust_heap followed by __push_heap.
func (s stlSorter) adjustHeap(first, hole, n int, v scored) {
	q := s.q[first : first+n]
	top, child := hole, hole
	for child < (n-1)/2 {
		child = 2 * (child + 1)
		if s.less(q[child], q[child-1]) {
			child--
		}
		q[hole] = q[child]
		hole = child
	}
	if n&1 == 0 && child == (n-2)/2 {
		child = 2 * (child + 1)
		q[hole] = q[child-1]
		hole = child - 1
	}
	parent := (hole - 1) / 2
	for hole > top && s.less(q[parent], v) {
		q[hole] = q[parent]
		hole = parent
		parent = (hole - 1) / 2
	}
	q[hole] = v
}
