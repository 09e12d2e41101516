// Package safetensors reads and writes the safetensors file format: named
// tensors with a JSON header, the format of tapegrad checkpoints and of most
// Hugging Face models.
//
// # The format
//
// A file is three parts, with nothing before or after them:
//
//	8 bytes   N, the header size, a little-endian uint64
//	N bytes   the header: a UTF-8 JSON object
//	the rest  the data buffer: every tensor's bytes, back to back
//
// The header maps each tensor name to its element type, shape and byte range
// in the data buffer, and may hold one extra key, "__metadata__", a flat
// object of string keys and string values (tapegrad keeps its config, step
// and tokenizer there):
//
//	{"__metadata__":{"format":"tapegrad/1"},
//	 "wte":{"dtype":"F32","shape":[65,128],"data_offsets":[0,33280]},
//	 "h.0.attn.c_attn.weight.q":{"dtype":"I8","shape":[384,128],"data_offsets":[33280,82432]}}
//
// Data is little-endian and row-major (C order). A shape of [] is a scalar
// (one element); a dimension may be 0 (no elements, no bytes).
//
// # What Decode checks
//
// Decode follows the reference implementation (the Rust crate
// huggingface/safetensors) and rejects, with a *FormatError that says what is
// wrong and where (a file offset, a tensor name):
//
//   - a file shorter than 8 bytes, or a header that runs past the end of it;
//   - a header larger than 100 MB (MaxHeaderSize);
//   - a header that is not valid UTF-8, not one JSON object, or has anything
//     but JSON whitespace after the object;
//   - a tensor entry without dtype, shape or data_offsets, with a dtype this
//     package does not know, or with negative, fractional or oversized numbers;
//   - a name given twice (the reference lets the last one win; a checkpoint
//     with two tensors of one name is corrupt, so this package refuses it), and
//     likewise a repeated key inside an entry or in __metadata__;
//   - __metadata__ values that are not strings;
//   - data_offsets that do not tile the data buffer: sorted by offset, each
//     tensor must start where the previous one ended (the first at 0), with
//     end ≥ begin, so there are no gaps and no overlaps;
//   - a byte range whose length is not the product of the shape times the
//     dtype's size (or whose computation overflows);
//   - a data buffer shorter (truncated file) or longer (trailing bytes) than
//     the last tensor's end.
//
// A header need not be padded to a multiple of 8 when read; unknown fields in
// a tensor entry are ignored, as the reference does.
//
// # What Encode writes
//
// Encode writes the bytes the reference's serialize writes for the same
// tensors: tensors ordered by element size (dtype alignment), largest first,
// then by name (byte-wise), so that every tensor's data starts at an offset
// that is a multiple of its element size; a compact header with __metadata__
// first and then the tensors in data order, each as
// {"dtype","shape","data_offsets"}, strings escaped as serde_json escapes
// them; the header padded with spaces to a multiple of 8 bytes so the data
// buffer starts 8-aligned. __metadata__ is omitted when the map is empty, and
// its keys are sorted (the reference writes them in hash-map order, so with
// two keys or more only the order can differ).
// The order of the tensors passed in does not matter, which makes a
// checkpoint's bytes a function of its contents alone. The tests check the
// output against the byte vectors in the reference's own tests.
//
// # Element types
//
// The dtypes are those of the reference whose elements are whole bytes:
// BOOL, U8, I8, F8_E5M2, F8_E4M3, F8_E8M0 (1 byte); I16, U16, F16, BF16 (2);
// I32, U32, F32 (4); I64, U64, F64, C64 (8). Tensor.Data holds the raw
// little-endian bytes whatever the type; Float32 and Int8 convert the two
// types tapegrad computes with.
//
// # Files
//
// ReadFile reads a whole file into memory and decodes it; the tensors' Data
// slices point into that one buffer. WriteFile writes to a temporary file in
// the same folder, flushes it to disk (fsync), renames it over the real name
// and then syncs the folder: a crash or an error never leaves a half-written
// file under the real name (at worst a stray hidden ".NAME.tmp…" file).
package safetensors
