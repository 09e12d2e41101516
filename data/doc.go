// Package data turns corpora into batches of token ids for training.
//
// A corpus is a file, a folder of text files, or an http(s) URL downloaded
// once into a cache folder (Load, LoadText). Split cuts a sequence of ids into
// training and validation parts (nanoGPT: 0.9). A Sampler draws nanoGPT-style
// random blocks from a Source of ids, reproducibly from a seed, and saves and
// restores its state so a resumed run draws the same batches.
package data
