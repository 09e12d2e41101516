package compress

import (
	"encoding/binary"
	"fmt"
	"math"
)

// The ggml block formats: BlockLen values per block, stored in
// Q8_0BlockBytes or Q4_0BlockBytes bytes.
const (
	BlockLen       = 32     // QK8_0 = QK4_0
	Q8_0BlockBytes = 2 + 32 // fp16 d, 32 int8
	Q4_0BlockBytes = 2 + 16 // fp16 d, 16 bytes of two nibbles
)

// AppendQ8_0 appends x quantized to ggml's Q8_0 blocks to dst and returns the
// extended slice: for each block of 32 values, d = max|x|/127 in float32,
// written as little-endian fp16, then qs[j] = roundf(x[j]·(1/d)) (half away
// from zero) as int8 — ggml's quantize_row_q8_0_reference, byte for byte.
// It returns an error, appending nothing, unless len(x) is a multiple of 32.
func AppendQ8_0(dst []byte, x []float32) ([]byte, error) {
	if len(x)%BlockLen != 0 {
		return dst, fmt.Errorf("compress: Q8_0: %d values is not a multiple of %d", len(x), BlockLen)
	}
	for b := 0; b < len(x); b += BlockLen {
		blk := x[b : b+BlockLen]
		var amax float32
		for _, v := range blk {
			amax = max(amax, abs32(v))
		}
		d := amax / 127
		var id float32
		if d != 0 {
			id = 1 / d
		}
		dst = binary.LittleEndian.AppendUint16(dst, Float16Bits(d))
		for _, v := range blk {
			dst = append(dst, byte(int8(math.Round(float64(float32(v*id))))))
		}
	}
	return dst, nil
}

// DequantizeQ8_0 appends the values of the Q8_0 blocks in src to dst and
// returns the extended slice: x[j] = qs[j]·d. It returns an error, appending
// nothing, unless len(src) is a multiple of 34.
func DequantizeQ8_0(dst []float32, src []byte) ([]float32, error) {
	if len(src)%Q8_0BlockBytes != 0 {
		return dst, fmt.Errorf("compress: Q8_0: %d bytes is not a multiple of the %d-byte block", len(src), Q8_0BlockBytes)
	}
	for b := 0; b < len(src); b += Q8_0BlockBytes {
		d := Float16Value(binary.LittleEndian.Uint16(src[b:]))
		for _, q := range src[b+2 : b+Q8_0BlockBytes] {
			dst = append(dst, float32(int8(q))*d)
		}
	}
	return dst, nil
}

// AppendQ4_0 appends x quantized to ggml's Q4_0 blocks to dst and returns the
// extended slice: for each block of 32 values, m is the first value of
// largest |x| (with its sign), d = m/−8 in float32, written as little-endian
// fp16, and q[j] = min(15, trunc(x[j]·(1/d) + 8.5)); byte j of the 16 holds
// q[j] in its low nibble and q[j+16] in its high nibble — ggml's
// quantize_row_q4_0_reference, byte for byte. It returns an error, appending
// nothing, unless len(x) is a multiple of 32.
func AppendQ4_0(dst []byte, x []float32) ([]byte, error) {
	if len(x)%BlockLen != 0 {
		return dst, fmt.Errorf("compress: Q4_0: %d values is not a multiple of %d", len(x), BlockLen)
	}
	for b := 0; b < len(x); b += BlockLen {
		blk := x[b : b+BlockLen]
		var amax, m float32
		for _, v := range blk {
			if a := abs32(v); amax < a {
				amax, m = a, v
			}
		}
		d := m / -8
		var id float32
		if d != 0 {
			id = 1 / d
		}
		dst = binary.LittleEndian.AppendUint16(dst, Float16Bits(d))
		for j := range BlockLen / 2 {
			lo := nibble(float32(blk[j] * id)) // explicit rounding: no fused multiply-add
			hi := nibble(float32(blk[j+BlockLen/2] * id))
			dst = append(dst, lo|hi<<4)
		}
	}
	return dst, nil
}

// nibble is ggml's MIN(15, (int8_t)(x + 8.5f)) for x in [−8, 8].
func nibble(x float32) byte {
	return byte(min(15, int8(x+8.5)))
}

// DequantizeQ4_0 appends the values of the Q4_0 blocks in src to dst and
// returns the extended slice: x[j] = (q[j] − 8)·d with q[j] the low nibble
// of byte j and q[j+16] its high nibble. It returns an error, appending
// nothing, unless len(src) is a multiple of 18.
func DequantizeQ4_0(dst []float32, src []byte) ([]float32, error) {
	if len(src)%Q4_0BlockBytes != 0 {
		return dst, fmt.Errorf("compress: Q4_0: %d bytes is not a multiple of the %d-byte block", len(src), Q4_0BlockBytes)
	}
	for b := 0; b < len(src); b += Q4_0BlockBytes {
		d := Float16Value(binary.LittleEndian.Uint16(src[b:]))
		qs := src[b+2 : b+Q4_0BlockBytes]
		for _, q := range qs {
			dst = append(dst, float32(int(q&0xf)-8)*d)
		}
		for _, q := range qs {
			dst = append(dst, float32(int(q>>4)-8)*d)
		}
	}
	return dst, nil
}
