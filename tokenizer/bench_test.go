package tokenizer

import (
	"fmt"
	"runtime"
	"testing"
)

// BenchmarkEncode encodes tinyshakespeare.txt with gpt2 and cl100k_base on
// one goroutine and over all cores; compare with tiktoken by running
// testdata/bench_tiktoken.mjs in the same session.
func BenchmarkEncode(b *testing.B) {
	text := readShared(b, "tinyshakespeare.txt")
	for _, name := range []string{"gpt2", "cl100k_base"} {
		enc := loadEncoding(b, name)
		for _, procs := range []int{1, runtime.NumCPU()} {
			b.Run(fmt.Sprintf("enc=%s/threads=%d", name, procs), func(b *testing.B) {
				defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
				b.SetBytes(int64(len(text)))
				b.ReportAllocs()
				for b.Loop() {
					enc.EncodeOrdinary(text)
				}
			})
		}
	}
}

// BenchmarkTrain trains minbpe's Basic and Regex tokenizers of 512 tokens on
// taylorswift.txt, minbpe's test (11.5 s and 25 s there, in Python).
func BenchmarkTrain(b *testing.B) {
	text := readShared(b, "taylorswift.txt")
	for _, p := range []Pattern{NoSplit, GPT4} {
		b.Run("pattern="+p.String(), func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Train(text, TrainOptions{VocabSize: 512, Pattern: p}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkSplit times the pre-tokenizers alone.
func BenchmarkSplit(b *testing.B) {
	text := readShared(b, "tinyshakespeare.txt")
	for _, p := range []Pattern{GPT2, GPT4} {
		b.Run("pattern="+p.String(), func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			for b.Loop() {
				for i := 0; i < len(text); {
					i = p.next(text, i)
				}
			}
		})
	}
}
