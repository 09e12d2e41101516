package tensor

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// job is a piece of parallel work split into parts: run(part) does one part.
// A part may itself run parallel work (a GEMM inside ParallelFor): a
// goroutine waiting for its parts runs queued tasks meanwhile, so nested use
// cannot deadlock.
type job interface {
	run(part int)
}

type task struct {
	j       job
	part    int
	pending *atomic.Int32
}

// workerPool is a set of persistent goroutines that run the parts of jobs.
// Parallel kernels share one pool for the life of the process: no goroutine
// is started per call.
//
// A GEMM hands out work twice per block of k, tens of microseconds apart, so
// waking a parked goroutine each time (tens of microseconds on a VM) would
// cost as much as the work. Instead a worker that runs out of tasks keeps
// polling for a short while (spinPolls yields, some tens of microseconds)
// before it parks, and the caller waits for its parts by running queued
// tasks or yielding, never by parking.
type workerPool struct {
	mu      sync.Mutex
	started int
	tasks   chan task
}

// spinPolls is how many times an idle worker yields and polls for a task
// before it parks.
const spinPolls = 200

var workers = workerPool{tasks: make(chan task, 64)}

// parallel runs j.run(0), …, j.run(parts-1) and returns when all are done.
// Part 0 runs on the calling goroutine; the others go to the pool. pending
// must be owned by the caller and zero; passing it in (instead of declaring
// one here) keeps the call free of allocations.
func (p *workerPool) parallel(j job, parts int, pending *atomic.Int32) {
	if parts <= 1 {
		if parts == 1 {
			j.run(0)
		}
		return
	}
	p.ensure(parts - 1)
	pending.Store(int32(parts - 1))
	for i := 1; i < parts; i++ {
		p.tasks <- task{j: j, part: i, pending: pending}
	}
	j.run(0)
	for pending.Load() > 0 {
		select {
		case t := <-p.tasks: // help: this may be a part of ours or of another job
			t.j.run(t.part)
			t.pending.Add(-1)
		default:
			runtime.Gosched()
		}
	}
}

// ensure starts workers until at least n run.
func (p *workerPool) ensure(n int) {
	p.mu.Lock()
	for p.started < n {
		p.started++
		go p.loop()
	}
	p.mu.Unlock()
}

func (p *workerPool) loop() {
	for {
		t, ok := p.poll()
		if !ok {
			t = <-p.tasks
		}
		t.j.run(t.part)
		t.pending.Add(-1)
	}
}

// poll looks for a task spinPolls times, yielding between looks.
func (p *workerPool) poll() (task, bool) {
	for range spinPolls {
		select {
		case t := <-p.tasks:
			return t, true
		default:
			runtime.Gosched()
		}
	}
	return task{}, false
}

// ParallelFor splits [0, n) into at most MaxThreads contiguous chunks and
// runs body(lo, hi) on each, on the persistent worker pool, returning when
// all are done. Chunks run concurrently, so body must only write what its
// chunk owns. body may call parallel kernels such as Gemm.
func ParallelFor(n int, body func(lo, hi int)) {
	parts := min(n, MaxThreads())
	if parts <= 1 {
		if n > 0 {
			body(0, n)
		}
		return
	}
	j := forJobs.Get().(*forJob)
	j.n, j.parts, j.body = n, parts, body
	workers.parallel(j, parts, &j.pending)
	j.body = nil
	forJobs.Put(j)
}

var forJobs = sync.Pool{New: func() any { return new(forJob) }}

type forJob struct {
	n, parts int
	body     func(lo, hi int)
	pending  atomic.Int32
}

func (j *forJob) run(part int) {
	lo, hi := share(j.n, j.parts, part)
	j.body(lo, hi)
}
