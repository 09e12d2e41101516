package safetensors

// dtypeInfo is what the package knows of one element type: its size in bytes
// and its rank in the reference's Dtype enum, which is ordered by alignment
// and decides the order Encode writes tensors in (higher rank first).
type dtypeInfo struct {
	size int
	rank int
}

// dtypes are the reference's element types whose elements are whole bytes,
// with their ranks in its enum (BOOL < F4 < F6_E2M3 < F6_E3M2 < U8 < ... <
// U64; the sub-byte F4 and F6 types are not supported here and keep their
// ranks unused).
var dtypes = map[string]dtypeInfo{
	"BOOL":    {1, 0},
	"U8":      {1, 4},
	"I8":      {1, 5},
	"F8_E5M2": {1, 6},
	"F8_E4M3": {1, 7},
	"F8_E8M0": {1, 8},
	"I16":     {2, 9},
	"U16":     {2, 10},
	"F16":     {2, 11},
	"BF16":    {2, 12},
	"I32":     {4, 13},
	"U32":     {4, 14},
	"F32":     {4, 15},
	"C64":     {8, 16},
	"F64":     {8, 17},
	"I64":     {8, 18},
	"U64":     {8, 19},
}

// DTypeSize returns the size in bytes of one element of dtype ("F32" → 4,
// "I8" → 1, ...) and whether the package knows dtype at all. Names are
// case-sensitive, as in the format.
func DTypeSize(dtype string) (int, bool) {
	d, ok := dtypes[dtype]
	return d.size, ok
}
