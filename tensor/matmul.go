package tensor

import "fmt"

// MatMul sets z = x·y and returns z. x is [..., M, K] and y is [K, N] or
// [..., K, N] with the same leading dimensions as x; z is [..., M, N].
// A 2-D y is shared by every matrix of x (a [B, T, C]·[C, N] product runs as
// one [B·T, C]·[C, N] GEMM). z must not share memory with x or y.
func (z *Tensor) MatMul(x, y *Tensor) *Tensor { return z.MatMulTrans(x, false, y, false) }

// MatMulTrans sets z = op(x)·op(y) and returns z, where op transposes the
// last two axes when transX or transY is true — without copying, through the
// GEMM's transpose flags. Shapes are those of MatMul after op: with transY,
// y is [N, K] (a PyTorch Linear weight [out, in]).
func (z *Tensor) MatMulTrans(x *Tensor, transX bool, y *Tensor, transY bool) *Tensor {
	return z.matmul("MatMul", x, transX, y, transY, 0)
}

// AddMatMulTrans adds op(x)·op(y) to z and returns z: the accumulating form
// of MatMulTrans (GEMM with beta = 1), for gradients that add up. Shapes are
// those of MatMulTrans.
func (z *Tensor) AddMatMulTrans(x *Tensor, transX bool, y *Tensor, transY bool) *Tensor {
	return z.matmul("AddMatMul", x, transX, y, transY, 1)
}

// matmul sets z = op(x)·op(y) + beta·z.
func (z *Tensor) matmul(op string, x *Tensor, transX bool, y *Tensor, transY bool, beta float32) *Tensor {
	p := matmulPlan(op, x, transX, y, transY)
	if !p.fits(z.shape) {
		panic(&ShapeError{Op: op, Msg: fmt.Sprintf("destination %v; want %v for %v·%v", z.shape, p.out(), x.shape, y.shape)})
	}
	if len(z.data) > 0 && (&z.data[0] == &x.data[0] || &z.data[0] == &y.data[0]) {
		panic(&ShapeError{Op: op, Msg: "destination shares memory with an operand"})
	}
	lda, ldb := p.k, p.n
	if transX {
		lda = p.m
	}
	if transY {
		ldb = p.k
	}
	if p.sharedY {
		if !transX {
			// [batch·M, K]·[K, N] is one GEMM.
			Gemm(false, transY, p.batch*p.m, p.n, p.k, 1, x.data, lda, y.data, ldb, beta, z.data, p.n)
			return z
		}
		GemmBatched(true, transY, p.batch, p.m, p.n, p.k, 1, x.data, lda, p.m*p.k, y.data, ldb, 0, beta, z.data, p.n, p.m*p.n)
		return z
	}
	GemmBatched(transX, transY, p.batch, p.m, p.n, p.k, 1, x.data, lda, p.m*p.k, y.data, ldb, p.k*p.n, beta, z.data, p.n, p.m*p.n)
	return z
}

// MatMul returns x·y in a new tensor; see (*Tensor).MatMul for the shapes.
func MatMul(x, y *Tensor) *Tensor { return MatMulTrans(x, false, y, false) }

// MatMulTrans returns op(x)·op(y) in a new tensor; see (*Tensor).MatMulTrans.
func MatMulTrans(x *Tensor, transX bool, y *Tensor, transY bool) *Tensor {
	p := matmulPlan("MatMul", x, transX, y, transY)
	return New(p.out()...).MatMulTrans(x, transX, y, transY)
}

type matmulShape struct {
	batch, m, n, k int
	sharedY        bool  // y is 2-D and used by every matrix of x
	lead           []int // x's leading dimensions, shared with x.shape
}

// out returns the shape of the product, [lead..., m, n].
func (p matmulShape) out() []int {
	return append(append(make([]int, 0, len(p.lead)+2), p.lead...), p.m, p.n)
}

// fits reports whether shape is the product's shape, without allocating.
func (p matmulShape) fits(shape []int) bool {
	l := len(p.lead)
	return len(shape) == l+2 && equalInts(shape[:l], p.lead) && shape[l] == p.m && shape[l+1] == p.n
}

// matmulPlan checks the shapes of a matrix product and describes it.
func matmulPlan(op string, x *Tensor, transX bool, y *Tensor, transY bool) matmulShape {
	bad := func() {
		panic(&ShapeError{Op: op, Msg: fmt.Sprintf("shapes %v (trans %v) and %v (trans %v) do not match", x.shape, transX, y.shape, transY)})
	}
	if len(x.shape) < 2 || len(y.shape) < 2 {
		bad()
	}
	xr, xc := x.shape[len(x.shape)-2], x.shape[len(x.shape)-1]
	yr, yc := y.shape[len(y.shape)-2], y.shape[len(y.shape)-1]
	if transX {
		xr, xc = xc, xr
	}
	if transY {
		yr, yc = yc, yr
	}
	if xc != yr {
		bad()
	}
	lead := x.shape[:len(x.shape)-2]
	p := matmulShape{batch: 1, m: xr, n: yc, k: xc, sharedY: len(y.shape) == 2, lead: lead}
	if !p.sharedY && !equalInts(lead, y.shape[:len(y.shape)-2]) {
		bad()
	}
	for _, d := range lead {
		p.batch *= d
	}
	return p
}
