package compress

import "math"

// Float16Bits returns the IEEE 754 binary16 bits nearest to f, rounding half
// to even: values of magnitude 65520 or more become ±Inf, values too small
// for the smallest subnormal round to ±0, the sign of zero is kept, and a NaN
// stays a NaN (quiet, keeping the top bits of its payload).
func Float16Bits(f float32) uint16 {
	b := math.Float32bits(f)
	sign := uint16(b>>16) & 0x8000
	b &^= 0x80000000
	switch {
	case b > 0x7f800000: // NaN
		return sign | 0x7e00 | uint16(b>>13)&0x3ff
	case b >= (127+16)<<23: // ≥ 65536 before rounding: Inf
		return sign | 0x7c00
	case b < 113<<23: // below 2^−14: subnormal or zero
		// Adding 0.5 aligns the ten mantissa bits at the bottom of the
		// float32; the float32 addition rounds half to even.
		const magic = ((127 - 15) + (23 - 10) + 1) << 23
		s := math.Float32frombits(b) + math.Float32frombits(magic)
		return sign | uint16(math.Float32bits(s)-magic)
	}
	// Normal: rebias the exponent and round the 13 dropped bits half to
	// even; a carry out of the mantissa bumps the exponent (to Inf at the top).
	odd := (b >> 13) & 1
	b = b - 112<<23 + 0xfff + odd
	h := b >> 13
	if h >= 0x7c00 {
		h = 0x7c00
	}
	return sign | uint16(h)
}

// Float16Value returns the float32 value of the binary16 bits h (exact: every
// binary16 value is a float32). NaN payloads are kept.
func Float16Value(h uint16) float32 {
	sign := uint32(h&0x8000) << 16
	exp := uint32(h>>10) & 0x1f
	mant := uint32(h & 0x3ff)
	switch exp {
	case 0x1f:
		return math.Float32frombits(sign | 0x7f800000 | mant<<13)
	case 0:
		v := float32(mant) * (1.0 / (1 << 24)) // subnormal: mant·2^−24
		if sign != 0 {
			v = -v
		}
		return v
	}
	return math.Float32frombits(sign | (exp+112)<<23 | mant<<13)
}
