package tensor

import (
	"slices"
	"sync"
	"testing"
)

func TestPoolReuse(t *testing.T) {
	var p Pool
	a := p.Get(3, 5)
	if !slices.Equal(a.Shape(), []int{3, 5}) || cap(a.Data()) != 16 {
		t.Fatalf("Get(3, 5) = shape %v cap %d; want [3 5] cap 16", a.Shape(), cap(a.Data()))
	}
	a.Fill(7)
	storage := &a.Data()[0]
	p.Put(a)
	if a.Numel() != 0 || a.Dims() != 0 {
		t.Errorf("after Put the tensor is %v; want empty", a)
	}
	if s := p.Stats(); s != (PoolStats{Misses: 1, Puts: 1, Buffers: 1, Bytes: 64, Lent: 0, PeakLent: 64}) {
		t.Errorf("Stats after Get, Put = %+v", s)
	}
	b := p.Get(4, 4) // same bucket: reuses a's storage, zeroed
	if &b.Data()[0] != storage {
		t.Errorf("Get(4, 4) after Put of a 16-element buffer did not reuse it")
	}
	for i, v := range b.Data() {
		if v != 0 {
			t.Fatalf("Get(4, 4)[%d] = %v after reuse; want 0", i, v)
		}
	}
	b.Fill(3)
	p.Put(b)
	c := p.GetUninit(9)
	if &c.Data()[0] != storage || len(c.Data()) != 9 {
		t.Errorf("GetUninit(9) did not reuse the 16-element buffer")
	}
	if s := p.Stats(); s.Hits != 2 || s.Misses != 1 || s.Buffers != 0 || s.Bytes != 0 {
		t.Errorf("Stats after two reuses = %+v; want 2 hits, 1 miss, empty", s)
	}
	d := p.Get(17) // next bucket up: a miss
	if cap(d.Data()) != 32 || p.Stats().Misses != 2 {
		t.Errorf("Get(17) = cap %d, stats %+v; want a miss allocating 32", cap(d.Data()), p.Stats())
	}
}

func TestPoolBuckets(t *testing.T) {
	tests := []struct {
		putCap, get int
		hit         bool
	}{
		{8, 8, true},
		{8, 5, true},
		{8, 4, false}, // bucket 4 is a different bucket
		{8, 9, false},
		{6, 4, true}, // a foreign buffer of 6 serves the bucket of 4
		{6, 5, false},
		{1, 1, true},
	}
	for _, tt := range tests {
		var p Pool
		p.Put(New(tt.putCap))
		p.Get(tt.get)
		if hit := p.Stats().Hits == 1; hit != tt.hit {
			t.Errorf("Put(cap %d), Get(%d): hit = %v; want %v", tt.putCap, tt.get, hit, tt.hit)
		}
	}
}

func TestPoolDoublePut(t *testing.T) {
	var p Pool
	a := p.Get(4, 4)
	view := a.Reshape(16)
	p.Put(a)
	if !panicsWith[*PoolError](func() { p.Put(view) }) {
		t.Errorf("Put of a view of a pooled buffer did not panic with *PoolError")
	}
	p.Put(a) // a is empty now: nothing to give back
	p.Put(nil)
	p.Put(New(0))
	if s := p.Stats(); s.Puts != 1 || s.Buffers != 1 {
		t.Errorf("Stats = %+v; want one buffer put", s)
	}
	b := p.Get(16)
	p.Put(b) // the buffer left the pool in between: fine
	if s := p.Stats(); s.Puts != 2 || s.Buffers != 1 {
		t.Errorf("Stats = %+v; want two puts, one buffer", s)
	}
	p.Clear()
	if s := p.Stats(); s.Buffers != 0 || s.Bytes != 0 || s.Puts != 2 {
		t.Errorf("Stats after Clear = %+v; want no buffers, counters kept", s)
	}
}

func TestPoolEmptyShapes(t *testing.T) {
	var p Pool
	for _, shape := range [][]int{{0}, {3, 0}, {}} {
		x := p.Get(shape...)
		if !slices.Equal(x.Shape(), shape) && !(len(shape) == 0 && x.Dims() == 0) {
			t.Errorf("Get(%v) has shape %v", shape, x.Shape())
		}
	}
	if !panicsWith[*ShapeError](func() { p.Get(2, -1) }) {
		t.Errorf("Get(2, -1) did not panic with *ShapeError")
	}
}

func TestPoolConcurrent(t *testing.T) {
	var p Pool
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				x := p.Get(1 + (g+i)%37)
				for j := range x.Data() {
					if x.Data()[j] != 0 {
						t.Errorf("Get returned a dirty buffer")
						return
					}
					x.Data()[j] = float32(g)
				}
				p.Put(x)
			}
		}()
	}
	wg.Wait()
	s := p.Stats()
	if s.Hits+s.Misses != 8*200 || s.Puts != 8*200 || s.Hits == 0 {
		t.Errorf("Stats = %+v; want 1600 gets and puts with reuse", s)
	}
}

func TestPoolSteadyState(t *testing.T) {
	var p Pool
	p.Put(p.Get(64, 64))
	// A hit costs only the Tensor header and its shape.
	if n := testing.AllocsPerRun(100, func() { p.Put(p.GetUninit(64, 64)) }); n > 2 {
		t.Errorf("a Get/Put cycle allocates %v times; want at most 2 (header, shape)", n)
	}
}
