package kernel

// This file holds the pure-Go twins of the elementwise arithmetic kernels in
// binop_amd64.s: z = x op y on runs of float32 (tensor's Add, Sub, Mul and
// Div), the accumulations z += a·x and z += x·y, and the column sums behind
// reductions over the rows of a matrix. Each is a plain IEEE 754 loop with
// one rounding per operation; the assembly performs the same operations in
// the same order, so the twins agree with it bit for bit on every machine
// (the explicit float32 conversions below stop Go from fusing a multiply and
// an add where the assembly does not).
//
// The kernels work on len(z) elements: the other slices must be at least
// that long. z may be x or y itself but must not overlap them otherwise.

// BinOp is an elementwise binary operation on float32.
type BinOp uint8

// The binary operations, in the order of tensor's binOp.
const (
	OpAdd BinOp = iota // x + y
	OpSub              // x − y
	OpMul              // x · y
	OpDiv              // x / y
)

// BinVVGeneric sets z[i] = x[i] op y[i].
func BinVVGeneric(op BinOp, z, x, y []float32) {
	x, y = x[:len(z)], y[:len(z)]
	switch op {
	case OpAdd:
		for i := range z {
			z[i] = x[i] + y[i]
		}
	case OpSub:
		for i := range z {
			z[i] = x[i] - y[i]
		}
	case OpMul:
		for i := range z {
			z[i] = x[i] * y[i]
		}
	case OpDiv:
		for i := range z {
			z[i] = x[i] / y[i]
		}
	}
}

// BinVSGeneric sets z[i] = x[i] op s.
func BinVSGeneric(op BinOp, z, x []float32, s float32) {
	x = x[:len(z)]
	switch op {
	case OpAdd:
		for i := range z {
			z[i] = x[i] + s
		}
	case OpSub:
		for i := range z {
			z[i] = x[i] - s
		}
	case OpMul:
		for i := range z {
			z[i] = x[i] * s
		}
	case OpDiv:
		for i := range z {
			z[i] = x[i] / s
		}
	}
}

// BinSVGeneric sets z[i] = s op y[i].
func BinSVGeneric(op BinOp, z []float32, s float32, y []float32) {
	y = y[:len(z)]
	switch op {
	case OpAdd:
		for i := range z {
			z[i] = s + y[i]
		}
	case OpSub:
		for i := range z {
			z[i] = s - y[i]
		}
	case OpMul:
		for i := range z {
			z[i] = s * y[i]
		}
	case OpDiv:
		for i := range z {
			z[i] = s / y[i]
		}
	}
}

// AxpyGeneric sets z[i] += a·x[i] (BLAS saxpy), rounding the product
// before the sum.
func AxpyGeneric(z, x []float32, a float32) {
	x = x[:len(z)]
	for i, v := range x {
		z[i] += float32(a * v)
	}
}

// AddMulGeneric sets z[i] += x[i]·y[i], rounding the product before the
// sum.
func AddMulGeneric(z, x, y []float32) {
	x, y = x[:len(z)], y[:len(z)]
	for i, v := range x {
		z[i] += float32(v * y[i])
	}
}

// ColSumGeneric adds to acc[j], for j < len(acc), the sum in float64 of
// x[r·ld+j] over the rows r < rows of a row-major matrix with leading
// dimension ld ≥ len(acc). Rows are taken four at a time, each group added
// as ((x₀+x₁)+(x₂+x₃)), then the rows left over one by one; every sum is in
// float64. x must hold (rows−1)·ld+len(acc) elements when rows > 0.
func ColSumGeneric(acc []float64, x []float32, rows, ld int) {
	if rows == 0 || len(acc) == 0 {
		return
	}
	n := len(acc)
	r := 0
	for ; r+4 <= rows; r += 4 {
		r0 := x[r*ld : r*ld+n]
		r1 := x[(r+1)*ld:][:n]
		r2 := x[(r+2)*ld:][:n]
		r3 := x[(r+3)*ld:][:n]
		a := acc[:len(r0)]
		for j, v := range r0 {
			a[j] += (float64(v) + float64(r1[j])) + (float64(r2[j]) + float64(r3[j]))
		}
	}
	for ; r < rows; r++ {
		row := x[r*ld:][:n]
		a := acc[:len(row)]
		for j, v := range row {
			a[j] += float64(v)
		}
	}
}
