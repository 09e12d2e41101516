// Command compress walks through making a trained GPT smaller with the
// library: train a teacher on the built-in corpus, prune half of its block
// weights and fine-tune with the masks held, remove a quarter of its
// attention heads, distill it into a student a quarter of its size, store
// the pruned model compactly, quantize to int8 and Q4_0, and export GGUF
// for llama.cpp. Every stage prints parameters, file size and validation
// loss.
//
//	go run ./examples/compress [OUTDIR]
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/tapegrad/tapegrad/compress"
	"github.com/tapegrad/tapegrad/data"
	"github.com/tapegrad/tapegrad/nn"
	"github.com/tapegrad/tapegrad/tokenizer"
	"github.com/tapegrad/tapegrad/train"
)

func main() {
	out, err := os.MkdirTemp("", "tapegrad-compress-")
	if len(os.Args) > 1 {
		out, err = os.Args[1], os.MkdirAll(os.Args[1], 0o755)
	}
	if err == nil {
		err = run(out, 1)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "compress:", err)
		os.Exit(1)
	}
}

// run writes its files into out; scale multiplies every number of steps
// (the test runs a sliver of the walk-through).
func run(out string, scale float64) error {
	steps := func(n int) int { return max(2, int(float64(n)*scale)) }
	text := data.Synthetic(1, 400_000)
	tok := tokenizer.NewChar(text)
	ids, err := tok.Encode(text)
	if err != nil {
		return err
	}
	tr, va := data.Split(ids, 0.9)
	trainIDs, valIDs := data.Ints(tr), data.Ints(va)
	report := func(stage string, m *nn.GPT, file string) error {
		val, err := train.EvalLoss(m, valIDs, 16, 20, 7) // the same batches every time
		if err != nil {
			return err
		}
		nonzero, total := nn.NumNonzero(m), nn.NumParams(m)
		st, err := os.Stat(file)
		if err != nil {
			return err
		}
		fmt.Printf("%-34s %7d / %7d nonzero params %9d B  val loss %.4f\n", stage, nonzero, total, st.Size(), val)
		return nil
	}
	save := func(name string, cfg train.Config, m *nn.GPT, scheme string) (string, error) {
		path := filepath.Join(out, name)
		if scheme == "" {
			return path, train.SaveModel(path, cfg, m, tok)
		}
		return path, train.SaveQuantized(path, cfg, m, tok, scheme)
	}

	// 1. The teacher: the "tiny" preset (L=2, H=4, C=64) on the built-in corpus.
	cfg := train.Presets["tiny"]
	cfg.MaxIters = steps(1500)
	teacher, err := train.New(cfg, tok, trainIDs, valIDs)
	if err != nil {
		return err
	}
	if err := fit(teacher, cfg.MaxIters); err != nil {
		return err
	}
	cfg = teacher.Config
	dense, err := save("teacher.safetensors", cfg, teacher.Model, "")
	if err != nil {
		return err
	}
	if err := report("teacher", teacher.Model, dense); err != nil {
		return err
	}

	// Fine-tuning: a constant, small learning rate from a fresh optimizer.
	ft := cfg
	ft.LR, ft.MinLR, ft.Warmup = 3*cfg.MinLR, 3*cfg.MinLR, 0

	// 2. Unstructured: zero the half of each block matrix with the smallest
	// |w|, fine-tune with the masks held, store the zeros compactly.
	pruned, err := train.Load(dense) // a copy of the teacher
	if err != nil {
		return err
	}
	masks, err := compress.MagnitudeMasks(pruned.Model, 0.5, false)
	if err != nil {
		return err
	}
	tuner, err := train.NewFromModel(ft, pruned.Model, tok, trainIDs, valIDs)
	if err != nil {
		return err
	}
	if err := tuner.SetMasks(masks); err != nil { // zeroes the pruned weights
		return err
	}
	if err := fit(tuner, steps(200)); err != nil {
		return err
	}
	sparse, err := save("pruned50.safetensors", cfg, pruned.Model, train.F32)
	if err != nil {
		return err
	}
	if err := report("50% pruned + fine-tuned, compact", pruned.Model, sparse); err != nil {
		return err
	}

	// 3. Structured: score heads by the gradient of a gate on each (Michel
	// et al.), remove the quarter that matters least: a smaller dense model.
	var calib []compress.Batch
	sampler, err := data.NewSampler(valIDs, 3)
	if err != nil {
		return err
	}
	for range 8 {
		b := compress.Batch{X: make([]int, 16*64), Y: make([]int, 16*64), B: 16, T: 64}
		if err := sampler.Batch(b.B, b.T, b.X, b.Y); err != nil {
			return err
		}
		calib = append(calib, b)
	}
	small, removed, err := compress.PruneHeads(teacher.Model, compress.HeadImportance(teacher.Model, calib), compress.Fraction(0.25))
	if err != nil {
		return err
	}
	if tuner, err = train.NewFromModel(ft, small, tok, trainIDs, valIDs); err != nil {
		return err
	}
	if err := fit(tuner, steps(200)); err != nil {
		return err
	}
	fewer, err := save("heads75.safetensors", tuner.Config, small, "")
	if err != nil {
		return err
	}
	fmt.Printf("removed heads by layer: %v\n", removed)
	if err := report("25% of heads removed + fine-tuned", small, fewer); err != nil {
		return err
	}

	// 4. Distillation: a student with a quarter of the teacher's parameters
	// learns from the teacher's softened logits and from the labels.
	sc := cfg
	sc.Model.NLayer, sc.Model.NHead, sc.Model.NEmbd = 1, 2, 48
	student, err := nn.NewGPT(sc.Model, sc.Seed)
	if err != nil {
		return err
	}
	sc.MaxIters = steps(1500)
	ds, err := train.NewDistiller(sc, student, tok, trainIDs, valIDs, teacher.Model,
		train.Distillation{Temperature: 2, Alpha: 0.5})
	if err != nil {
		return err
	}
	if err := fit(ds.Trainer, sc.MaxIters); err != nil {
		return err
	}
	distilled, err := save("student.safetensors", ds.Config, student, "")
	if err != nil {
		return err
	}
	if err := report("distilled student", student, distilled); err != nil {
		return err
	}

	// 5. Quantization: int8 per row, ggml's Q4_0 blocks; Load dequantizes.
	for _, scheme := range []string{train.Int8, train.Q4_0} {
		path, err := save("teacher-"+scheme+".safetensors", cfg, teacher.Model, scheme)
		if err != nil {
			return err
		}
		q, err := train.Load(path)
		if err != nil {
			return err
		}
		if err := report("teacher as "+scheme, q.Model, path); err != nil {
			return err
		}
	}

	// 6. Export for llama.cpp: GGUF v3, gpt2 architecture, Q8_0 weights.
	ck, err := train.Load(dense)
	if err != nil {
		return err
	}
	gguf := filepath.Join(out, "teacher-q8_0.gguf")
	if err := train.ExportGGUF(gguf, ck, "q8_0"); err != nil {
		return err
	}
	fmt.Println("wrote", gguf, "and the checkpoints above into", out)
	return nil
}

// fit runs n training steps of tr.
func fit(tr *train.Trainer, n int) error {
	for range n {
		if _, err := tr.TrainStep(); err != nil {
			return err
		}
	}
	return nil
}
