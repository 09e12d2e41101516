package tensor

import "fmt"

// Reductions view x as [outer, n, inner] around the reduced axis of size n.
// Sums accumulate in float64 and round once, so long axes (B·T rows of a
// gradient, a vocabulary of 50k) lose no more than one float32 rounding.

// SplitAxis returns the sizes before, at and after axis ax of shape: the
// [outer, n, inner] view that reductions, concatenation and their gradients
// take of a tensor around one axis.
func SplitAxis(shape []int, ax int) (outer, n, inner int) {
	outer, inner = 1, 1
	for _, d := range shape[:ax] {
		outer *= d
	}
	for _, d := range shape[ax+1:] {
		inner *= d
	}
	return outer, shape[ax], inner
}

// reducedShape returns x's shape with axis ax removed, or set to 1 when
// keepdim is true.
func reducedShape(shape []int, ax int, keepdim bool) []int {
	out := make([]int, 0, len(shape))
	out = append(out, shape[:ax]...)
	if keepdim {
		out = append(out, 1)
	}
	return append(out, shape[ax+1:]...)
}

// mustReduced resolves axis against x and panics unless z has the shape of
// x reduced over it. It returns the resolved axis.
func mustReduced(op string, z, x *Tensor, axis int, keepdim bool) int {
	ax := x.axis(op, axis)
	ok := len(z.shape) == len(x.shape)-1
	if keepdim {
		ok = len(z.shape) == len(x.shape)
	}
	for i, j := 0, 0; ok && i < len(x.shape); i++ {
		switch {
		case i != ax:
			ok = z.shape[j] == x.shape[i]
			j++
		case keepdim:
			ok = z.shape[j] == 1
			j++
		}
	}
	if !ok {
		panic(&ShapeError{Op: op, Msg: fmt.Sprintf("result has shape %v; reducing %v over axis %d (keepdim %v) gives %v",
			z.shape, x.shape, axis, keepdim, reducedShape(x.shape, ax, keepdim))})
	}
	return ax
}

// sum64 returns the sum of x in float64, with four accumulators so the adds
// pipeline.
func sum64(x []float32) float64 {
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(x); i += 4 {
		s0 += float64(x[i])
		s1 += float64(x[i+1])
		s2 += float64(x[i+2])
		s3 += float64(x[i+3])
	}
	for ; i < len(x); i++ {
		s0 += float64(x[i])
	}
	return (s0 + s1) + (s2 + s3)
}

// reduceBlock is how many columns a strided sum or max handles at once in a
// stack buffer: each row contributes one contiguous run of this length.
const reduceBlock = 256

// sumKernel sets z[o, j] to scale·Σₖ x[o, k, j] for x [outer, n, inner] and z
// [outer, inner], or adds it to z when acc is true.
func sumKernel(z, x []float32, outer, n, inner int, scale float64, acc bool) {
	if inner == 1 {
		for o := range outer {
			s := float32(scale * sum64(x[o*n:o*n+n]))
			if acc {
				s += z[o]
			}
			z[o] = s
		}
		return
	}
	var buf [reduceBlock]float64
	for o := range outer {
		xo, zo := x[o*n*inner:(o+1)*n*inner], z[o*inner:(o+1)*inner]
		for j0 := 0; j0 < inner; j0 += reduceBlock {
			a := buf[:min(reduceBlock, inner-j0)]
			clear(a)
			if n > 0 {
				colSum(a, xo[j0:], n, inner) // rows four at a time, in float64
			}
			zb := zo[j0 : j0+len(a)]
			for j, s := range a {
				v := float32(scale * s)
				if acc {
					v += zb[j]
				}
				zb[j] = v
			}
		}
	}
}

// Sum sets z to the sum of x over axis and returns z. For x of shape
// [d0, …, dk] and axis a (negative counts from the end), z is x's shape with
// da removed, or set to 1 when keepdim is true: Sum over axis −1 of [B, T, C]
// gives [B, T] or [B, T, 1]. z must not share memory with x. Sum panics with
// a *ShapeError if z has the wrong shape and an *IndexError if axis is out
// of range.
func (z *Tensor) Sum(x *Tensor, axis int, keepdim bool) *Tensor {
	ax := mustReduced("Sum", z, x, axis, keepdim)
	outer, n, inner := SplitAxis(x.shape, ax)
	sumKernel(z.data, x.data, outer, n, inner, 1, false)
	return z
}

// Sum returns the sum of x over axis in a new tensor; shapes are as for the
// method form.
func Sum(x *Tensor, axis int, keepdim bool) *Tensor {
	return New(reducedShape(x.shape, x.axis("Sum", axis), keepdim)...).Sum(x, axis, keepdim)
}

// Mean sets z to the mean of x over axis and returns z; shapes and panics
// are as for Sum. The mean over an empty axis is NaN.
func (z *Tensor) Mean(x *Tensor, axis int, keepdim bool) *Tensor {
	ax := mustReduced("Mean", z, x, axis, keepdim)
	outer, n, inner := SplitAxis(x.shape, ax)
	sumKernel(z.data, x.data, outer, n, inner, 1/float64(n), false)
	return z
}

// Mean returns the mean of x over axis in a new tensor; shapes are as for
// Sum.
func Mean(x *Tensor, axis int, keepdim bool) *Tensor {
	return New(reducedShape(x.shape, x.axis("Mean", axis), keepdim)...).Mean(x, axis, keepdim)
}

// maxGreater reports whether v replaces m as a running maximum: v is larger,
// or v is the first NaN (a NaN anywhere makes the maximum NaN, as in
// PyTorch, and Argmax reports the first one).
func maxGreater(v, m float32) bool { return v > m || (v != v && m == m) }

// mustNonEmptyAxis panics if a max over an axis of size n has no elements to
// choose from.
func mustNonEmptyAxis(op string, x *Tensor, axis, n int) {
	if n == 0 {
		panic(&ShapeError{Op: op, Msg: fmt.Sprintf("axis %d of %v is empty", axis, x.shape)})
	}
}

// Max sets z to the largest value of x over axis and returns z; shapes are
// as for Sum. A NaN in a slice makes its maximum NaN. z must not share
// memory with x. Max panics with a *ShapeError if the axis is empty.
func (z *Tensor) Max(x *Tensor, axis int, keepdim bool) *Tensor {
	ax := mustReduced("Max", z, x, axis, keepdim)
	outer, n, inner := SplitAxis(x.shape, ax)
	mustNonEmptyAxis("Max", x, axis, n)
	for o := range outer {
		xo, zo := x.data[o*n*inner:(o+1)*n*inner], z.data[o*inner:(o+1)*inner]
		if inner == 1 {
			zo[0] = maxOf(xo)
			continue
		}
		copy(zo, xo[:inner])
		for k := 1; k < n; k++ {
			row := xo[k*inner : (k+1)*inner]
			for j, v := range row {
				if maxGreater(v, zo[j]) {
					zo[j] = v
				}
			}
		}
	}
	return z
}

// Max returns the largest value of x over axis in a new tensor; shapes are
// as for Sum.
func Max(x *Tensor, axis int, keepdim bool) *Tensor {
	return New(reducedShape(x.shape, x.axis("Max", axis), keepdim)...).Max(x, axis, keepdim)
}

// maxOf returns the largest value of a non-empty x, NaN if x holds one.
func maxOf(x []float32) float32 {
	m := x[0]
	for _, v := range x[1:] {
		if maxGreater(v, m) {
			m = v
		}
	}
	return m
}

// argmaxOf returns the index of the first largest value of a non-empty x,
// or of its first NaN.
func argmaxOf(x []float32) int {
	m, at := x[0], 0
	for i, v := range x {
		if maxGreater(v, m) {
			m, at = v, i
		}
	}
	return at
}

// AppendArgmax appends to dst the index along axis of the largest value of
// each slice of x through that axis, and returns the extended slice. For x of
// shape [d0, …, dk] and axis a, it appends one index in [0, da) per element of
// x's shape with da removed, in row-major order: for logits [B, T, V] and
// axis −1 it appends B·T token ids, row b·T+t for position (b, t). Ties go to
// the first index; a NaN counts as the largest value. When dst has room it
// allocates nothing. AppendArgmax panics with a *ShapeError if the axis is
// empty and an *IndexError if it is out of range.
func AppendArgmax(dst []int, x *Tensor, axis int) []int {
	ax := x.axis("Argmax", axis)
	outer, n, inner := SplitAxis(x.shape, ax)
	mustNonEmptyAxis("Argmax", x, axis, n)
	if inner == 1 {
		for o := range outer {
			dst = append(dst, argmaxOf(x.data[o*n:o*n+n]))
		}
		return dst
	}
	var mb [reduceBlock]float32
	for o := range outer {
		xo := x.data[o*n*inner : (o+1)*n*inner]
		for j0 := 0; j0 < inner; j0 += reduceBlock {
			w := min(reduceBlock, inner-j0)
			m := mb[:w]
			copy(m, xo[j0:j0+w])
			start := len(dst)
			for range w {
				dst = append(dst, 0)
			}
			at := dst[start : start+w]
			for k := 1; k < n; k++ {
				row := xo[k*inner+j0 : k*inner+j0+w]
				for j, v := range row {
					if maxGreater(v, m[j]) {
						m[j], at[j] = v, k
					}
				}
			}
		}
	}
	return dst
}

// Argmax returns, in a new slice, the index along axis of the largest value
// of each slice of x through that axis; see AppendArgmax for the layout.
func Argmax(x *Tensor, axis int) []int {
	ax := x.axis("Argmax", axis)
	outer, _, inner := SplitAxis(x.shape, ax)
	return AppendArgmax(make([]int, 0, outer*inner), x, axis)
}

// SumAll returns the sum of every element of x, accumulated in float64; 0
// for an empty tensor.
func SumAll(x *Tensor) float32 { return float32(sum64(x.data)) }

// MeanAll returns the mean of every element of x, accumulated in float64;
// NaN for an empty tensor.
func MeanAll(x *Tensor) float32 { return float32(sum64(x.data) / float64(len(x.data))) }

// MaxAll returns the largest element of x, NaN if x holds a NaN. It panics
// with a *ShapeError if x is empty.
func MaxAll(x *Tensor) float32 {
	if len(x.data) == 0 {
		panic(&ShapeError{Op: "MaxAll", Msg: fmt.Sprintf("tensor of shape %v is empty", x.shape)})
	}
	return maxOf(x.data)
}

// SumTo sets z to x summed over the dimensions along which z's shape
// broadcasts to x's, and returns z: the adjoint of broadcasting, which turns
// the gradient of a broadcast result back into the gradient of the smaller
// operand. z's shape must broadcast to exactly x's shape (BroadcastShape of
// the two is x's shape); for x [B, T, C], z may be [C], [1, 1, C], [T, 1] or
// [] and so on. Sums accumulate in float64, except that where x has more than
// one separate run of summed dimensions (say [N, C, M] to [C, 1]) all but the
// innermost run accumulate in z's float32. z must not share memory with x.
func (z *Tensor) SumTo(x *Tensor) *Tensor {
	if !broadcastsTo(z.shape, x.shape) {
		panic(&ShapeError{Op: "SumTo", Msg: fmt.Sprintf("shape %v does not broadcast to %v", z.shape, x.shape)})
	}
	var sb, xb, zb [planDims]int
	shape, xs, zs := broadcastPlan("SumTo", x.shape, x.shape, z.shape, sb[:0], xb[:0], zb[:0])
	if len(x.data) == 0 {
		clear(z.data)
		return z
	}
	sumToRec(z.data, x.data, shape, xs, zs, false)
	return z
}

// AddSumTo adds x summed down to z's shape into z and returns z: the
// accumulating form of SumTo, for gradients that add up.
func (z *Tensor) AddSumTo(x *Tensor) *Tensor {
	if !broadcastsTo(z.shape, x.shape) {
		panic(&ShapeError{Op: "AddSumTo", Msg: fmt.Sprintf("shape %v does not broadcast to %v", z.shape, x.shape)})
	}
	if len(x.data) == 0 {
		return z
	}
	var sb, xb, zb [planDims]int
	shape, xs, zs := broadcastPlan("AddSumTo", x.shape, x.shape, z.shape, sb[:0], xb[:0], zb[:0])
	sumToRec(z.data, x.data, shape, xs, zs, true)
	return z
}

// SumTo returns x summed down to the given shape, which must broadcast to
// x's shape; see the method form.
func SumTo(x *Tensor, shape ...int) *Tensor { return New(shape...).SumTo(x) }

// sumToRec reduces x into z along a collapsed broadcast plan in which every
// dimension is either kept (z's stride is not 0) or summed (z's stride is 0);
// collapsing makes the two kinds alternate. The patterns [kept? summed kept?]
// go straight to sumKernel; longer ones peel off their outermost dimension.
func sumToRec(z, x []float32, shape, xs, zs []int, acc bool) {
	kept := func(k int) bool { return zs[k] != 0 }
	switch {
	case len(shape) == 0:
		sumKernel(z, x, 1, 1, 1, 1, acc)
		return
	case len(shape) == 1 && kept(0):
		sumKernel(z, x, shape[0], 1, 1, 1, acc)
		return
	case len(shape) == 1:
		sumKernel(z, x, 1, shape[0], 1, 1, acc)
		return
	case len(shape) == 2 && kept(0):
		sumKernel(z, x, shape[0], shape[1], 1, 1, acc)
		return
	case len(shape) == 2:
		sumKernel(z, x, 1, shape[0], shape[1], 1, acc)
		return
	case len(shape) == 3 && kept(0):
		sumKernel(z, x, shape[0], shape[1], shape[2], 1, acc)
		return
	}
	for i := range shape[0] {
		if kept(0) {
			sumToRec(z[i*zs[0]:], x[i*xs[0]:], shape[1:], xs[1:], zs[1:], acc)
		} else {
			sumToRec(z, x[i*xs[0]:], shape[1:], xs[1:], zs[1:], acc || i > 0)
		}
	}
}

// broadcastsTo reports whether shape s broadcasts to exactly shape t.
func broadcastsTo(s, t []int) bool {
	if len(s) > len(t) {
		return false
	}
	for i := 1; i <= len(s); i++ {
		if d := s[len(s)-i]; d != 1 && d != t[len(t)-i] {
			return false
		}
	}
	return true
}
