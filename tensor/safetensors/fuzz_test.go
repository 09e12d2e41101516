package safetensors

import (
	"testing"
)

// FuzzDecode checks that Decode never panics on any input and that whatever
// it accepts survives Encode: Decode(Encode(Decode(x))) has the same tensors
// and metadata. The corpus in testdata/fuzz/FuzzDecode holds inputs the
// fuzzer found interesting; the seeds are the reference's vectors and a few
// files of this package's own.
func FuzzDecode(f *testing.F) {
	seeds := []string{
		"<\x00\x00\x00\x00\x00\x00\x00{\"test\":{\"dtype\":\"I32\",\"shape\":[2,2],\"data_offsets\":[0,16]}}\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00",
		"8\x00\x00\x00\x00\x00\x00\x00{\"test\":{\"dtype\":\"I32\",\"shape\":[],\"data_offsets\":[0,4]}}\x00\x00\x00\x00",
		"<\x00\x00\x00\x00\x00\x00\x00{\"test\":{\"dtype\":\"I32\",\"shape\":[2,0],\"data_offsets\":[0, 0]}}",
		"\x06\x00\x00\x00\x00\x00\x00\x00{}\x0D\x20\x09\x0A",
		"\x01\x00\x00\x00\x00\x00\x00\x00{",
		"O\x00\x00\x00\x00\x00\x00\x00{\"test\":{\"dtype\":\"I32\",\"shape\":[2,18446744073709551614],\"data_offsets\":[0,16]}}\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00",
		"(\x00\x00\x00\x00\x00\x00\x00{\"__metadata__\":{\"framework\":\"pt\"}}     ",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Add(smallFile(f))
	f.Add(file(`{"__metadata__":{"a\"b":"\u00e9\n"},"b":{"dtype":"U8","shape":[2],"data_offsets":[1,3]},"a":{"dtype":"I8","shape":[1],"data_offsets":[0,1],"x":[]}}`, 1, 2, 3))
	f.Add(file(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}`, make([]byte, 12)...))
	f.Fuzz(func(t *testing.T, b []byte) {
		checkRoundTrip(t, b)
	})
}
