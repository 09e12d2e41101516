//go:build !purego

package kernel

// The AVX2 elementwise kernels keep the contracts of their Generic twins (see
// binop.go), bit for bit, and must only be called when HasAVX2 is true.

// BinVVAVX2 is BinVVGeneric in AVX2 assembly.
func BinVVAVX2(op BinOp, z, x, y []float32) {
	n := len(z)
	if len(x) < n || len(y) < n {
		panic("kernel: BinVVAVX2: x or y shorter than z")
	}
	if n == 0 {
		return
	}
	switch op {
	case OpAdd:
		addVV(&z[0], &x[0], &y[0], n)
	case OpSub:
		subVV(&z[0], &x[0], &y[0], n)
	case OpMul:
		mulVV(&z[0], &x[0], &y[0], n)
	case OpDiv:
		divVV(&z[0], &x[0], &y[0], n)
	}
}

// BinVSAVX2 is BinVSGeneric in AVX2 assembly.
func BinVSAVX2(op BinOp, z, x []float32, s float32) {
	n := len(z)
	if len(x) < n {
		panic("kernel: BinVSAVX2: x shorter than z")
	}
	if n == 0 {
		return
	}
	switch op {
	case OpAdd:
		addVS(&z[0], &x[0], s, n)
	case OpSub:
		subVS(&z[0], &x[0], s, n)
	case OpMul:
		mulVS(&z[0], &x[0], s, n)
	case OpDiv:
		divVS(&z[0], &x[0], s, n)
	}
}

// BinSVAVX2 is BinSVGeneric in AVX2 assembly.
func BinSVAVX2(op BinOp, z []float32, s float32, y []float32) {
	n := len(z)
	if len(y) < n {
		panic("kernel: BinSVAVX2: y shorter than z")
	}
	if n == 0 {
		return
	}
	switch op { // s + y and s·y are y + s and y·s, bit for bit
	case OpAdd:
		addVS(&z[0], &y[0], s, n)
	case OpSub:
		subSV(&z[0], &y[0], s, n)
	case OpMul:
		mulVS(&z[0], &y[0], s, n)
	case OpDiv:
		divSV(&z[0], &y[0], s, n)
	}
}

// AxpyAVX2 is AxpyGeneric in AVX2 assembly.
func AxpyAVX2(z, x []float32, a float32) {
	n := len(z)
	if len(x) < n {
		panic("kernel: AxpyAVX2: x shorter than z")
	}
	if n == 0 {
		return
	}
	axpy(&z[0], &x[0], a, n)
}

// AddMulAVX2 is AddMulGeneric in AVX2 assembly.
func AddMulAVX2(z, x, y []float32) {
	n := len(z)
	if len(x) < n || len(y) < n {
		panic("kernel: AddMulAVX2: x or y shorter than z")
	}
	if n == 0 {
		return
	}
	addMul(&z[0], &x[0], &y[0], n)
}

// ColSumAVX2 is ColSumGeneric in AVX2 assembly; the last len(acc)%4
// columns go through ColSumGeneric.
func ColSumAVX2(acc []float64, x []float32, rows, ld int) {
	n := len(acc)
	if rows <= 0 || n == 0 {
		return
	}
	if ld < n || len(x) < (rows-1)*ld+n {
		panic("kernel: ColSumAVX2: x too short for rows of len(acc) at stride ld")
	}
	m := n &^ 3
	if m > 0 {
		colSum(&acc[0], &x[0], rows, ld, m)
	}
	if m < n {
		ColSumGeneric(acc[m:], x[m:], rows, ld)
	}
}

// The loops in binop_amd64.s; n ≥ 0 is any length.

//go:noescape
func addVV(z, x, y *float32, n int)

//go:noescape
func subVV(z, x, y *float32, n int)

//go:noescape
func mulVV(z, x, y *float32, n int)

//go:noescape
func divVV(z, x, y *float32, n int)

//go:noescape
func addVS(z, x *float32, s float32, n int)

//go:noescape
func subVS(z, x *float32, s float32, n int)

//go:noescape
func mulVS(z, x *float32, s float32, n int)

//go:noescape
func divVS(z, x *float32, s float32, n int)

// subSV sets z[i] = s − x[i].
//
//go:noescape
func subSV(z, x *float32, s float32, n int)

// divSV sets z[i] = s / x[i].
//
//go:noescape
func divSV(z, x *float32, s float32, n int)

// axpy sets z[i] += s·x[i].
//
//go:noescape
func axpy(z, x *float32, s float32, n int)

// addMul sets z[i] += x[i]·y[i].
//
//go:noescape
func addMul(z, x, y *float32, n int)

// colSum adds column sums to acc; rows > 0 and cols a positive multiple of
// 4 (see binop_amd64.s).
//
//go:noescape
func colSum(acc *float64, x *float32, rows, ld, cols int)
