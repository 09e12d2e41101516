//go:build !purego

package kernel

import "math"

// The AVX2 vector kernels keep the contracts of their Generic twins (see
// vec.go) and must only be called when HasAVX2 is true. The assembly runs 8
// lanes at a time; the last len(src)%8 elements go through it on a padded
// copy, so every element gets the same algorithm wherever it sits.

// vecOp names an assembly loop, so that one wrapper can run them all without
// taking a function value (which would make the padded copy escape).
type vecOp uint8

const (
	vecExp vecOp = iota
	vecTanh
	vecSigmoid
	vecSilu
	vecSiluGrad
	vecGeluErf
	vecGeluErfGrad
	vecGeluTanh
	vecGeluTanhGrad
)

func (op vecOp) run(dst, src *float32, n int) {
	switch op {
	case vecExp:
		expAVX2(dst, src, n)
	case vecTanh:
		tanhAVX2(dst, src, n)
	case vecSigmoid:
		sigmoidAVX2(dst, src, n)
	case vecSilu:
		siluAVX2(dst, src, n)
	case vecSiluGrad:
		siluGradAVX2(dst, src, n)
	case vecGeluErf:
		geluErfAVX2(dst, src, n)
	case vecGeluErfGrad:
		geluErfGradAVX2(dst, src, n)
	case vecGeluTanh:
		geluTanhAVX2(dst, src, n)
	case vecGeluTanhGrad:
		geluTanhGradAVX2(dst, src, n)
	}
}

// unary applies op to src, writing dst.
func (op vecOp) unary(dst, src []float32) {
	n := len(src)
	if len(dst) < n {
		panic("kernel: vector op: dst shorter than src")
	}
	if m := n &^ 7; m > 0 {
		op.run(&dst[0], &src[0], m)
	}
	if r := n & 7; r > 0 {
		var buf [8]float32
		copy(buf[:], src[n-r:])
		op.run(&buf[0], &buf[0], 8)
		copy(dst[n-r:n], buf[:r])
	}
}

// ExpAVX2 is ExpGeneric in AVX2+FMA assembly.
func ExpAVX2(dst, src []float32) { vecExp.unary(dst, src) }

// TanhAVX2 is TanhGeneric in AVX2+FMA assembly.
func TanhAVX2(dst, src []float32) { vecTanh.unary(dst, src) }

// SigmoidAVX2 is SigmoidGeneric in AVX2+FMA assembly.
func SigmoidAVX2(dst, src []float32) { vecSigmoid.unary(dst, src) }

// SiluAVX2 is SiluGeneric in AVX2+FMA assembly.
func SiluAVX2(dst, src []float32) { vecSilu.unary(dst, src) }

// SiluGradAVX2 is SiluGradGeneric in AVX2+FMA assembly.
func SiluGradAVX2(dst, src []float32) { vecSiluGrad.unary(dst, src) }

// GeluErfAVX2 is GeluErfGeneric in AVX2+FMA assembly.
func GeluErfAVX2(dst, src []float32) { vecGeluErf.unary(dst, src) }

// GeluErfGradAVX2 is GeluErfGradGeneric in AVX2+FMA assembly.
func GeluErfGradAVX2(dst, src []float32) { vecGeluErfGrad.unary(dst, src) }

// GeluErfAndGradAVX2 is GeluErfAndGradGeneric in AVX2+FMA assembly: the
// instructions of GeluErfAVX2 and GeluErfGradAVX2 with Φ(x) computed once.
func GeluErfAndGradAVX2(y, d, src []float32) {
	n := len(src)
	if len(y) < n || len(d) < n {
		panic("kernel: GeluErfAndGradAVX2: y or d shorter than src")
	}
	if m := n &^ 7; m > 0 {
		geluErfAndGradAVX2(&y[0], &d[0], &src[0], m)
	}
	if r := n & 7; r > 0 {
		var buf, dbuf [8]float32
		copy(buf[:], src[n-r:])
		geluErfAndGradAVX2(&buf[0], &dbuf[0], &buf[0], 8)
		copy(y[n-r:n], buf[:r])
		copy(d[n-r:n], dbuf[:r])
	}
}

// GeluTanhAVX2 is GeluTanhGeneric in AVX2+FMA assembly.
func GeluTanhAVX2(dst, src []float32) { vecGeluTanh.unary(dst, src) }

// GeluTanhGradAVX2 is GeluTanhGradGeneric in AVX2+FMA assembly.
func GeluTanhGradAVX2(dst, src []float32) { vecGeluTanhGrad.unary(dst, src) }

// ExpShiftSumAVX2 is ExpShiftSumGeneric in AVX2+FMA assembly; the sum is
// accumulated in float64 in a different order.
func ExpShiftSumAVX2(dst, src []float32, shift float32) float64 {
	n := len(src)
	if len(dst) < n {
		panic("kernel: ExpShiftSumAVX2: dst shorter than src")
	}
	var s float64
	if m := n &^ 7; m > 0 {
		s = expShiftSumAVX2(&dst[0], &src[0], m, shift)
	}
	if r := n & 7; r > 0 {
		var buf [8]float32
		copy(buf[:], src[n-r:])
		expShiftSumAVX2(&buf[0], &buf[0], 8, shift)
		for _, e := range buf[:r] {
			s += float64(e)
		}
		copy(dst[n-r:n], buf[:r])
	}
	return s
}

// MaxAVX2 is MaxGeneric in AVX2 assembly.
func MaxAVX2(x []float32) float32 {
	n := len(x)
	m := float32(math.Inf(-1))
	if k := n &^ 7; k > 0 {
		m = maxAVX2(&x[0], k)
		if m != m {
			return m
		}
	}
	return max(m, MaxGeneric(x[n&^7:]))
}

// The loops in vec_amd64.s; n is a positive multiple of 8.

//go:noescape
func maxAVX2(x *float32, n int) float32

//go:noescape
func expAVX2(dst, src *float32, n int)

//go:noescape
func expShiftSumAVX2(dst, src *float32, n int, shift float32) float64

//go:noescape
func tanhAVX2(dst, src *float32, n int)

//go:noescape
func sigmoidAVX2(dst, src *float32, n int)

//go:noescape
func siluAVX2(dst, src *float32, n int)

//go:noescape
func siluGradAVX2(dst, src *float32, n int)

//go:noescape
func geluErfAVX2(dst, src *float32, n int)

//go:noescape
func geluErfGradAVX2(dst, src *float32, n int)

//go:noescape
func geluErfAndGradAVX2(y, d, src *float32, n int)

//go:noescape
func geluTanhAVX2(dst, src *float32, n int)

//go:noescape
func geluTanhGradAVX2(dst, src *float32, n int)
