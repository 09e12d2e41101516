// Package gguf writes (and, for tests and tools, reads) GGUF v3 files: the
// single-file model format of ggml and llama.cpp.
//
// # The format
//
// Everything is little-endian. A file is
//
//	"GGUF"                 magic, 4 bytes
//	u32 version            3
//	u64 tensor_count
//	u64 metadata_kv_count
//	metadata               metadata_kv_count × (string key, u32 value type, value)
//	tensor infos           tensor_count × (string name, u32 n_dims,
//	                       n_dims × u64 dims, u32 type, u64 offset)
//	padding                zeros up to a multiple of the alignment
//	data                   each tensor at its offset (relative to the start of
//	                       data), a multiple of the alignment; zeros between
//
// A string is a u64 length and that many UTF-8 bytes, no terminator. A value
// is one of the scalar types u8, i8, u16, i16, u32, i32, f32, bool (one
// byte, 0 or 1), string, u64, i64, f64, or an array: a u32 element type, a
// u64 count and the elements. The alignment is 32 unless the metadata holds
// "general.alignment" (a u32, a power of two).
//
// ggml lists dimensions fastest-varying first, the reverse of row-major
// order: a matrix tapegrad holds as [rows, cols] is ggml's {cols, rows}, with
// the same bytes. Tensor.Shape is row-major, as everywhere in tapegrad; Write
// reverses it and Read reverses it back.
//
// Tensor types are ggml's: F32 (0), F16 (1), Q4_0 (2) and Q8_0 (8). A
// quantized tensor's rows (its last row-major dimension) are whole blocks of
// 32 values; Data holds the blocks as compress.AppendQ8_0 and
// compress.AppendQ4_0 produce them.
//
// # Metadata values
//
// A KV's Value is a Go value of one of these types, which choose the GGUF
// type: uint8, int8, uint16, int16, uint32, int32, float32, bool, string,
// uint64, int64, float64, or a slice of one of them (an array). Read returns
// the same Go types. Arrays of arrays are not supported.
//
// # Reading
//
// Read checks everything before it trusts it — the magic, the version, that
// counts, string lengths and array lengths fit in the bytes there are, that
// dimensions are positive and their product fits, the alignment, that every
// tensor's bytes lie inside the data section at an aligned offset, that names
// and keys are unique — and returns an error for the first problem. It never
// panics, whatever the input (FuzzRead).
package gguf
