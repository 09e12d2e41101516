// Tapegrad is the command-line tool of the tapegrad framework: it trains small
// GPT language models on CPUs, samples from them, compresses and exports them,
// and measures the kernels underneath.
//
// Usage:
//
//	tapegrad <command> [flags]
//
// The commands are:
//
//	train      train a GPT (default: a small one on the built-in corpus)
//	sample     generate text from a checkpoint
//	eval       print the loss of a checkpoint on a corpus
//	prune      remove weights (magnitude, Wanda), attention heads or MLP units, then fine-tune
//	distill    train a smaller student from a teacher checkpoint (Hinton's loss)
//	quantize   write an int8, Q8_0 or Q4_0 checkpoint, or store pruned weights compactly (f32)
//	export     write a checkpoint's model as GGUF (llama.cpp) or float32 safetensors
//	tokenizer  train, encode and decode with byte-level BPE tokenizers
//	bench      measure a kernel: gemm, attention, generate, step, tokenizer
//	help       show help for tapegrad or for one command
//
// Every command takes -h. Results go to stdout, progress and errors to
// stderr; the exit status is 0 on success, 1 when a command fails, 2 for a
// usage error (an unknown command or a bad flag) and 130 when training is
// interrupted (after writing a checkpoint).
//
// # Benchmarks
//
// A benchmark prints a table for people, then one JSON object a line for
// machines, for example:
//
//	$ tapegrad bench gemm --n 512 --threads 1 --trans NT --ref gonum
//	m    n    k    trans  threads  impl     ms/call  GFLOP/s  vs gonum
//	512  512  512  NT     1        avx2     ...
//	...
//	{"bench":"gemm","m":512,"n":512,"k":512,"trans":"NT","threads":1,"impl":"avx2","gflops":71.3}
//
// Run benchmarks you compare side by side, in one session: the machine is
// shared and its speed drifts.
package main
