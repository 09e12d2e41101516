package tensor

import (
	"fmt"
	"slices"
)

// Permute sets z to x with its axes reordered and returns z: axis k of z is
// axis perm[k] of x (negative entries count from the end), so for x
// [B, T, H, D], perm (0, 2, 1, 3) gives z [B, H, T, D]. The data is copied
// (materialised); runs that stay contiguous are copied whole and true
// transposes go through cache-sized tiles. z must have the permuted shape
// and must not share memory with x. Permute panics with an *IndexError if
// perm is not a permutation of x's axes and a *ShapeError if z's shape is
// wrong.
func (z *Tensor) Permute(x *Tensor, perm ...int) *Tensor {
	var pb [planDims]int
	p := resolvePerm("Permute", x, perm, pb[:0])
	mustPermuted("Permute", z, x, p)
	permuteData(z.data, x.data, x.shape, p)
	return z
}

// Permute returns x with its axes reordered by perm in a new tensor; see the
// method form.
func Permute(x *Tensor, perm ...int) *Tensor {
	p := resolvePerm("Permute", x, perm, nil)
	return New(permutedShape(x.shape, p)...).Permute(x, p...)
}

// Transpose sets z to x with axes i and j swapped (negative axes count from
// the end) and returns z: for x [B, T, C], Transpose(x, -1, -2) gives z
// [B, C, T]. It is Permute with the identity permutation except at i and j;
// shapes, aliasing and panics are as for Permute.
func (z *Tensor) Transpose(x *Tensor, i, j int) *Tensor {
	var pb [planDims]int
	p := swapPerm("Transpose", x, i, j, pb[:0])
	mustPermuted("Transpose", z, x, p)
	permuteData(z.data, x.data, x.shape, p)
	return z
}

// Transpose returns x with axes i and j swapped in a new tensor: a 2-D [M, N]
// gives [N, M].
func Transpose(x *Tensor, i, j int) *Tensor {
	p := swapPerm("Transpose", x, i, j, nil)
	return New(permutedShape(x.shape, p)...).Transpose(x, i, j)
}

// Panic messages format slices.Clone(perm), not perm: perm may live in a
// caller's stack buffer, and handing it to fmt would move that to the heap.

// resolvePerm checks that perm is a permutation of x's axes and appends it,
// with negative axes resolved, to dst.
func resolvePerm(op string, x *Tensor, perm, dst []int) []int {
	if len(perm) != len(x.shape) {
		panic(&IndexError{Op: op, Msg: fmt.Sprintf("permutation %v for %d axes of %v", slices.Clone(perm), len(x.shape), x.shape)})
	}
	for k, a := range perm {
		a = x.axis(op, a)
		for _, b := range dst[len(dst)-k:] {
			if a == b {
				panic(&IndexError{Op: op, Msg: fmt.Sprintf("permutation %v repeats axis %d", slices.Clone(perm), a)})
			}
		}
		dst = append(dst, a)
	}
	return dst[len(dst)-len(perm):]
}

// swapPerm appends to dst the identity permutation of x's axes with i and j
// swapped.
func swapPerm(op string, x *Tensor, i, j int, dst []int) []int {
	i, j = x.axis(op, i), x.axis(op, j)
	for k := range x.shape {
		dst = append(dst, k)
	}
	dst[i], dst[j] = dst[j], dst[i]
	return dst
}

func permutedShape(shape, perm []int) []int {
	out := make([]int, len(perm))
	for k, p := range perm {
		out[k] = shape[p]
	}
	return out
}

func mustPermuted(op string, z, x *Tensor, perm []int) {
	ok := len(z.shape) == len(perm)
	for k := 0; ok && k < len(perm); k++ {
		ok = z.shape[k] == x.shape[perm[k]]
	}
	if !ok {
		panic(&ShapeError{Op: op, Msg: fmt.Sprintf("result has shape %v; permuting %v by %v gives %v",
			z.shape, x.shape, slices.Clone(perm), permutedShape(x.shape, perm))})
	}
}

// permuteData writes into z the permutation perm of x, which has the given
// shape. It first drops size-1 axes and merges the axes that stay adjacent
// and in order (so [B, T, H, D] to [B, H, T, D] keeps four axes but [M, N, K]
// to [K, M, N] becomes the 2-D transpose [M·N, K] to [K, M·N]). If the
// innermost output axis is also innermost in x it copies contiguous runs;
// otherwise it transposes 2-D tiles between the output's innermost axis and
// the axis that is innermost in x, for every index of the remaining axes.
func permuteData(z, x []float32, shape, perm []int) {
	if len(x) == 0 {
		return
	}
	// rank[p] is the position of x's axis p among the axes of size > 1.
	var rb, gqb, gsb, isb, osb [planDims]int
	rank, kept := rb[:0], 0
	for _, d := range shape {
		rank = append(rank, kept)
		if d != 1 {
			kept++
		}
	}
	// Groups of merged axes in output order: gq is the kept position of a
	// group's last axis in x, size its number of elements.
	gq, size := gqb[:0], gsb[:0]
	for _, p := range perm {
		if shape[p] == 1 {
			continue
		}
		if g := len(gq) - 1; g >= 0 && rank[p] == gq[g]+1 {
			gq[g]++
			size[g] *= shape[p]
			continue
		}
		gq, size = append(gq, rank[p]), append(size, shape[p])
	}
	m := len(size)
	if m <= 1 {
		copy(z, x)
		return
	}
	// in[g] is the stride in x of output axis g: the product of the groups
	// that come after it in x. out[g] is its stride in z.
	in, out := isb[:0], osb[:0]
	for g := range m {
		s := 1
		for h := range m {
			if gq[h] > gq[g] {
				s *= size[h]
			}
		}
		in = append(in, s)
		o := 1
		for _, d := range size[g+1:] {
			o *= d
		}
		out = append(out, o)
	}
	last := m - 1
	if in[last] == 1 {
		n := size[last]
		var ib [planDims]int
		it := newOdometer(size[:last], in[:last], out[:last], ib[:])
		for range len(z) / n {
			copy(z[it.b:it.b+n], x[it.a:it.a+n])
			it.next()
		}
		return
	}
	p := 0 // the output axis that is innermost in x
	for in[p] != 1 {
		p++
	}
	var ob, oib, oob, ib [planDims]int
	osz, oin, oout := ob[:0], oib[:0], oob[:0]
	for g := range last {
		if g != p {
			osz, oin, oout = append(osz, size[g]), append(oin, in[g]), append(oout, out[g])
		}
	}
	it := newOdometer(osz, oin, oout, ib[:])
	rows, cols := size[p], size[last]
	for range len(z) / (rows * cols) {
		transposeTiles(z[it.b:], out[p], x[it.a:], in[last], rows, cols)
		it.next()
	}
}

// transposeTile is the edge of the square tiles transposeTiles moves. Small
// tiles limit the cache-set conflicts of power-of-two strides. Tried 8, 16,
// 32 and 64 with BenchmarkTranspose at n=1000 and 1024 on an AMD EPYC: 16
// was fastest or tied, 4–5× faster than 32×32 tiles without the 4×4 blocks.
const transposeTile = 16

// transposeTiles sets dst[r·ldd + c] = src[c·lds + r] for r < rows, c < cols,
// one tile at a time, moving 4×4 blocks through registers inside each tile.
func transposeTiles(dst []float32, ldd int, src []float32, lds int, rows, cols int) {
	for r0 := 0; r0 < rows; r0 += transposeTile {
		r1 := min(r0+transposeTile, rows)
		for c0 := 0; c0 < cols; c0 += transposeTile {
			c1 := min(c0+transposeTile, cols)
			r := r0
			for ; r+4 <= r1; r += 4 {
				c := c0
				for ; c+4 <= c1; c += 4 {
					s0 := src[c*lds+r : c*lds+r+4]
					s1 := src[(c+1)*lds+r : (c+1)*lds+r+4]
					s2 := src[(c+2)*lds+r : (c+2)*lds+r+4]
					s3 := src[(c+3)*lds+r : (c+3)*lds+r+4]
					d0 := dst[r*ldd+c : r*ldd+c+4]
					d1 := dst[(r+1)*ldd+c : (r+1)*ldd+c+4]
					d2 := dst[(r+2)*ldd+c : (r+2)*ldd+c+4]
					d3 := dst[(r+3)*ldd+c : (r+3)*ldd+c+4]
					d0[0], d0[1], d0[2], d0[3] = s0[0], s1[0], s2[0], s3[0]
					d1[0], d1[1], d1[2], d1[3] = s0[1], s1[1], s2[1], s3[1]
					d2[0], d2[1], d2[2], d2[3] = s0[2], s1[2], s2[2], s3[2]
					d3[0], d3[1], d3[2], d3[3] = s0[3], s1[3], s2[3], s3[3]
				}
				for ; c < c1; c++ { // right edge of the tile
					for i := r; i < r+4; i++ {
						dst[i*ldd+c] = src[c*lds+i]
					}
				}
			}
			for ; r < r1; r++ { // bottom edge of the tile
				for c := c0; c < c1; c++ {
					dst[r*ldd+c] = src[c*lds+r]
				}
			}
		}
	}
}
