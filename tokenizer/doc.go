// Package tokenizer turns text into token ids and back: a character-level
// tokenizer (Char, as nanoGPT's shakespeare_char) and a byte-level BPE (BPE)
// that matches tiktoken and minbpe id for id. Both implement Tokenizer:
// Encode, Decode, VocabSize and SpecialTokens.
//
// # Byte-level BPE
//
// A BPE splits text into chunks with a Pattern (NoSplit, GPT2 or GPT4: the
// regular expressions of GPT-2 and cl100k_base, scanned by hand because Go's
// regexp has no lookahead), then merges each chunk's bytes, lowest rank
// first, as tiktoken's byte_pair_merge does. Chunks that are whole tokens of
// a tiktoken encoding skip merging, as in tiktoken. Texts of 256 KiB and more
// are cut at points where every scan restarts and encoded over GOMAXPROCS
// goroutines with the same result.
//
// Where the ranks come from:
//
//	LoadTiktoken, ReadTiktoken   tiktoken's .tiktoken rank files (r50k_base, cl100k_base, ...)
//	Train, LoadModel, ReadModel  minbpe: training and its .model files (SaveModel, WriteModel)
//	LoadHF, ReadHF               Hugging Face tokenizer.json, byte-level BPE (WriteHF)
//
// Special tokens follow tiktoken: Encode errs on the text of a special token,
// EncodeSpecial takes tiktoken's allowed_special and disallowed_special, and
// EncodeOrdinary treats their text as ordinary text. Decode is byte-exact;
// StreamDecoder decodes one id at a time and holds back an incomplete UTF-8
// character until it is complete.
//
// # Training
//
// Train is minbpe's algorithm with minbpe's results: the .model file it
// writes is byte for byte the one minbpe writes for the same text, pattern
// and vocabulary size, ties between pairs as frequent included. It counts
// each distinct chunk once and updates pair counts where merges happen,
// instead of recounting, so it runs hundreds of times faster than minbpe.
//
// # Serialized form
//
// Marshal and Unmarshal turn any Char or BPE into one JSON object and back,
// for a checkpoint's metadata; see Marshal for the fields.
//
// Errors in files (a malformed line, an unknown id, a pattern this package
// cannot scan) are returned, with the line where there is one, never
// panicked; the loaders are fuzzed.
package tokenizer
