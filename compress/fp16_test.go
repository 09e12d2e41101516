package compress

import (
	"math"
	"math/rand/v2"
	"sort"
	"testing"
)

// f16Exact is the float64 value of binary16 bits h, from the definition.
func f16Exact(h uint16) float64 {
	s := 1.0
	if h&0x8000 != 0 {
		s = -1
	}
	e, m := int(h>>10)&0x1f, float64(h&0x3ff)
	switch e {
	case 0x1f:
		if m != 0 {
			return math.NaN()
		}
		return s * math.Inf(1)
	case 0:
		return s * math.Ldexp(m, -24)
	}
	return s * math.Ldexp(1+m/1024, e-15)
}

func TestFloat16ValueEvery(t *testing.T) {
	for h := range 1 << 16 {
		got, want := Float16Value(uint16(h)), f16Exact(uint16(h))
		if math.IsNaN(want) {
			if !math.IsNaN(float64(got)) || Float16Bits(got) != uint16(h)|0x200 {
				t.Fatalf("Float16Value(%#04x) = %v; want a NaN that converts back to %#04x", h, got, h|0x200)
			}
			continue
		}
		if float64(got) != want || math.Signbit(float64(got)) != (h&0x8000 != 0) {
			t.Fatalf("Float16Value(%#04x) = %v; want %v", h, got, want)
		}
		if back := Float16Bits(got); back != uint16(h) {
			t.Fatalf("Float16Bits(Float16Value(%#04x)) = %#04x", h, back)
		}
	}
}

// nearestF16 is the reference conversion: the binary16 nearest to f by
// search over every finite positive binary16, ties to the even mantissa,
// and ±Inf from 65520 (the midpoint above 65504) on.
func nearestF16(f float32, pos []float64) uint16 {
	x := math.Abs(float64(f))
	var sign uint16
	if math.Signbit(float64(f)) {
		sign = 0x8000
	}
	if math.IsNaN(x) {
		return 0x7e00
	}
	if x >= 65536 {
		return sign | 0x7c00
	}
	// pos[h] is the value of bits h, and pos[0x7c00] = 65536 stands for Inf:
	// rounding to it (from 65520, a tie with the odd 0x7bff, on) overflows.
	i := sort.SearchFloat64s(pos, x) // pos[i] ≥ x
	if i < len(pos) && pos[i] == x {
		return sign | uint16(i)
	}
	lo, hi := pos[i-1], pos[i]
	switch {
	case x-lo < hi-x:
		return sign | uint16(i-1)
	case x-lo > hi-x:
		return sign | uint16(i)
	case (i-1)&1 == 0:
		return sign | uint16(i-1)
	}
	return sign | uint16(i)
}

func TestFloat16BitsTricky(t *testing.T) {
	pos := make([]float64, 0x7c01)
	for h := range 0x7c00 {
		pos[h] = f16Exact(uint16(h))
	}
	pos[0x7c00] = 65536
	check := func(f float32) {
		t.Helper()
		got, want := Float16Bits(f), nearestF16(f, pos)
		if math.IsNaN(float64(f)) {
			if got&0x7c00 != 0x7c00 || got&0x3ff == 0 {
				t.Fatalf("Float16Bits(NaN %#08x) = %#04x; want a NaN", math.Float32bits(f), got)
			}
			return
		}
		if got != want {
			t.Fatalf("Float16Bits(%v = %#08x) = %#04x; want %#04x", f, math.Float32bits(f), got, want)
		}
	}
	// Every binary16, every midpoint between neighbours, and the float32s one
	// ulp either side of each.
	for h := range 0x7c00 {
		v := float32(pos[h])
		for _, s := range []float32{1, -1} {
			check(s * v)
			mid := float32((pos[h] + pos[h+1]) / 2) // exact in float32
			check(s * mid)
			check(s * math.Nextafter32(mid, 0))
			check(s * math.Nextafter32(mid, float32(math.Inf(1))))
		}
	}
	for _, f := range []float32{0, float32(math.Copysign(0, -1)), 65504, 65519.996, 65520, 65536, 1e9,
		float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()), math.SmallestNonzeroFloat32,
		0x1p-24, 0x1p-25, 0x1.000002p-25, 0x1.8p-24, 0x1p-14, 0x1.ffcp-15, math.MaxFloat32} {
		check(f)
		check(-f)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 1 << 20 {
		check(math.Float32frombits(r.Uint32()))
		check(float32(r.NormFloat64()))
	}
}
