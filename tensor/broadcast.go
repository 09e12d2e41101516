package tensor

import "fmt"

// BroadcastShape returns the shape that tensors of shapes a and b broadcast
// to under NumPy's rules: the shapes are aligned at their last dimension, a
// missing leading dimension counts as 1, and each pair of sizes must be equal
// or one of them 1. The result has rank max(len(a), len(b)); for example
// [4, 1, 3] and [2, 1] give [4, 2, 3]. If the shapes do not broadcast it
// returns nil and a *ShapeError.
func BroadcastShape(a, b []int) ([]int, error) {
	n := max(len(a), len(b))
	out := make([]int, n)
	for i := 1; i <= n; i++ {
		da, db := dimFromEnd(a, i), dimFromEnd(b, i)
		d, ok := broadcastDim(da, db)
		if !ok {
			return nil, &ShapeError{Op: "BroadcastShape", Msg: fmt.Sprintf("shapes %v and %v do not broadcast", a, b)}
		}
		out[n-i] = d
	}
	return out, nil
}

// dimFromEnd returns the i-th dimension of shape counted from the end
// (i = 1 is the last), or 1 when shape has fewer than i dimensions.
func dimFromEnd(shape []int, i int) int {
	if i > len(shape) {
		return 1
	}
	return shape[len(shape)-i]
}

// broadcastDim returns the broadcast of two dimension sizes.
func broadcastDim(a, b int) (int, bool) {
	switch {
	case a == b || b == 1:
		return a, true
	case a == 1:
		return b, true
	}
	return 0, false
}

// broadcastPlan checks that out is the broadcast shape of x and y and appends
// to shape, xs and ys a collapsed description of the loop that computes it:
// the output shape with size-1 dimensions dropped and adjacent dimensions
// merged wherever both operands stay contiguous across them, and the strides
// of x and y along each remaining dimension (0 where that operand is
// broadcast). Dimensions are outermost first. The merged shape is what lets
// the common cases run without per-element index math: same shapes collapse
// to one flat dimension, [B, T, C] + [C] to rows [B·T, C] with y's row stride
// 0, and a scalar operand to a single dimension of stride 0.
//
// The slices are appended to (as in strconv.AppendInt) so that callers can
// pass stack-backed buffers and allocate nothing for ranks up to their size.
func broadcastPlan(op string, out, x, y []int, shape, xs, ys []int) ([]int, []int, []int) {
	if len(out) != max(len(x), len(y)) {
		panic(broadcastError(op, out, x, y))
	}
	sx, sy := 1, 1 // running contiguous strides of x and y
	for i := 1; i <= len(out); i++ {
		d, dx, dy := out[len(out)-i], dimFromEnd(x, i), dimFromEnd(y, i)
		if bd, ok := broadcastDim(dx, dy); !ok || bd != d {
			panic(broadcastError(op, out, x, y))
		}
		stx, sty := 0, 0
		if dx != 1 {
			stx = sx
		}
		if dy != 1 {
			sty = sy
		}
		sx *= dx
		sy *= dy
		if d == 1 {
			continue
		}
		if k := len(shape) - 1; k >= 0 && xs[k]*shape[k] == stx && ys[k]*shape[k] == sty {
			shape[k] *= d
			continue
		}
		shape, xs, ys = append(shape, d), append(xs, stx), append(ys, sty)
	}
	reverseInts(shape)
	reverseInts(xs)
	reverseInts(ys)
	return shape, xs, ys
}

func broadcastError(op string, out, x, y []int) *ShapeError {
	if b, err := BroadcastShape(x, y); err == nil {
		return &ShapeError{Op: op, Msg: fmt.Sprintf("result has shape %v; shapes %v and %v broadcast to %v", out, x, y, b)}
	}
	return &ShapeError{Op: op, Msg: fmt.Sprintf("shapes %v and %v do not broadcast", x, y)}
}

func reverseInts(s []int) {
	for i, j := 0, len(s)-1; i < j; i, j = i+1, j-1 {
		s[i], s[j] = s[j], s[i]
	}
}

// planDims is the rank up to which broadcast and permute plans live on the
// stack; larger ranks work but allocate.
const planDims = 8

// broadcastBinary computes z = x op y with broadcasting. z must have the
// broadcast shape of x and y; it may alias x or y only when it has the same
// shape as that operand.
func broadcastBinary(op binOp, name string, z, x, y *Tensor) {
	var sb, xb, yb [planDims]int
	shape, xs, ys := broadcastPlan(name, z.shape, x.shape, y.shape, sb[:0], xb[:0], yb[:0])
	if len(z.data) == 0 {
		return
	}
	if len(shape) == 0 { // every dimension is 1
		binVV(op, z.data[:1], x.data[:1], y.data[:1])
		return
	}
	last := len(shape) - 1
	n, xin, yin := shape[last], xs[last], ys[last]
	rows := len(z.data) / n
	if rows == 1 { // one run: the same-shape and scalar cases
		op.run(z.data, x.data, y.data, xin, yin)
		return
	}
	var ib [planDims]int
	it := newOdometer(shape[:last], xs[:last], ys[:last], ib[:])
	for r := range rows {
		op.run(z.data[r*n:r*n+n], x.data[it.a:], y.data[it.b:], xin, yin)
		it.next()
	}
}

// odometer walks a multi-index over shape in row-major order, keeping the
// offsets a and b of the current index in two tensors with strides sa and
// sb.
type odometer struct {
	shape, sa, sb, idx []int
	a, b               int
}

// newOdometer returns an odometer at index zero. It keeps the index in buf
// when buf is long enough, so callers can pass a stack array.
func newOdometer(shape, sa, sb, buf []int) odometer {
	if len(shape) > len(buf) {
		buf = make([]int, len(shape))
	}
	idx := buf[:len(shape)]
	clear(idx)
	return odometer{shape: shape, sa: sa, sb: sb, idx: idx}
}

// next advances to the following index; past the end it wraps to zero.
func (o *odometer) next() {
	for k := len(o.shape) - 1; k >= 0; k-- {
		o.idx[k]++
		o.a += o.sa[k]
		o.b += o.sb[k]
		if o.idx[k] < o.shape[k] {
			return
		}
		o.a -= o.sa[k] * o.shape[k]
		o.b -= o.sb[k] * o.shape[k]
		o.idx[k] = 0
	}
}
