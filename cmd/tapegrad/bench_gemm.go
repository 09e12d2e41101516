package main

import (
	"flag"
	"fmt"
	"math"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/tapegrad/tapegrad/tensor"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

// gemmRecord is one JSON line of `bench gemm`.
type gemmRecord struct {
	Bench   string  `json:"bench"`
	M       int     `json:"m"`
	N       int     `json:"n"`
	K       int     `json:"k"`
	Trans   string  `json:"trans"`
	Threads int     `json:"threads"`
	Impl    string  `json:"impl"`
	GFLOPS  float64 `json:"gflops"`
}

// gemmConfig is the parsed command line of `bench gemm`.
type gemmConfig struct {
	sizes    intList
	shapes   shapeList
	threads  intList
	trans    wordList
	impls    wordList
	refs     wordList
	timing   timing
	jsonOnly bool
}

// timing says how a kernel is timed: warmup calls, then the best of batches
// (at least batches of them, and more until minTime has passed) of reps calls
// each. reps == 0 picks max(3, 1e9/flops) as ../shared/ref/gemm_numpy.py
// does, but no more than fit in maxBatch by the warm-up's pace.
type timing struct {
	warmup, batches, reps int
	minTime               time.Duration
}

// maxBatch caps a batch of automatic length, so tiny products on slow kernels
// do not take a second a batch.
const maxBatch = 100 * time.Millisecond

var gemmHelp = help{
	usage: "tapegrad bench gemm [flags]",
	about: `
Time C = A·B (tensor.Gemm, alpha 1, beta 0) on random float32 matrices and
report GFLOP/s = 2·m·n·k / seconds / 1e9, for every combination of size,
transpose mode, thread count and implementation asked for.

Each row is timed like ../shared/ref/gemm_numpy.py times OpenBLAS: warm-up
calls, then 5 batches of max(3, 1e9/(2·m·n·k)) calls (fewer when a batch
would pass 100ms), keeping the best batch. Run that script beside this
command, in the same session, to compare with OpenBLAS.

--ref gonum adds rows timed the same way for gonum's blas32.Gemm (pure Go,
parallel over GOMAXPROCS goroutines). For those rows the command sets
GOMAXPROCS to the row's thread count, so "threads" means the same for both.
When a reference is given, the table shows each row's speed relative to it.

The table goes to stdout first, then one JSON object a line:
  {"bench":"gemm","m":512,"n":512,"k":512,"trans":"NT","threads":1,"impl":"avx2","gflops":71.3}`,
	examples: `
tapegrad bench gemm
tapegrad bench gemm --n 256,512,1024 --threads 1,2 --trans NN,NT,TN --ref gonum
tapegrad bench gemm --shape 768x128x384,3072x768x768 --impl generic --json`,
}

func newGemmFlags(c *gemmConfig) *flag.FlagSet {
	fs := newFlagSet("bench gemm")
	c.sizes = intList{vals: []int{256, 512, 1024}}
	def := []int{1}
	if p := tensor.MaxThreads(); p > 1 {
		def = append(def, p)
	}
	c.threads = intList{vals: def}
	c.trans = wordList{vals: []string{"NN"}, allowed: []string{"NN", "NT", "TN", "TT"}}
	c.impls = wordList{vals: tensor.GemmImpls(), allowed: tensor.GemmImpls()}
	c.refs = wordList{allowed: []string{"gonum"}}

	fs.Var(&c.sizes, "n", "square `sizes`, comma-separated (e.g. 256,512): m = n = k = each size; not used when only -shape is given")
	fs.Var(&c.shapes, "shape", "rectangular `shapes` MxKxN, comma-separated (e.g. 768x128x384): A is [M, K], B is [K, N], C is [M, N]")
	fs.Var(&c.threads, "threads", "thread `counts`, comma-separated (e.g. 1,2): tensor.SetMaxThreads for tapegrad, GOMAXPROCS for gonum")
	fs.Var(&c.trans, "trans", "transpose `modes`, comma-separated (e.g. NN,NT,TN): the first letter is for A, the second for B; T means the operand is stored transposed")
	fs.Var(&c.impls, "impl", "GEMM `kernels`, comma-separated, of those this machine runs: "+strings.Join(tensor.GemmImpls(), ", "))
	fs.Var(&c.refs, "ref", "reference `implementations` to time alongside, comma-separated: gonum (gonum.org/v1/gonum/blas/blas32)")
	fs.IntVar(&c.timing.warmup, "warmup", 3, "untimed calls before each row; at least 1 (it also paces the batches)")
	fs.IntVar(&c.timing.batches, "batches", 5, "timed batches per row; the best one counts")
	fs.IntVar(&c.timing.reps, "reps", 0, "calls per batch; 0: max(3, 1e9/(2·m·n·k)), capped at 100ms a batch")
	fs.DurationVar(&c.timing.minTime, "min-time", 0, "keep timing batches until each row has run at least this long (e.g. 1s)")
	fs.BoolVar(&c.jsonOnly, "json", false, "print only the JSON lines, no table")
	return fs
}

// runBenchGemm is `tapegrad bench gemm`.
func runBenchGemm(e *env, args []string) error {
	var c gemmConfig
	fs := newGemmFlags(&c)
	if err := parseFlags(e, fs, "bench gemm", gemmHelp, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return &usageError{cmd: "bench gemm", msg: fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	}
	switch {
	case c.timing.warmup < 1:
		return &usageError{cmd: "bench gemm", msg: "--warmup must be at least 1"}
	case c.timing.batches < 1:
		return &usageError{cmd: "bench gemm", msg: "--batches must be at least 1"}
	case c.timing.reps < 0:
		return &usageError{cmd: "bench gemm", msg: "--reps must not be negative"}
	}

	var shapes []gemmShape
	if c.sizes.set || !c.shapes.set {
		for _, n := range c.sizes.vals {
			shapes = append(shapes, gemmShape{m: n, k: n, n: n})
		}
	}
	shapes = append(shapes, c.shapes.vals...)

	rep, err := benchGemm(e, shapes, c.trans.vals, c.threads.vals, c.impls.vals, c.refs.vals, c.timing)
	if err != nil {
		return err
	}
	return rep.write(e.stdout, c.jsonOnly)
}

// benchGemm times every combination and returns the report; it restores the
// GEMM implementation, thread count and GOMAXPROCS it changes.
func benchGemm(e *env, shapes []gemmShape, modes []string, threads []int, impls, refs []string, tm timing) (*report, error) {
	prevImpl := tensor.GemmImpl()
	defer tensor.SetGemmImpl(prevImpl)
	defer tensor.SetMaxThreads(tensor.MaxThreads())

	rep := &report{header: []string{"m", "n", "k", "trans", "threads", "impl", "ms/call", "GFLOP/s"}}
	if len(refs) > 0 {
		rep.header = append(rep.header, "vs "+refs[0])
	}
	seed := uint64(1)
	for _, s := range shapes {
		for _, mode := range modes {
			transA, transB := mode[0] == 'T', mode[1] == 'T'
			ar, ac := s.m, s.k // A as stored
			if transA {
				ar, ac = ac, ar
			}
			br, bc := s.k, s.n // B as stored
			if transB {
				br, bc = bc, br
			}
			a := tensor.Rand(seed, -1, 1, ar, ac).Data()
			b := tensor.Rand(seed+1, -1, 1, br, bc).Data()
			c := make([]float32, s.m*s.n)
			seed += 2
			flops := 2 * float64(s.m) * float64(s.n) * float64(s.k)

			for _, th := range threads {
				type row struct {
					rec gemmRecord
					sec float64
				}
				var rows []row
				add := func(impl string, sec float64) {
					g := flops / sec / 1e9
					rows = append(rows, row{gemmRecord{
						Bench: "gemm", M: s.m, N: s.n, K: s.k, Trans: mode, Threads: th, Impl: impl,
						GFLOPS: math.Round(g*100) / 100,
					}, sec})
					e.progress("bench gemm: %v %s threads=%d %s: %.2f GFLOP/s", s, mode, th, impl, g)
				}
				for _, impl := range impls {
					if _, err := tensor.SetGemmImpl(impl); err != nil {
						return nil, err
					}
					tensor.SetMaxThreads(th)
					add(impl, measure(func() {
						tensor.Gemm(transA, transB, s.m, s.n, s.k, 1, a, ac, b, bc, 0, c, s.n)
					}, flops, tm))
				}
				for _, ref := range refs {
					switch ref {
					case "gonum":
						add(ref, measureGonum(th, transA, transB, s, a, ac, b, bc, c, flops, tm))
					default:
						return nil, fmt.Errorf("bench gemm: unknown reference %q", ref)
					}
				}

				var base float64 // the first reference's GFLOP/s for this case
				for _, r := range rows {
					if len(refs) > 0 && r.rec.Impl == refs[0] {
						base = r.rec.GFLOPS
					}
				}
				for _, r := range rows {
					cells := []string{
						strconv.Itoa(r.rec.M), strconv.Itoa(r.rec.N), strconv.Itoa(r.rec.K),
						r.rec.Trans, strconv.Itoa(r.rec.Threads), r.rec.Impl,
						strconv.FormatFloat(r.sec*1e3, 'f', 3, 64),
						strconv.FormatFloat(r.rec.GFLOPS, 'f', 2, 64),
					}
					if len(refs) > 0 {
						ratio := "-"
						if base > 0 {
							ratio = strconv.FormatFloat(r.rec.GFLOPS/base, 'f', 2, 64) + "x"
						}
						cells = append(cells, ratio)
					}
					rep.add(r.rec, cells...)
				}
			}
		}
	}
	return rep, nil
}

// measureGonum times gonum's blas32.Gemm on the same operands with GOMAXPROCS
// set to threads (gonum's Sgemm runs up to GOMAXPROCS goroutines).
func measureGonum(threads int, transA, transB bool, s gemmShape, a []float32, lda int, b []float32, ldb int, c []float32, flops float64, tm timing) float64 {
	prev := runtime.GOMAXPROCS(threads)
	defer runtime.GOMAXPROCS(prev)
	ta, tb := blas.NoTrans, blas.NoTrans
	ar, br := s.m, s.k
	if transA {
		ta, ar = blas.Trans, s.k
	}
	if transB {
		tb, br = blas.Trans, s.n
	}
	A := blas32.General{Rows: ar, Cols: lda, Stride: lda, Data: a}
	B := blas32.General{Rows: br, Cols: ldb, Stride: ldb, Data: b}
	C := blas32.General{Rows: s.m, Cols: s.n, Stride: s.n, Data: c}
	return measure(func() { blas32.Gemm(ta, tb, 1, A, B, 0, C) }, flops, tm)
}

// measure returns the seconds per call of fn: the best batch as tm says.
func measure(fn func(), flops float64, tm timing) float64 {
	var pace time.Duration // the last warm-up call's time
	for range tm.warmup {
		t0 := time.Now()
		fn()
		pace = time.Since(t0)
	}
	reps := tm.reps
	if reps == 0 {
		reps = max(3, int(1e9/flops))
		if pace > 0 {
			reps = min(reps, max(3, int(maxBatch/pace)))
		}
	}
	best := math.Inf(1)
	start := time.Now()
	for i := 0; i < tm.batches || time.Since(start) < tm.minTime; i++ {
		t0 := time.Now()
		for range reps {
			fn()
		}
		best = min(best, time.Since(t0).Seconds()/float64(reps))
	}
	return max(best, 1e-12) // a zero reading would make GFLOP/s infinite
}
