// Package data turns corpora into batches of token ids for training.
//
// A corpus is a file, a folder of text files, or an http(s) URL downloaded
// once into a cache folder (Load, LoadText); with no corpus, the built-in
// synthetic one (Synthetic) is generated in code from a seed and carries a
// skill a run can measure on held-out prompts (SkillPrompts, ScoreSkill), so
// a newcomer sees a model learn something, not only a falling loss.
//
// Split cuts a sequence of ids into training and validation parts (nanoGPT:
// the first 0.9 for training). A Sampler draws nanoGPT-style random blocks of
// a Source — ids in memory (Ints) or a token file (TokenFile, uint16 or uint32
// ids memory-mapped through golang.org/x/exp/mmap, so files larger than
// memory work) — reproducibly from a seed, and saves and restores its state,
// so a resumed run draws the very batches a run never stopped would have.
//
// Errors name the package ("data: ..."); misuse such as a batch buffer of the
// wrong length panics.
package data
