package data

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestSplit(t *testing.T) {
	ids := []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}
	for _, tc := range []struct {
		frac             float64
		wantTrain, wantV int
	}{{0.9, 9, 1}, {0.5, 5, 5}, {0, 0, 10}, {1, 10, 0}, {0.95, 9, 1}} {
		train, val := Split(ids, tc.frac)
		if len(train) != tc.wantTrain || len(val) != tc.wantV {
			t.Errorf("Split(10 ids, %v) = %d, %d; want %d, %d", tc.frac, len(train), len(val), tc.wantTrain, tc.wantV)
		}
		if !slices.Equal(append(slices.Clone(train), val...), ids) {
			t.Errorf("Split(10 ids, %v): train+val = %v %v; want %v", tc.frac, train, val, ids)
		}
	}
	train, _ := Split(ids, 0.5)
	if _ = append(train, -1); ids[5] != 5 {
		t.Error("appending to train overwrote val")
	}
	for _, frac := range []float64{-0.1, 1.5} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Split(ids, %v) did not panic", frac)
				}
			}()
			Split(ids, frac)
		}()
	}
}

func iota(n int) Ints {
	s := make(Ints, n)
	for i := range s {
		s[i] = i * 7 % 1000 // distinct values that are not their index
	}
	return s
}

// checkWindows reports whether every row of x is a window of src and y the
// same window shifted by one; it returns the starts.
func checkWindows(t *testing.T, src Ints, b, tt int, x, y []int) []int {
	t.Helper()
	starts := make([]int, b)
	for r := range b {
		xr, yr := x[r*tt:(r+1)*tt], y[r*tt:(r+1)*tt]
		i := slices.Index(src, xr[0])
		if i < 0 || i+tt+1 > len(src) || !slices.Equal(xr, src[i:i+tt]) || !slices.Equal(yr, src[i+1:i+tt+1]) {
			t.Fatalf("row %d: x=%v y=%v is not a window of the source and its shift", r, xr, yr)
		}
		starts[r] = i
	}
	return starts
}

func TestSamplerBatch(t *testing.T) {
	src := iota(50)
	s, err := NewSampler(src, 1)
	if err != nil {
		t.Fatal(err)
	}
	const b, tt = 4, 8
	x, y := make([]int, b*tt), make([]int, b*tt)
	seen := map[int]bool{}
	for range 500 {
		if err := s.Batch(b, tt, x, y); err != nil {
			t.Fatal(err)
		}
		for _, i := range checkWindows(t, src, b, tt, x, y) {
			seen[i] = true
		}
	}
	// Every start in [0, len−T−1] shows up, and no other.
	for i := range len(src) - tt {
		if !seen[i] {
			t.Errorf("start %d never drawn in 2000 rows", i)
		}
	}
	if len(seen) != len(src)-tt {
		t.Errorf("%d distinct starts; want %d", len(seen), len(src)-tt)
	}
}

func TestSamplerDeterministic(t *testing.T) {
	src := iota(1000)
	batches := func(seed uint64) string {
		s, _ := NewSampler(src, seed)
		x, y := make([]int, 3*5), make([]int, 3*5)
		var sb strings.Builder
		for range 4 {
			s.Batch(3, 5, x, y)
			fmt.Fprint(&sb, x, y)
		}
		return sb.String()
	}
	if a, b := batches(7), batches(7); a != b {
		t.Errorf("seed 7 gave two sequences:\n%s\n%s", a, b)
	}
	if a, b := batches(7), batches(8); a == b {
		t.Error("seeds 7 and 8 gave the same batches")
	}
	// The starts a seed gives are part of the package's promise (they do
	// not depend on math/rand/v2's Rand): pin the first few.
	s, _ := NewSampler(src, 1337)
	x, y := make([]int, 6), make([]int, 6)
	s.Batch(6, 1, x, y)
	var starts []int
	for _, v := range x {
		starts = append(starts, slices.Index(src, v))
	}
	if want := []int{714, 764, 225, 98, 90, 983}; !slices.Equal(starts, want) {
		t.Errorf("seed 1337 starts = %v; want %v", starts, want)
	}
}

func TestSamplerState(t *testing.T) {
	src := iota(300)
	s, _ := NewSampler(src, 42)
	x, y := make([]int, 2*10), make([]int, 2*10)
	for range 3 {
		s.Batch(2, 10, x, y)
	}
	state := s.State()
	var want []string
	for range 5 {
		s.Batch(2, 10, x, y)
		want = append(want, fmt.Sprint(x, y))
	}
	// A fresh sampler with another seed, restored, continues identically.
	r, _ := NewSampler(src, 999)
	if err := r.SetState(state); err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		r.Batch(2, 10, x, y)
		if got := fmt.Sprint(x, y); got != want[i] {
			t.Fatalf("batch %d after SetState = %s; want %s", i, got, want[i])
		}
	}
	// Restoring into the same sampler rewinds it.
	if err := s.SetState(state); err != nil {
		t.Fatal(err)
	}
	s.Batch(2, 10, x, y)
	if got := fmt.Sprint(x, y); got != want[0] {
		t.Errorf("rewound batch = %s; want %s", got, want[0])
	}
	before := s.State()
	for _, bad := range [][]byte{nil, []byte("junk"), state[:len(state)-1], append(slices.Clone(state), 0)} {
		if err := s.SetState(bad); err == nil {
			t.Errorf("SetState(%q) succeeded", bad)
		}
	}
	if !slices.Equal(s.State(), before) {
		t.Error("a failed SetState changed the state")
	}
}

func TestSamplerTooShort(t *testing.T) {
	x, y := make([]int, 8), make([]int, 8)
	for n := range 12 {
		s, err := NewSampler(iota(n), 1)
		if err != nil {
			t.Fatal(err)
		}
		err = s.Batch(1, 8, x, y)
		if n < 9 {
			if err == nil || !strings.Contains(err.Error(), "too few") {
				t.Errorf("Batch(T=8) on %d tokens: error %v; want too few", n, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("Batch(T=8) on %d tokens: %v", n, err)
		}
	}
	if _, err := NewSampler(nil, 1); err == nil {
		t.Error("NewSampler(nil) succeeded")
	}
}

func TestSamplerPanics(t *testing.T) {
	s, _ := NewSampler(iota(100), 1)
	for _, tc := range []struct {
		b, t, nx, ny int
	}{{0, 4, 0, 0}, {2, 0, 0, 0}, {2, 4, 7, 8}, {2, 4, 8, 9}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Batch(%d, %d, len %d, len %d) did not panic", tc.b, tc.t, tc.nx, tc.ny)
				}
			}()
			s.Batch(tc.b, tc.t, make([]int, tc.nx), make([]int, tc.ny))
		}()
	}
}

func TestSamplerAllocs(t *testing.T) {
	s, _ := NewSampler(iota(10000), 1)
	x, y := make([]int, 12*64), make([]int, 12*64)
	if n := testing.AllocsPerRun(100, func() { s.Batch(12, 64, x, y) }); n != 0 {
		t.Errorf("Batch allocates %v times; want 0", n)
	}
}

func BenchmarkSamplerBatch(b *testing.B) {
	s, _ := NewSampler(iota(1<<20), 1)
	x, y := make([]int, 12*64), make([]int, 12*64)
	b.ReportAllocs()
	for b.Loop() {
		s.Batch(12, 64, x, y)
	}
}
