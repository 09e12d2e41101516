package compress

import (
	"fmt"
	"math"
	"math/bits"
)

// Elem is the element type of a compacted tensor: float32 values, or the
// int8 values of a quantized one.
type Elem interface{ ~float32 | ~int8 }

// BitmaskBytes returns the length of the bitmask of n values: one bit per
// value, ⌈n/8⌉ bytes.
func BitmaskBytes(n int) int { return n/8 + (n%8+7)/8 }

// PackBitmask returns x's bitmask and its nonzero values: bit i (byte i/8,
// bit i%8, least significant first) is set when x[i] ≠ 0, the bits past
// len(x) in the last byte are zero, and values holds the x[i] ≠ 0 in order.
// A float32 −0 counts as zero (it unpacks as +0).
func PackBitmask[T Elem](x []T) (mask []byte, values []T) {
	mask = make([]byte, BitmaskBytes(len(x)))
	for i, v := range x {
		if v != 0 {
			mask[i/8] |= 1 << (i % 8)
			values = append(values, v)
		}
	}
	return mask, values
}

// UnpackBitmask writes the values of a bitmask into dst, which holds the
// n = len(dst) values of the dense tensor: dst[i] is the next value where bit
// i is set, 0 elsewhere. It returns an error, leaving dst unspecified, unless
// len(mask) is ⌈n/8⌉, the bits past n are zero and the mask has exactly
// len(values) bits set; it never panics.
func UnpackBitmask[T Elem](dst []T, mask []byte, values []T) error {
	if len(mask) != BitmaskBytes(len(dst)) {
		return fmt.Errorf("compress: bitmask of %d bytes for %d values; want %d", len(mask), len(dst), BitmaskBytes(len(dst)))
	}
	set := 0
	for _, b := range mask {
		set += bits.OnesCount8(b)
	}
	if r := len(dst) % 8; r != 0 && mask[len(mask)-1]>>r != 0 {
		return fmt.Errorf("compress: bitmask sets bits past its %d values", len(dst))
	}
	if set != len(values) {
		return fmt.Errorf("compress: bitmask sets %d bits for %d values", set, len(values))
	}
	k := 0
	for i := range dst {
		if mask[i/8]>>(i%8)&1 != 0 {
			dst[i] = values[k]
			k++
		} else {
			dst[i] = 0
		}
	}
	return nil
}

// CSR is a [Rows, Cols] matrix in compressed sparse row form, as SciPy's
// csr_matrix and PyTorch's sparse_csr_tensor: the nonzero entries of row r
// are Values[Indptr[r]:Indptr[r+1]], in the columns
// Indices[Indptr[r]:Indptr[r+1]], increasing.
type CSR[T Elem] struct {
	Rows, Cols int
	Indptr     []int // [Rows+1], from 0 to len(Values), nondecreasing
	Indices    []int // [nnz], each in [0, Cols), increasing within a row
	Values     []T   // [nnz]
}

// ToCSR returns the CSR form of x, a [rows, cols] matrix row-major, keeping
// its nonzero values (a float32 −0 counts as zero). It panics unless
// len(x) = rows·cols.
func ToCSR[T Elem](x []T, rows, cols int) *CSR[T] {
	if rows < 0 || cols < 0 || len(x) != rows*cols {
		panic(fmt.Sprintf("compress: ToCSR: %d values for [%d, %d]", len(x), rows, cols))
	}
	c := &CSR[T]{Rows: rows, Cols: cols, Indptr: make([]int, rows+1)}
	for r := range rows {
		for j, v := range x[r*cols : (r+1)*cols] {
			if v != 0 {
				c.Indices = append(c.Indices, j)
				c.Values = append(c.Values, v)
			}
		}
		c.Indptr[r+1] = len(c.Values)
	}
	return c
}

// Check returns an error unless c is well formed: Rows and Cols not negative,
// len(Indptr) = Rows+1, Indptr from 0 to len(Indices) = len(Values) and
// nondecreasing, and each row's Indices increasing and in [0, Cols).
func (c *CSR[T]) Check() error {
	switch {
	case c.Rows < 0 || c.Cols < 0:
		return fmt.Errorf("compress: CSR of shape [%d, %d]", c.Rows, c.Cols)
	case len(c.Indptr) != c.Rows+1:
		return fmt.Errorf("compress: CSR has %d row pointers for %d rows; want %d", len(c.Indptr), c.Rows, c.Rows+1)
	case len(c.Indices) != len(c.Values):
		return fmt.Errorf("compress: CSR has %d column indices for %d values", len(c.Indices), len(c.Values))
	case c.Indptr[0] != 0 || c.Indptr[c.Rows] != len(c.Values):
		return fmt.Errorf("compress: CSR row pointers run from %d to %d; want 0 to %d", c.Indptr[0], c.Indptr[c.Rows], len(c.Values))
	}
	for r := range c.Rows {
		lo, hi := c.Indptr[r], c.Indptr[r+1]
		if hi < lo || hi > len(c.Values) {
			return fmt.Errorf("compress: CSR row %d: pointers %d, %d out of order", r, lo, hi)
		}
		prev := -1
		for _, j := range c.Indices[lo:hi] {
			if j <= prev || j >= c.Cols {
				return fmt.Errorf("compress: CSR row %d: column %d after %d (want increasing, below %d)", r, j, prev, c.Cols)
			}
			prev = j
		}
	}
	return nil
}

// Dense writes c into dst, [Rows, Cols] row-major, after checking it (see
// Check); it returns an error, never panicking, when c is malformed or
// len(dst) ≠ Rows·Cols.
func (c *CSR[T]) Dense(dst []T) error {
	if err := c.Check(); err != nil {
		return err
	}
	if c.Cols > 0 && c.Rows > math.MaxInt/c.Cols || len(dst) != c.Rows*c.Cols {
		return fmt.Errorf("compress: CSR [%d, %d] into %d values", c.Rows, c.Cols, len(dst))
	}
	clear(dst)
	for r := range c.Rows {
		for k := c.Indptr[r]; k < c.Indptr[r+1]; k++ {
			dst[r*c.Cols+c.Indices[k]] = c.Values[k]
		}
	}
	return nil
}
