package tensor

// This file holds the derivatives of the activations in elementwise.go, in
// destination form, for the backward passes of autograd: with g the
// gradient of y = f(x), the gradient of x is g·f′(x), which
// dx.AddMul(g, z.FGrad(x)) accumulates.

// SiluGrad sets z to the derivative of Silu at x elementwise,
// σ(x)·(1 + x·(1 − σ(x))), and returns z. z must have x's shape and may be
// x. It is 0 at −Inf and 1 at +Inf; the error is below 4e-7 of
// σ(x) + |x·σ(x)(1 − σ(x))|.
func (z *Tensor) SiluGrad(x *Tensor) *Tensor {
	zd, xd := unaryData("SiluGrad", z, x)
	vecSiluGrad(zd, xd)
	return z
}

// SiluGrad returns the derivative of Silu at x in a new tensor of x's shape.
func SiluGrad(x *Tensor) *Tensor { return New(x.shape...).SiluGrad(x) }

// GeluErfGrad sets z to the derivative of GeluErf at x elementwise,
// Φ(x) + x·φ(x) with Φ and φ the standard normal CDF and density, and
// returns z. z must have x's shape and may be x. It is 0 at −Inf and 1 at
// +Inf; the error is below 6e-7 of Φ(x) + |x·φ(x)|.
func (z *Tensor) GeluErfGrad(x *Tensor) *Tensor {
	zd, xd := unaryData("GeluErfGrad", z, x)
	vecGeluErfGrad(zd, xd)
	return z
}

// GeluErfGrad returns the derivative of GeluErf at x in a new tensor of x's
// shape.
func GeluErfGrad(x *Tensor) *Tensor { return New(x.shape...).GeluErfGrad(x) }

// GeluErfAndGrad sets z to GeluErf(x) and d to GeluErfGrad(x) elementwise in
// one pass, computing Φ(x) once, and returns z: the forward of GELU for a
// backward pass that needs its derivative. The results equal those of
// z.GeluErf(x) and d.GeluErfGrad(x) bit for bit. z and d must have x's
// shape; either may be x, but they must not overlap each other.
// GeluErfAndGrad panics with a *ShapeError if the shapes differ or z and d
// are the same data.
func (z *Tensor) GeluErfAndGrad(d, x *Tensor) *Tensor {
	zd, xd := unaryData("GeluErfAndGrad", z, x)
	dd, _ := unaryData("GeluErfAndGrad", d, x)
	if len(xd) > 0 && &zd[0] == &dd[0] {
		panic(&ShapeError{Op: "GeluErfAndGrad", Msg: "the results z and d are the same data"})
	}
	vecGeluErfAndGrad(zd, dd, xd)
	return z
}

// GeluTanhGrad sets z to the derivative of GeluTanh at x elementwise and
// returns z: with s = σ(v), v = 2√(2/π)(x + 0.044715x³), it is
// s + x·s(1 − s)·dv/dx, which equals PyTorch's
// 0.5(1 + tanh u) + 0.5x(1 − tanh² u)·du/dx for u = v/2. z must have x's
// shape and may be x. It is 0 at −Inf and 1 at +Inf; the error is below
// 4e-7 of the sum of the magnitudes of the two terms.
func (z *Tensor) GeluTanhGrad(x *Tensor) *Tensor {
	zd, xd := unaryData("GeluTanhGrad", z, x)
	vecGeluTanhGrad(zd, xd)
	return z
}

// GeluTanhGrad returns the derivative of GeluTanh at x in a new tensor of
// x's shape.
func GeluTanhGrad(x *Tensor) *Tensor { return New(x.shape...).GeluTanhGrad(x) }

// AddMul adds the elementwise product x·y to z in place (z += x·y) and
// returns z: the accumulation of a gradient g·f′(x). x and y must have z's
// shape (there is no broadcasting); either may be z itself. AddMul panics
// with a *ShapeError if the shapes differ.
func (z *Tensor) AddMul(x, y *Tensor) *Tensor {
	zd, xd := unaryData("AddMul", z, x)
	_, yd := unaryData("AddMul", z, y)
	vecAddMul(zd, xd, yd)
	return z
}
