package train

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/tapegrad/tapegrad/data"
	"github.com/tapegrad/tapegrad/nn"
	"github.com/tapegrad/tapegrad/optim"
	"github.com/tapegrad/tapegrad/tensor"
	"github.com/tapegrad/tapegrad/tensor/safetensors"
	"github.com/tapegrad/tapegrad/tokenizer"
)

// Format is the checkpoint format written into __metadata__["format"].
const Format = "tapegrad/1"

// Metadata keys of a checkpoint.
const (
	keyFormat    = "format"
	keyConfig    = "config"    // Config as JSON
	keyTokenizer = "tokenizer" // tokenizer.Marshal
	keyStep      = "step"
	keyRNG       = "rng"       // the training sampler's state, base64
	keyOptimizer = "optimizer" // optimizer hyper-parameters and step, JSON
	keyDropout   = "dropout"   // dropout call counters, JSON
)

// Save writes a training checkpoint to path atomically (temp file, fsync,
// rename): the model's parameters under their names, the optimizer's
// moments under "optim.…", and in the metadata the config, the tokenizer,
// the step, the sampler's state and the optimizer's hyper-parameters —
// everything Resume needs to continue bit for bit.
func (tr *Trainer) Save(path string) error { return tr.save(path, nil) }

// save is Save with more metadata: a distillation's settings.
func (tr *Trainer) save(path string, extra map[string]string) error {
	meta, tensors, err := modelFile(tr.Config, tr.Model, tr.Tokenizer)
	if err != nil {
		return err
	}
	st := tr.Opt.State()
	names := make([]string, 0, len(st.Tensors))
	for name := range st.Tensors {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		tensors = append(tensors, safetensors.FromFloat32(name, st.Tensors[name]))
	}
	hyper, err := json.Marshal(struct {
		Step  int                `json:"step"`
		Hyper map[string]float64 `json:"hyper"`
	}{st.Step, st.Hyper})
	if err != nil {
		return err
	}
	drop, _ := json.Marshal(dropoutCalls(tr.Model))
	meta[keyStep] = strconv.Itoa(tr.Step)
	meta[keyRNG] = base64.StdEncoding.EncodeToString(tr.sampler.State())
	meta[keyOptimizer] = string(hyper)
	meta[keyDropout] = string(drop)
	for k, v := range extra {
		meta[k] = v
	}
	return safetensors.WriteFile(path, tensors, meta)
}

// SaveModel writes a model-only checkpoint (no optimizer state): what
// sample and eval need, and what PyTorch loads.
func SaveModel(path string, cfg Config, model *nn.GPT, tok tokenizer.Tokenizer) error {
	meta, tensors, err := modelFile(cfg, model, tok)
	if err != nil {
		return err
	}
	return safetensors.WriteFile(path, tensors, meta)
}

func modelFile(cfg Config, model *nn.GPT, tok tokenizer.Tokenizer) (map[string]string, []safetensors.Tensor, error) {
	cfg.Model = model.Config
	c, err := json.Marshal(cfg)
	if err != nil {
		return nil, nil, err
	}
	tk, err := tokenizer.Marshal(tok)
	if err != nil {
		return nil, nil, fmt.Errorf("train: checkpoint tokenizer: %w", err)
	}
	meta := map[string]string{keyFormat: Format, keyConfig: string(c), keyTokenizer: string(tk)}
	var tensors []safetensors.Tensor
	for _, p := range model.Params() {
		tensors = append(tensors, safetensors.FromFloat32(p.Name, p.Value.Data))
	}
	return meta, tensors, nil
}

// Checkpoint is a loaded checkpoint: the model with its weights, its
// tokenizer and config, and the training state when there is one.
type Checkpoint struct {
	Config    Config
	Model     *nn.GPT
	Tokenizer tokenizer.Tokenizer
	Step      int
	// Quantization is the scheme the file's weights were stored with
	// (Int8, Q8_0, Q4_0; see SaveQuantized), "" for float32. The Model
	// holds their dequantized values.
	Quantization string
	file         *safetensors.File
	path         string // where it was read from, for messages
}

// Load reads a checkpoint written by Save, SaveModel or SaveQuantized (whose
// weights it dequantizes into the float32 model). Every problem — not a
// safetensors file, another format, an unknown quantization scheme, a
// missing, misshapen or truncated tensor, a bad config — is an error naming
// the file and what is wrong.
func Load(path string) (*Checkpoint, error) {
	f, err := safetensors.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return fromFile(f, path)
}

// Decode reads a checkpoint from the bytes of a safetensors file; see Load.
func Decode(data []byte) (*Checkpoint, error) {
	f, err := safetensors.Decode(data)
	if err != nil {
		return nil, fmt.Errorf("train: checkpoint: %w", err)
	}
	return fromFile(f, "(memory)")
}

// fromFile builds a checkpoint from a decoded file; path names it in errors.
func fromFile(f *safetensors.File, path string) (*Checkpoint, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("train: checkpoint %s: %s", path, fmt.Sprintf(format, args...))
	}
	if got := f.Metadata[keyFormat]; got != Format {
		return nil, bad("format %q; want %q", got, Format)
	}
	var cfg Config
	if err := json.Unmarshal([]byte(f.Metadata[keyConfig]), &cfg); err != nil {
		return nil, bad("config: %v", err)
	}
	tok, err := tokenizer.Unmarshal([]byte(f.Metadata[keyTokenizer]))
	if err != nil {
		return nil, bad("tokenizer: %v", err)
	}
	if err := cfg.Model.WithDefaults().Validate(); err != nil {
		return nil, bad("%v", err)
	}
	// Check the size the config describes against the tensors the file
	// holds before building the model, so a damaged config cannot make Load
	// allocate more than the file's own size.
	scheme, quantized := f.Metadata[keyQuant]
	if quantized {
		if err := checkScheme(scheme); err != nil {
			return nil, bad("%v", err)
		}
	}
	var held, stored int64
	for _, t := range f.Tensors {
		held += heldValues(t, scheme)
		stored += int64(len(t.Data))
	}
	if want := paramCount(cfg.Model); want != held {
		return nil, bad("the config describes %d parameters; the file holds %d values", want, held)
	}
	// Compact matrices stand for more values than their bytes (a bitmask 8
	// a byte, an empty CSR row any number): bound the expansion so that a
	// small crafted file cannot describe a huge model.
	if held > maxExpansion*stored+1<<16 {
		return nil, bad("%d bytes of tensors stand for %d values: more than %d a byte", stored, held, maxExpansion)
	}
	model, err := nn.NewGPT(cfg.Model, cfg.Seed) // the seed also gives the dropout layers their seeds
	if err != nil {
		return nil, bad("%v", err)
	}
	sd, err := stateDict(f, scheme)
	if err != nil {
		return nil, bad("%v", err)
	}
	if err := nn.LoadStateDict(model, sd); err != nil {
		return nil, bad("%v", err)
	}
	ck := &Checkpoint{Config: cfg, Model: model, Tokenizer: tok, Quantization: scheme, file: f, path: path}
	if s, ok := f.Metadata[keyStep]; ok {
		if ck.Step, err = strconv.Atoi(s); err != nil {
			return nil, bad("step %q: %v", s, err)
		}
	}
	return ck, nil
}

// maxExpansion is how many values a byte of a checkpoint's tensors may
// stand for. Dense float32 is 1/4, Q4_0 1.8, a bitmask at most 8; a pruned
// model's dense embeddings keep a real file far below this.
const maxExpansion = 64

// paramCount returns how many scalars a GPT of config c has, without
// building it; a config too large to count gives -1.
func paramCount(c nn.Config) int64 {
	const limit = 1 << 40
	v, t, l, e := int64(c.VocabSize), int64(c.BlockSize), int64(c.NLayer), int64(c.NEmbd)
	if v > limit || t > limit || l > limit || e > 1<<20 {
		return -1
	}
	norm := e // a LayerNorm's weight
	if c.Bias {
		norm = 2 * e
	}
	// A layer with attention of width a (heads × head size) and an MLP of
	// width m; with biases also those of c_attn, c_proj, c_fc and c_proj.
	layer := func(a, m int64) int64 {
		n := 2*norm + 3*a*e + e*a + 2*m*e
		if c.Bias {
			n += 3*a + e + m + e
		}
		return n
	}
	n := v*e + norm
	if len(c.LayerHeads) == 0 && len(c.LayerMLP) == 0 {
		n += l * layer(e, 4*e)
	} else { // Validate has checked the lengths: one entry a layer
		for i := range c.NLayer {
			a, m := int64(c.Heads(i))*int64(c.HeadSize()), int64(c.MLPWidth(i))
			if a > 1<<30 || m > 1<<30 {
				return -1
			}
			if n += layer(a, m); n > limit {
				return -1
			}
		}
	}
	if !c.RoPE {
		n += t * e
	}
	if n > limit {
		return -1
	}
	return n
}

// Resume returns a trainer that continues the run saved in path on the
// given splits, exactly where it stopped: the same batches, dropout masks,
// learning rates and optimizer moments as a run never stopped.
// A distillation run's checkpoint is refused: ResumeDistiller continues it
// with its teacher.
func Resume(path string, trainIDs, valIDs data.Source) (*Trainer, error) {
	ck, err := Load(path)
	if err != nil {
		return nil, err
	}
	return ResumeFrom(ck, trainIDs, valIDs)
}

// ResumeFrom is Resume of a checkpoint already read by Load (a caller that
// needs its tokenizer first reads the file once). ck's model becomes the
// trainer's.
func ResumeFrom(ck *Checkpoint, trainIDs, valIDs data.Source) (*Trainer, error) {
	return resume(ck, trainIDs, valIDs, false)
}

func resume(ck *Checkpoint, trainIDs, valIDs data.Source, distilling bool) (*Trainer, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("train: resume from %s: %s", ck.path, fmt.Sprintf(format, args...))
	}
	if ck.file == nil {
		return nil, bad("not a checkpoint read by Load")
	}
	if _, ok := ck.file.Metadata[keyDistill]; ok && !distilling {
		return nil, bad("a distillation run: continue it with its teacher (ResumeDistiller, tapegrad distill --resume)")
	}
	if _, ok := ck.file.Metadata[keyOptimizer]; !ok {
		return nil, bad("the checkpoint holds a model only (no optimizer state)")
	}
	tr, err := newTrainer(ck.Config, ck.Model, ck.Tokenizer, trainIDs, valIDs)
	if err != nil {
		return nil, err
	}
	var opt struct {
		Step  int                `json:"step"`
		Hyper map[string]float64 `json:"hyper"`
	}
	if err := json.Unmarshal([]byte(ck.file.Metadata[keyOptimizer]), &opt); err != nil {
		return nil, bad("optimizer: %v", err)
	}
	st := optim.State{Step: opt.Step, Hyper: opt.Hyper, Tensors: map[string]*tensor.Tensor{}}
	for _, t := range ck.file.Tensors {
		if strings.HasPrefix(t.Name, "optim.") {
			ft, err := t.Float32()
			if err != nil {
				return nil, bad("%v", err)
			}
			st.Tensors[t.Name] = ft
		}
	}
	if err := tr.Opt.LoadState(st); err != nil {
		return nil, bad("%v", err)
	}
	rng, err := base64.StdEncoding.DecodeString(ck.file.Metadata[keyRNG])
	if err != nil {
		return nil, bad("rng: %v", err)
	}
	if err := tr.sampler.SetState(rng); err != nil {
		return nil, bad("rng: %v", err)
	}
	var calls []uint64
	if err := json.Unmarshal([]byte(ck.file.Metadata[keyDropout]), &calls); err != nil {
		return nil, bad("dropout: %v", err)
	}
	if err := setDropoutCalls(tr.Model, calls); err != nil {
		return nil, bad("%v", err)
	}
	tr.Step = ck.Step
	return tr, nil
}

func dropoutCalls(m *nn.GPT) []uint64 {
	var calls []uint64
	for _, d := range m.Dropouts() {
		calls = append(calls, d.Calls)
	}
	return calls
}

func setDropoutCalls(m *nn.GPT, calls []uint64) error {
	ds := m.Dropouts()
	if len(calls) != len(ds) {
		return fmt.Errorf("%d dropout counters for %d dropout layers", len(calls), len(ds))
	}
	for i, d := range ds {
		d.Calls = calls[i]
	}
	return nil
}
