package tensor

import (
	"fmt"
	"math/bits"
	"sync"
)

// Pool is a free list of tensor storage, so that a training step in steady
// state reuses the memory of the last step's intermediates instead of
// allocating. (It holds buffers; the worker pool that runs GEMMs is another
// thing.) Buffers are kept in buckets by power-of-two capacity: a request
// for n elements is served from the bucket of capacity 2^⌈log₂ n⌉, and a
// miss allocates exactly that capacity, so a buffer serves every later
// request in its bucket.
//
// Put gives up a tensor's storage: afterwards t is an empty tensor, and any
// other tensor that shares its memory (a Reshape or Slice view) must no
// longer be used, since the next Get may hand the memory to someone else.
// Putting the same buffer twice without a Get in between panics with a
// *PoolError when Put can see it (the same tensor, or a view that starts at
// the same element); a Slice view that starts further in cannot be told from
// a separate buffer, so never Put views.
//
// A Pool is safe for concurrent use. The zero value is an empty pool ready
// to use; a Pool must not be copied after first use. Get and GetUninit
// allocate only the small Tensor header on a hit.
type Pool struct {
	mu    sync.Mutex
	free  [bits.UintSize][][]float32 // free[c]: buffers with capacity ≥ 2^c
	held  map[*float32]struct{}      // first elements of the buffers in free
	stats PoolStats
}

// PoolStats counts a Pool's traffic; tests use it to prove reuse.
type PoolStats struct {
	Hits    int64 // Gets served from a pooled buffer
	Misses  int64 // Gets that had to allocate
	Puts    int64 // buffers taken back
	Buffers int   // buffers in the pool now
	Bytes   int64 // their total capacity in bytes

	// Lent is the capacity in bytes of the buffers handed out by Get and
	// GetUninit and not yet Put back; PeakLent is its high-water mark (see
	// ResetPeak): the peak memory of the work that draws from the pool.
	Lent, PeakLent int64
}

// PoolError is the panic value of Pool.Put given a buffer the pool already
// holds.
type PoolError struct {
	Msg string
}

func (e *PoolError) Error() string { return "tensor: Pool.Put: " + e.Msg }

// DefaultPool is a Pool for callers that do not need their own.
var DefaultPool = new(Pool)

// Get returns a zero-filled tensor of the given shape, with storage from the
// pool when it has a buffer large enough. It panics with a *ShapeError if a
// dimension is negative.
func (p *Pool) Get(shape ...int) *Tensor {
	t, hit := p.get("Pool.Get", shape)
	if hit {
		clear(t.data)
	}
	return t
}

// GetUninit returns a tensor of the given shape whose contents are
// unspecified (whatever the buffer's last user left, or zeros), for results
// that will be overwritten whole. It panics with a *ShapeError if a dimension
// is negative.
func (p *Pool) GetUninit(shape ...int) *Tensor {
	t, _ := p.get("Pool.GetUninit", shape)
	return t
}

func (p *Pool) get(op string, shape []int) (t *Tensor, hit bool) {
	n := 1
	for _, d := range shape {
		if d < 0 { // message from a clone, so that shape does not escape
			panic(&ShapeError{Op: op, Msg: fmt.Sprintf("negative dimension in %v", cloneInts(shape))})
		}
		n *= d
	}
	if n == 0 {
		return &Tensor{shape: cloneInts(shape), data: []float32{}}, false
	}
	c := bits.Len(uint(n - 1))
	var buf []float32
	p.mu.Lock()
	if l := len(p.free[c]); l > 0 {
		buf = p.free[c][l-1]
		p.free[c][l-1] = nil
		p.free[c] = p.free[c][:l-1]
		delete(p.held, &buf[0])
		p.stats.Hits++
		p.stats.Buffers--
		p.stats.Bytes -= 4 * int64(cap(buf))
	} else {
		p.stats.Misses++
	}
	p.lend(4 << c)
	p.mu.Unlock()
	if buf == nil {
		return &Tensor{shape: cloneInts(shape), data: make([]float32, n, 1<<c)}, false
	}
	return &Tensor{shape: cloneInts(shape), data: buf[:n]}, true
}

// Put gives t's storage back to the pool and leaves t empty (shape [], no
// data); see Pool for what that means for views. Put of a nil or empty
// tensor does nothing. It panics with a *PoolError if the pool already holds
// the buffer.
func (p *Pool) Put(t *Tensor) {
	if t == nil {
		return
	}
	buf := t.data[:cap(t.data)]
	t.shape, t.data = nil, nil
	if len(buf) == 0 {
		return
	}
	c := bits.Len(uint(len(buf))) - 1
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.held[&buf[0]]; ok {
		panic(&PoolError{Msg: fmt.Sprintf("buffer of %d elements is already in the pool (double Put, or Put of a view)", len(buf))})
	}
	if p.held == nil {
		p.held = make(map[*float32]struct{})
	}
	p.held[&buf[0]] = struct{}{}
	p.free[c] = append(p.free[c], buf)
	p.stats.Puts++
	p.stats.Lent = max(0, p.stats.Lent-4*int64(len(buf)))
	p.stats.Buffers++
	p.stats.Bytes += 4 * int64(len(buf))
}

// lend counts bytes handed out by Get; the caller holds p.mu.
func (p *Pool) lend(bytes int64) {
	p.stats.Lent += bytes
	p.stats.PeakLent = max(p.stats.PeakLent, p.stats.Lent)
}

// ResetPeak sets the high-water mark PeakLent to what is lent now, to
// measure the peak of the work that follows.
func (p *Pool) ResetPeak() {
	p.mu.Lock()
	p.stats.PeakLent = p.stats.Lent
	p.mu.Unlock()
}

// Stats returns the pool's counters.
func (p *Pool) Stats() PoolStats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stats
}

// Clear drops every buffer the pool holds, so the garbage collector can
// reclaim them. The hit, miss and put counters are kept.
func (p *Pool) Clear() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.free {
		clear(p.free[c])
		p.free[c] = nil
	}
	p.held = nil
	p.stats.Buffers, p.stats.Bytes = 0, 0
}
