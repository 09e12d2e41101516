package compress

import "testing"

// FuzzDequantize: decoding arbitrary bytes as Q8_0 or Q4_0 blocks never
// panics, errors exactly when the length is not a whole number of blocks,
// and otherwise yields 32 values per block.
func FuzzDequantize(f *testing.F) {
	x := randn(1, 1, 2*BlockLen)
	b8, _ := AppendQ8_0(nil, x)
	b4, _ := AppendQ4_0(nil, x)
	f.Add(b8)
	f.Add(b4)
	f.Add([]byte{0x00, 0x7c, 1, 2, 3}) // d = +Inf, short
	f.Add(make([]byte, Q8_0BlockBytes*Q4_0BlockBytes))
	f.Fuzz(func(t *testing.T, src []byte) {
		for _, c := range []struct {
			name  string
			bytes int
			deq   func([]float32, []byte) ([]float32, error)
		}{{"Q8_0", Q8_0BlockBytes, DequantizeQ8_0}, {"Q4_0", Q4_0BlockBytes, DequantizeQ4_0}} {
			y, err := c.deq(nil, src)
			whole := len(src)%c.bytes == 0
			if whole != (err == nil) {
				t.Fatalf("Dequantize%s(%d bytes): error %v", c.name, len(src), err)
			}
			if want := len(src) / c.bytes * BlockLen; whole && len(y) != want {
				t.Fatalf("Dequantize%s(%d bytes) = %d values; want %d", c.name, len(src), len(y), want)
			}
		}
	})
}
