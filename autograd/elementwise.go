package autograd

import "github.com/tapegrad/tapegrad/tensor"

// Add returns a + b with NumPy broadcasting; the result has the broadcast
// shape. The gradient of each input is the result's gradient summed back to
// the input's shape.
func (tp *Tape) Add(a, b *Value) *Value {
	out := tp.result(tp.alloc(broadcastShape(a, b)...).Add(a.Data, b.Data), tp.needsGrad(a, b))
	if !out.requiresGrad {
		return out
	}
	tp.record("add", out, func(g *tensor.Tensor) {
		if a.requiresGrad {
			tp.addGrad(a, g)
		}
		if b.requiresGrad {
			tp.addGrad(b, g)
		}
	})
	return out
}

// Sub returns a − b with broadcasting.
func (tp *Tape) Sub(a, b *Value) *Value {
	out := tp.result(tp.alloc(broadcastShape(a, b)...).Sub(a.Data, b.Data), tp.needsGrad(a, b))
	if !out.requiresGrad {
		return out
	}
	tp.record("sub", out, func(g *tensor.Tensor) {
		if a.requiresGrad {
			tp.addGrad(a, g)
		}
		if b.requiresGrad {
			neg := tp.pool.GetUninit(g.Shape()...).Neg(g)
			tp.addGrad(b, neg)
			tp.pool.Put(neg)
		}
	})
	return out
}

// Mul returns a·b elementwise with broadcasting.
func (tp *Tape) Mul(a, b *Value) *Value {
	out := tp.result(tp.alloc(broadcastShape(a, b)...).Mul(a.Data, b.Data), tp.needsGrad(a, b))
	if !out.requiresGrad {
		return out
	}
	tp.record("mul", out, func(g *tensor.Tensor) {
		tmp := tp.pool.GetUninit(g.Shape()...)
		if a.requiresGrad { // da = g·b
			tp.addGrad(a, tmp.Mul(g, b.Data))
		}
		if b.requiresGrad { // db = g·a
			tp.addGrad(b, tmp.Mul(g, a.Data))
		}
		tp.pool.Put(tmp)
	})
	return out
}

// Div returns a / b elementwise with broadcasting.
func (tp *Tape) Div(a, b *Value) *Value {
	out := tp.result(tp.alloc(broadcastShape(a, b)...).Div(a.Data, b.Data), tp.needsGrad(a, b))
	if !out.requiresGrad {
		return out
	}
	y := out.Data
	tp.record("div", out, func(g *tensor.Tensor) {
		tmp := tp.pool.GetUninit(g.Shape()...)
		tmp.Div(g, b.Data) // g / b
		if a.requiresGrad {
			tp.addGrad(a, tmp)
		}
		if b.requiresGrad { // db = −g·a/b² = −(g/b)·y
			tmp.Mul(tmp, y)
			tmp.Neg(tmp)
			tp.addGrad(b, tmp)
		}
		tp.pool.Put(tmp)
	})
	return out
}

// addGrad adds g, the gradient of a binary op's result, into the gradient
// of x, summing over the dimensions x was broadcast along.
func (tp *Tape) addGrad(x *Value, g *tensor.Tensor) {
	if x.Data.SameShape(g) {
		tp.accumulate(x, g)
		return
	}
	tp.gradOf(x).AddSumTo(g)
}

// broadcastShape returns the shape of a binary op's result, panicking with
// tensor's *ShapeError when the shapes do not broadcast.
func broadcastShape(a, b *Value) []int {
	s, err := tensor.BroadcastShape(a.Shape(), b.Shape())
	if err != nil {
		panic(err)
	}
	return s
}

// Scale returns s·x.
func (tp *Tape) Scale(x *Value, s float32) *Value {
	out := tp.result(tp.alloc(x.Shape()...).Scale(x.Data, s), tp.needsGrad(x))
	if out.requiresGrad {
		tp.record("scale", out, func(g *tensor.Tensor) { tp.gradOf(x).AddScaled(g, s) })
	}
	return out
}

// AddScalar returns x + s.
func (tp *Tape) AddScalar(x *Value, s float32) *Value {
	out := tp.result(tp.alloc(x.Shape()...).AddScalar(x.Data, s), tp.needsGrad(x))
	if out.requiresGrad {
		tp.record("add_scalar", out, func(g *tensor.Tensor) { tp.accumulate(x, g) })
	}
	return out
}

// Neg returns −x.
func (tp *Tape) Neg(x *Value) *Value { return tp.Scale(x, -1) }

// Exp returns eˣ elementwise; d/dx = y.
func (tp *Tape) Exp(x *Value) *Value {
	return tp.unaryT("exp", x, (*tensor.Tensor).Exp, func(dx, g, x, y []float32) {
		for i := range dx {
			dx[i] += g[i] * y[i]
		}
	})
}

// Log returns ln x elementwise; d/dx = 1/x.
func (tp *Tape) Log(x *Value) *Value {
	return tp.unaryT("log", x, (*tensor.Tensor).Log, func(dx, g, x, y []float32) {
		for i := range dx {
			dx[i] += g[i] / x[i]
		}
	})
}

// Tanh returns tanh x elementwise; d/dx = 1 − y².
func (tp *Tape) Tanh(x *Value) *Value {
	return tp.unaryT("tanh", x, (*tensor.Tensor).Tanh, func(dx, g, x, y []float32) {
		for i := range dx {
			dx[i] += g[i] * (1 - y[i]*y[i])
		}
	})
}

// Sigmoid returns 1/(1+e⁻ˣ) elementwise; d/dx = y(1 − y).
func (tp *Tape) Sigmoid(x *Value) *Value {
	return tp.unaryT("sigmoid", x, (*tensor.Tensor).Sigmoid, func(dx, g, x, y []float32) {
		for i := range dx {
			dx[i] += g[i] * y[i] * (1 - y[i])
		}
	})
}

// Relu returns max(x, 0) elementwise; d/dx = 1 where x > 0, else 0.
func (tp *Tape) Relu(x *Value) *Value {
	return tp.unaryT("relu", x, (*tensor.Tensor).Relu, func(dx, g, x, y []float32) {
		for i := range dx {
			if x[i] > 0 {
				dx[i] += g[i]
			}
		}
	})
}

// Silu returns x·σ(x) elementwise; d/dx = σ(x)(1 + x(1 − σ(x))).
func (tp *Tape) Silu(x *Value) *Value {
	return tp.unaryD("silu", x, (*tensor.Tensor).Silu, (*tensor.Tensor).SiluGrad)
}

// Gelu returns the exact GELU, x·Φ(x) with Φ the normal CDF;
// d/dx = Φ(x) + x·φ(x). When it records, the forward pass computes the
// derivative along with the value (they share Φ) and saves it, so that
// backward is one pass of dx += g·d.
func (tp *Tape) Gelu(x *Value) *Value {
	if !tp.needsGrad(x) {
		return tp.result(tp.alloc(x.Shape()...).GeluErf(x.Data), false)
	}
	d := tp.alloc(x.Shape()...)
	out := tp.result(tp.alloc(x.Shape()...).GeluErfAndGrad(d, x.Data), true)
	tp.record("gelu", out, func(g *tensor.Tensor) { tp.accumulateMul(x, g, d) })
	return out
}

// GeluTanh returns GELU's tanh approximation,
// 0.5·x·(1 + tanh(√(2/π)(x + 0.044715x³))).
func (tp *Tape) GeluTanh(x *Value) *Value {
	return tp.unaryD("gelu_tanh", x, (*tensor.Tensor).GeluTanh, (*tensor.Tensor).GeluTanhGrad)
}

// unaryD is unaryT for ops whose derivative f′(x) has a tensor kernel in
// destination form: backward adds g·f′(x) into dx.
func (tp *Tape) unaryD(name string, x *Value, forward, deriv func(z, x *tensor.Tensor) *tensor.Tensor) *Value {
	out := tp.result(forward(tp.alloc(x.Shape()...), x.Data), tp.needsGrad(x))
	if !out.requiresGrad {
		return out
	}
	tp.record(name, out, func(g *tensor.Tensor) {
		d := deriv(tp.pool.GetUninit(x.Shape()...), x.Data)
		tp.accumulateMul(x, g, d)
		tp.pool.Put(d)
	})
	return out
}

// unaryT runs an elementwise op that has a tensor kernel in destination
// form, and records its gradient rule: backward adds into dx the gradient
// given g, x and y.
func (tp *Tape) unaryT(name string, x *Value, forward func(z, x *tensor.Tensor) *tensor.Tensor, backward func(dx, g, x, y []float32)) *Value {
	out := tp.result(forward(tp.alloc(x.Shape()...), x.Data), tp.needsGrad(x))
	if !out.requiresGrad {
		return out
	}
	tp.record(name, out, func(g *tensor.Tensor) {
		backward(tp.gradOf(x).Data(), g.Data(), x.Data.Data(), out.Data.Data())
	})
	return out
}
