package tensor

import (
	"math"

	"github.com/tapegrad/tapegrad/tensor/internal/kernel"
)

// binOp is an elementwise binary operation; its kernels work on whole runs so
// that the broadcasting driver pays for dispatch once per row, not per element.
// The values are the kernel package's, which runs them (AVX2 where
// available, see vec_impl.go).
type binOp kernel.BinOp

const (
	opAdd = binOp(kernel.OpAdd)
	opSub = binOp(kernel.OpSub)
	opMul = binOp(kernel.OpMul)
	opDiv = binOp(kernel.OpDiv)
)

// run computes z[i] = x[i·xin] op y[i·yin] for i < len(z), where xin and yin
// are 0 (the operand is repeated) or 1 (it advances with z). broadcastPlan
// never makes both 0: it drops the dimensions where neither operand varies.
func (op binOp) run(z, x, y []float32, xin, yin int) {
	switch {
	case xin == 0:
		binSV(op, z, x[0], y)
	case yin == 0:
		binVS(op, z, x, y[0])
	default:
		binVV(op, z, x, y)
	}
}

// newBroadcast allocates the result of a broadcasting binary op on x and y.
func newBroadcast(op string, x, y *Tensor) *Tensor {
	shape, err := BroadcastShape(x.shape, y.shape)
	if err != nil {
		panic(&ShapeError{Op: op, Msg: err.(*ShapeError).Msg})
	}
	return New(shape...)
}

// Add sets z to x + y with NumPy broadcasting and returns z. z must have the
// broadcast shape of x and y (see BroadcastShape); for example x [B, T, C]
// and y [C] need z [B, T, C]. z may alias x or y when it has that operand's
// shape. Add panics with a *ShapeError if the shapes do not fit.
func (z *Tensor) Add(x, y *Tensor) *Tensor { broadcastBinary(opAdd, "Add", z, x, y); return z }

// Sub sets z to x − y with broadcasting and returns z; shapes and aliasing
// are as for Add.
func (z *Tensor) Sub(x, y *Tensor) *Tensor { broadcastBinary(opSub, "Sub", z, x, y); return z }

// Mul sets z to the elementwise product x·y with broadcasting and returns z;
// shapes and aliasing are as for Add.
func (z *Tensor) Mul(x, y *Tensor) *Tensor { broadcastBinary(opMul, "Mul", z, x, y); return z }

// Div sets z to the elementwise quotient x / y with broadcasting and returns
// z; shapes and aliasing are as for Add. Division by zero follows IEEE 754.
func (z *Tensor) Div(x, y *Tensor) *Tensor { broadcastBinary(opDiv, "Div", z, x, y); return z }

// Add returns x + y in a new tensor of the broadcast shape of x and y.
func Add(x, y *Tensor) *Tensor { return newBroadcast("Add", x, y).Add(x, y) }

// Sub returns x − y in a new tensor of the broadcast shape of x and y.
func Sub(x, y *Tensor) *Tensor { return newBroadcast("Sub", x, y).Sub(x, y) }

// Mul returns the elementwise product x·y in a new tensor of the broadcast
// shape of x and y.
func Mul(x, y *Tensor) *Tensor { return newBroadcast("Mul", x, y).Mul(x, y) }

// Div returns the elementwise quotient x / y in a new tensor of the broadcast
// shape of x and y.
func Div(x, y *Tensor) *Tensor { return newBroadcast("Div", x, y).Div(x, y) }

// Scale sets z to s·x and returns z. z must have x's shape and may be x.
func (z *Tensor) Scale(x *Tensor, s float32) *Tensor {
	zd, xd := unaryData("Scale", z, x)
	binVS(opMul, zd, xd, s)
	return z
}

// Scale returns s·x in a new tensor of x's shape.
func Scale(x *Tensor, s float32) *Tensor { return New(x.shape...).Scale(x, s) }

// AddScalar sets z to x + s and returns z. z must have x's shape and may be x.
func (z *Tensor) AddScalar(x *Tensor, s float32) *Tensor {
	zd, xd := unaryData("AddScalar", z, x)
	binVS(opAdd, zd, xd, s)
	return z
}

// AddScalar returns x + s in a new tensor of x's shape.
func AddScalar(x *Tensor, s float32) *Tensor { return New(x.shape...).AddScalar(x, s) }

// AddScaled adds alpha·x to z in place (the BLAS axpy, z += alpha·x) and
// returns z. x must have z's shape; it may be z itself.
func (z *Tensor) AddScaled(x *Tensor, alpha float32) *Tensor {
	zd, xd := unaryData("AddScaled", z, x)
	vecAxpy(zd, xd, alpha)
	return z
}

// unaryData checks that z and x have the same shape and returns their data
// with equal lengths, so loops over xd index zd without bounds checks.
func unaryData(op string, z, x *Tensor) (zd, xd []float32) {
	mustSameShape(op, z, x)
	return z.data[:len(x.data)], x.data
}

// Neg sets z to −x and returns z. z must have x's shape and may be x.
func (z *Tensor) Neg(x *Tensor) *Tensor {
	zd, xd := unaryData("Neg", z, x)
	for i, v := range xd {
		zd[i] = -v
	}
	return z
}

// Neg returns −x in a new tensor of x's shape.
func Neg(x *Tensor) *Tensor { return New(x.shape...).Neg(x) }

// Exp sets z to eˣ elementwise and returns z. z must have x's shape and may
// be x. It runs a float32 vector kernel (AVX2 where available) whose
// relative error is below 1.5e-7; results beyond the float32 range are +Inf
// and 0.
func (z *Tensor) Exp(x *Tensor) *Tensor {
	zd, xd := unaryData("Exp", z, x)
	vecExp(zd, xd)
	return z
}

// Exp returns eˣ elementwise in a new tensor of x's shape.
func Exp(x *Tensor) *Tensor { return New(x.shape...).Exp(x) }

// Log sets z to the natural logarithm of x elementwise and returns z (−Inf
// at 0, NaN below 0). z must have x's shape and may be x.
func (z *Tensor) Log(x *Tensor) *Tensor {
	zd, xd := unaryData("Log", z, x)
	for i, v := range xd {
		zd[i] = float32(math.Log(float64(v)))
	}
	return z
}

// Log returns the natural logarithm of x elementwise in a new tensor of x's
// shape.
func Log(x *Tensor) *Tensor { return New(x.shape...).Log(x) }

// Sqrt sets z to √x elementwise and returns z (NaN below 0). z must have x's
// shape and may be x. The result is correctly rounded.
func (z *Tensor) Sqrt(x *Tensor) *Tensor {
	zd, xd := unaryData("Sqrt", z, x)
	for i, v := range xd {
		zd[i] = float32(math.Sqrt(float64(v)))
	}
	return z
}

// Sqrt returns √x elementwise in a new tensor of x's shape.
func Sqrt(x *Tensor) *Tensor { return New(x.shape...).Sqrt(x) }

// Tanh sets z to tanh(x) elementwise and returns z, with a relative error
// below 2e-7. z must have x's shape and may be x.
func (z *Tensor) Tanh(x *Tensor) *Tensor {
	zd, xd := unaryData("Tanh", z, x)
	vecTanh(zd, xd)
	return z
}

// Tanh returns tanh(x) elementwise in a new tensor of x's shape.
func Tanh(x *Tensor) *Tensor { return New(x.shape...).Tanh(x) }

// Sigmoid sets z to 1/(1+e⁻ˣ) elementwise and returns z. It is stable for
// large |x| (0 and 1 at the extremes, never NaN for finite x: for x < 0 it
// computes eˣ/(1+eˣ)), with a relative error below 2.5e-7. z must have x's
// shape and may be x.
func (z *Tensor) Sigmoid(x *Tensor) *Tensor {
	zd, xd := unaryData("Sigmoid", z, x)
	vecSigmoid(zd, xd)
	return z
}

// Sigmoid returns 1/(1+e⁻ˣ) elementwise in a new tensor of x's shape.
func Sigmoid(x *Tensor) *Tensor { return New(x.shape...).Sigmoid(x) }

// Relu sets z to max(x, 0) elementwise and returns z; NaN stays NaN. z must
// have x's shape and may be x.
func (z *Tensor) Relu(x *Tensor) *Tensor {
	zd, xd := unaryData("Relu", z, x)
	for i, v := range xd {
		if v < 0 {
			v = 0
		}
		zd[i] = v
	}
	return z
}

// Relu returns max(x, 0) elementwise in a new tensor of x's shape.
func Relu(x *Tensor) *Tensor { return New(x.shape...).Relu(x) }

// Silu sets z to x·sigmoid(x) (also called swish) elementwise and returns z,
// with a relative error below 3e-7. z must have x's shape and may be x.
func (z *Tensor) Silu(x *Tensor) *Tensor {
	zd, xd := unaryData("Silu", z, x)
	vecSilu(zd, xd)
	return z
}

// Silu returns x·sigmoid(x) elementwise in a new tensor of x's shape.
func Silu(x *Tensor) *Tensor { return New(x.shape...).Silu(x) }

// GeluErf sets z to the exact GELU, 0.5·x·(1 + erf(x/√2)), elementwise and
// returns z; this is PyTorch's nn.GELU() and GPT-2's activation here. It is
// computed as 0.5·x·erfc(−x/√2) with a float32 erfc that keeps its relative
// accuracy in the lower tail; the relative error is below 6e-7 for every x.
// z must have x's shape and may be x.
func (z *Tensor) GeluErf(x *Tensor) *Tensor {
	zd, xd := unaryData("GeluErf", z, x)
	vecGeluErf(zd, xd)
	return z
}

// GeluErf returns the exact GELU of x elementwise in a new tensor of x's
// shape.
func GeluErf(x *Tensor) *Tensor { return New(x.shape...).GeluErf(x) }

// GeluTanh sets z to the tanh approximation of GELU,
// 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), elementwise and returns z; this
// is PyTorch's nn.GELU(approximate="tanh"). It uses the identity
// 0.5·(1 + tanh(u)) = sigmoid(2u), which avoids cancellation for negative x,
// and carries 2u in two float32 parts so the tail keeps a relative error
// below 3e-7. z must have x's shape and may be x.
func (z *Tensor) GeluTanh(x *Tensor) *Tensor {
	zd, xd := unaryData("GeluTanh", z, x)
	vecGeluTanh(zd, xd)
	return z
}

// GeluTanh returns the tanh approximation of GELU of x elementwise in a new
// tensor of x's shape.
func GeluTanh(x *Tensor) *Tensor { return New(x.shape...).GeluTanh(x) }
