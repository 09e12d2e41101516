package tensor

import "math"

// mustLastAxis panics unless z has x's shape and x has at least one
// dimension; it returns the length of x's last axis.
func mustLastAxis(op string, z, x *Tensor) int {
	mustSameShape(op, z, x)
	return x.shape[x.axis(op, -1)]
}

// Softmax sets z to the softmax of x over its last axis and returns z: for x
// [..., V], each row becomes exp(x − max)/Σ exp(x − max), which sums to 1
// and stays finite for any finite input. The exponentials run in the
// float32 vector kernel with x − max carried exactly, the sum in float64. z must have x's shape and may be x. Softmax panics
// with a *ShapeError if the shapes differ and an *IndexError if x is a
// scalar. A row whose maximum is ±Inf comes out NaN, as in PyTorch; −Inf
// entries below a finite maximum give 0 (masked logits).
func (z *Tensor) Softmax(x *Tensor) *Tensor {
	n := mustLastAxis("Softmax", z, x)
	if n == 0 {
		return z
	}
	for r := 0; r < len(x.data); r += n {
		xr, zr := x.data[r:r+n], z.data[r:r+n]
		inv := float32(1 / vecExpShiftSum(zr, xr, vecMax(xr)))
		binVS(opMul, zr, zr, inv)
	}
	return z
}

// Softmax returns the softmax of x over its last axis in a new tensor of x's
// shape.
func Softmax(x *Tensor) *Tensor { return New(x.shape...).Softmax(x) }

// LogSoftmax sets z to the log-softmax of x over its last axis and returns
// z: for x [..., V], each row becomes x − max − log Σ exp(x − max), with the
// sum and the logarithm in float64, which stays finite where log(Softmax(x))
// would give −Inf. z must have x's shape and may be x; panics are as for
// Softmax.
func (z *Tensor) LogSoftmax(x *Tensor) *Tensor {
	n := mustLastAxis("LogSoftmax", z, x)
	if n == 0 {
		return z
	}
	var buf [256]float32 // the exponentials, which only the sum needs
	for r := 0; r < len(x.data); r += n {
		xr, zr := x.data[r:r+n], z.data[r:r+n]
		m := vecMax(xr)
		var s float64
		for i := 0; i < n; i += len(buf) {
			c := xr[i:min(i+len(buf), n)]
			s += vecExpShiftSum(buf[:len(c)], c, m)
		}
		c := float64(m) + math.Log(s)
		for i, v := range xr {
			zr[i] = float32(float64(v) - c)
		}
	}
	return z
}

// LogSoftmax returns the log-softmax of x over its last axis in a new tensor
// of x's shape.
func LogSoftmax(x *Tensor) *Tensor { return New(x.shape...).LogSoftmax(x) }
