package tensor

import (
	"sync"
)

// job is a piece of parallel work split into parts: run(part) does one part.
// A job's run must never dispatch to the pool itself (workers only run leaf
// work), which is what keeps nested use free of deadlocks.
type job interface {
	run(part int)
}

type task struct {
	j    job
	part int
	wg   *sync.WaitGroup
}

// workerPool is a set of persistent goroutines that run the parts of jobs.
// Parallel kernels share one pool for the life of the process: no goroutine
// is started per call.
type workerPool struct {
	mu      sync.Mutex
	started int
	tasks   chan task
}

var workers = workerPool{tasks: make(chan task, 64)}

// parallel runs j.run(0), …, j.run(parts-1) and returns when all are done.
// Part 0 runs on the calling goroutine; the others go to the pool. wg must
// be owned by the caller and idle; passing it in (instead of declaring one
// here) keeps the call free of allocations.
func (p *workerPool) parallel(j job, parts int, wg *sync.WaitGroup) {
	if parts <= 1 {
		if parts == 1 {
			j.run(0)
		}
		return
	}
	p.ensure(parts - 1)
	wg.Add(parts - 1)
	for i := 1; i < parts; i++ {
		p.tasks <- task{j: j, part: i, wg: wg}
	}
	j.run(0)
	wg.Wait()
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
	for t := range p.tasks {
		t.j.run(t.part)
		t.wg.Done()
	}
}
