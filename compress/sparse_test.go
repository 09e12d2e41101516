package compress

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// sparseRows returns a [rows, cols] matrix with about a fraction zero of
// zeros, and some all-zero rows.
func sparseRows(seed uint64, rows, cols int, zero float64) []float32 {
	r := rand.New(rand.NewPCG(seed, 3))
	x := randn(seed, 1, rows*cols)
	for i := range x {
		if r.Float64() < zero || (i/max(cols, 1))%5 == 2 {
			x[i] = 0
		}
	}
	return x
}

func TestBitmaskRoundTrip(t *testing.T) {
	for _, n := range []int{0, 1, 7, 8, 9, 64, 100} {
		for _, zero := range []float64{0, 0.5, 1} {
			t.Run(fmt.Sprintf("n=%d/zero=%g", n, zero), func(t *testing.T) {
				x := sparseRows(uint64(n), 1, n, zero)
				mask, vals := PackBitmask(x)
				if len(mask) != BitmaskBytes(n) {
					t.Fatalf("mask of %d bytes; want %d", len(mask), BitmaskBytes(n))
				}
				for i, v := range x {
					if got := mask[i/8]>>(i%8)&1 == 1; got != (v != 0) {
						t.Fatalf("bit %d = %v for value %v", i, got, v)
					}
				}
				y := make([]float32, n)
				if err := UnpackBitmask(y, mask, vals); err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(x, y) {
					t.Errorf("UnpackBitmask(PackBitmask(x)) = %v; want %v", y, x)
				}
				q := make([]int8, n) // the same on int8 values
				for i, v := range x {
					q[i] = int8(v * 50)
				}
				qm, qv := PackBitmask(q)
				q2 := make([]int8, n)
				if err := UnpackBitmask(q2, qm, qv); err != nil || !slices.Equal(q, q2) {
					t.Errorf("int8: %v, %v; want %v", q2, err, q)
				}
			})
		}
	}
}

func TestBitmaskErrors(t *testing.T) {
	for _, c := range []struct {
		name string
		n    int
		mask []byte
		vals []float32
		want string
	}{
		{"short mask", 9, []byte{1}, []float32{1}, "bitmask of 1 bytes for 9 values; want 2"},
		{"long mask", 8, []byte{1, 0}, []float32{1}, "bitmask of 2 bytes"},
		{"bits past n", 3, []byte{0x09}, []float32{1, 2}, "past its 3 values"},
		{"too few values", 8, []byte{0x03}, []float32{1}, "sets 2 bits for 1 values"},
		{"too many values", 8, []byte{0x01}, []float32{1, 2}, "sets 1 bits for 2 values"},
		{"empty mask", 0, []byte{0}, nil, "bitmask of 1 bytes for 0 values"},
	} {
		err := UnpackBitmask(make([]float32, c.n), c.mask, c.vals)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: UnpackBitmask = %v; want %q", c.name, err, c.want)
		}
	}
}

func TestCSRRoundTrip(t *testing.T) {
	for _, s := range [][2]int{{0, 0}, {0, 4}, {3, 0}, {1, 1}, {5, 7}, {16, 300}} {
		for _, zero := range []float64{0, 0.5, 0.95, 1} {
			t.Run(fmt.Sprintf("shape=%v/zero=%g", s, zero), func(t *testing.T) {
				x := sparseRows(uint64(s[0]*s[1]), s[0], s[1], zero)
				c := ToCSR(x, s[0], s[1])
				if err := c.Check(); err != nil {
					t.Fatal(err)
				}
				nnz := 0
				for _, v := range x {
					if v != 0 {
						nnz++
					}
				}
				if len(c.Values) != nnz {
					t.Errorf("%d values; want %d nonzeros", len(c.Values), nnz)
				}
				y := make([]float32, len(x))
				for i := range y {
					y[i] = 9 // Dense overwrites everything
				}
				if err := c.Dense(y); err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(x, y) {
					t.Errorf("Dense(ToCSR(x)) = %v; want %v", y, x)
				}
			})
		}
	}
}

func TestCSRErrors(t *testing.T) {
	good := func() *CSR[int8] {
		return &CSR[int8]{Rows: 2, Cols: 3, Indptr: []int{0, 2, 3}, Indices: []int{0, 2, 1}, Values: []int8{1, 2, 3}}
	}
	if err := good().Dense(make([]int8, 6)); err != nil {
		t.Fatalf("the undamaged CSR: %v", err)
	}
	for _, c := range []struct {
		name   string
		damage func(*CSR[int8])
		n      int
		want   string
	}{
		{"negative rows", func(c *CSR[int8]) { c.Rows = -1 }, 6, "shape [-1, 3]"},
		{"short indptr", func(c *CSR[int8]) { c.Indptr = c.Indptr[:2] }, 6, "2 row pointers for 2 rows"},
		{"indices length", func(c *CSR[int8]) { c.Indices = c.Indices[:2] }, 6, "2 column indices for 3 values"},
		{"indptr from 1", func(c *CSR[int8]) { c.Indptr[0] = 1 }, 6, "run from 1 to 3"},
		{"indptr end", func(c *CSR[int8]) { c.Indptr[2] = 2 }, 6, "run from 0 to 2"},
		{"indptr decreasing", func(c *CSR[int8]) { c.Indptr[1] = 4 }, 6, "out of order"},
		{"indptr negative", func(c *CSR[int8]) { c.Indptr[1] = -1 }, 6, "out of order"},
		{"column = cols", func(c *CSR[int8]) { c.Indices[1] = 3 }, 6, "column 3 after 0"},
		{"column negative", func(c *CSR[int8]) { c.Indices[2] = -1 }, 6, "column -1"},
		{"columns repeated", func(c *CSR[int8]) { c.Indices[1] = 0 }, 6, "column 0 after 0"},
		{"columns decreasing", func(c *CSR[int8]) { c.Indices[0], c.Indices[1] = 2, 0 }, 6, "column 0 after 2"},
		{"dst length", func(c *CSR[int8]) {}, 5, "into 5 values"},
	} {
		cs := good()
		c.damage(cs)
		err := cs.Dense(make([]int8, c.n))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: Dense = %v; want %q", c.name, err, c.want)
		}
	}
}
