package train

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/tapegrad/tapegrad/autograd"
	"github.com/tapegrad/tapegrad/compress"
	"github.com/tapegrad/tapegrad/data"
	"github.com/tapegrad/tapegrad/nn"
	"github.com/tapegrad/tapegrad/tensor"
	"github.com/tapegrad/tapegrad/tensor/safetensors"
	"github.com/tapegrad/tapegrad/tokenizer"
)

// keyDistill is the metadata key of a distillation run's checkpoints: its
// Distillation as JSON.
const keyDistill = "distillation"

// DistillObjective returns the Objective of Hinton's knowledge distillation
// from teacher (compress.DistillLoss):
//
//	alpha·T²·KL(softmax(teacher/T) ‖ softmax(student/T)) + (1 − alpha)·CE(student, y)
//
// with the teacher's logits [B, T, V] computed on the same tape without
// gradients. It switches the teacher's dropout off. The teacher's forward
// pass only reads its weights, so the shards of a batch share one teacher
// concurrently; the teacher must not be trained, nor switched back to
// training mode, while the objective is in use.
//
// It panics if temperature ≤ 0 or alpha is outside [0, 1], and, when
// called, with a *tensor.ShapeError if the student's vocabulary differs
// from the teacher's or its context is longer than the teacher's block
// (CheckTeacher reports both as errors beforehand).
func DistillObjective(teacher *nn.GPT, temperature, alpha float32) Objective {
	if err := checkDistillSettings(temperature, alpha); err != nil {
		panic(err)
	}
	teacher.SetTraining(false)
	return func(tp *autograd.Tape, model *nn.GPT, x, y []int, b, t int) *autograd.Value {
		if err := CheckTeacher(teacher.Config, nn.Config{VocabSize: model.Config.VocabSize, BlockSize: t}); err != nil {
			panic(&tensor.ShapeError{Op: "train.DistillObjective", Msg: err.Error()})
		}
		var soft *autograd.Value
		tp.NoGrad(func() { soft = teacher.Forward(tp, x, b, t) })
		logits := model.Forward(tp, x, b, t)
		return compress.DistillLoss(tp, logits, soft.Data, y, temperature, alpha)
	}
}

func checkDistillSettings(temperature, alpha float32) error {
	switch {
	case !(temperature > 0) || temperature > 1e6:
		return fmt.Errorf("train: distillation temperature %v: want a positive number", temperature)
	case !(alpha >= 0 && alpha <= 1):
		return fmt.Errorf("train: distillation alpha %v: want 0 ≤ alpha ≤ 1", alpha)
	}
	return nil
}

// CheckTeacher reports whether a GPT of config teacher can teach one of
// config student: they must share the vocabulary, and the teacher's block
// must be at least as long as the student's.
func CheckTeacher(teacher, student nn.Config) error {
	switch {
	case teacher.VocabSize != student.VocabSize:
		return fmt.Errorf("train: the teacher's vocabulary has %d tokens and the student's %d: they must share one tokenizer", teacher.VocabSize, student.VocabSize)
	case teacher.BlockSize < student.BlockSize:
		return fmt.Errorf("train: the student's block size %d is longer than the teacher's %d", student.BlockSize, teacher.BlockSize)
	}
	return nil
}

// StudentFromTeacher returns a GPT of config c (its vocabulary taken from
// the teacher) initialised from the teacher: the token embeddings, the
// learned positions (their first c.BlockSize rows), the final LayerNorm, and
// as student block i a copy of teacher block layers[i] (a layer may be
// taken twice), with its sizes (c's per-layer head counts and MLP widths
// are replaced by those of the teacher's layers). Every copy is exact, so
// the student's shape must match the teacher's where it is copied: the same
// n_embd, n_head, positions (RoPE or learned) and biases, len(layers) =
// c.NLayer, each index a teacher layer, and a block no longer than the
// teacher's; otherwise it returns an error saying which. (A narrower student cannot be sliced out of the teacher
// here: train it fresh with DistillObjective instead.) The student's
// dropout and the seeds of its dropout layers come from c and seed, as
// nn.NewGPT's.
func StudentFromTeacher(teacher *nn.GPT, c nn.Config, layers []int, seed uint64) (*nn.GPT, error) {
	tc := teacher.Config
	c.VocabSize = tc.VocabSize
	bad := func(format string, args ...any) error {
		return fmt.Errorf("train: student from teacher layers: "+format, args...)
	}
	switch {
	case c.NEmbd != tc.NEmbd:
		return nil, bad("n_embd %d differs from the teacher's %d (copying layers needs the teacher's width)", c.NEmbd, tc.NEmbd)
	case c.NHead != tc.NHead:
		return nil, bad("n_head %d differs from the teacher's %d", c.NHead, tc.NHead)
	case c.RoPE != tc.RoPE:
		return nil, bad("rope=%v differs from the teacher's rope=%v", c.RoPE, tc.RoPE)
	case c.Bias != tc.Bias:
		return nil, bad("bias=%v differs from the teacher's bias=%v", c.Bias, tc.Bias)
	case c.BlockSize > tc.BlockSize:
		return nil, bad("block size %d is longer than the teacher's %d", c.BlockSize, tc.BlockSize)
	case len(layers) != c.NLayer:
		return nil, bad("%d layers %v for a student of n_layer %d", len(layers), layers, c.NLayer)
	}
	for _, l := range layers {
		if l < 0 || l >= tc.NLayer {
			return nil, bad("layer %d: the teacher has layers 0 to %d", l, tc.NLayer-1)
		}
	}
	// Each student block takes the sizes of the teacher block it copies
	// (a pruned teacher's layers may differ).
	c.LayerHeads, c.LayerMLP = nil, nil
	if !tc.Uniform() {
		for _, l := range layers {
			c.LayerHeads = append(c.LayerHeads, tc.Heads(l))
			c.LayerMLP = append(c.LayerMLP, tc.MLPWidth(l))
		}
		if c.Uniform() {
			c.LayerHeads, c.LayerMLP = nil, nil
		}
	}
	student, err := nn.NewGPT(c, seed)
	if err != nil {
		return nil, err
	}
	from := nn.StateDict(teacher)
	for _, p := range student.Params() {
		name := p.Name
		if rest, ok := strings.CutPrefix(name, "transformer.h."); ok {
			i, after, _ := strings.Cut(rest, ".")
			n, _ := strconv.Atoi(i)
			name = fmt.Sprintf("transformer.h.%d.%s", layers[n], after)
		}
		src, ok := from[name]
		dst := p.Value.Data
		switch {
		case !ok:
			return nil, bad("the teacher has no %s for the student's %s", name, p.Name)
		case p.Name == "transformer.wpe.weight" && src.Dim(1) == dst.Dim(1):
			copy(dst.Data(), src.Data()[:dst.Numel()]) // the first BlockSize positions
		case !src.SameShape(dst):
			return nil, bad("the teacher's %s is %v; the student's %s is %v", name, src.Shape(), p.Name, dst.Shape())
		default:
			copy(dst.Data(), src.Data())
		}
	}
	return student, nil
}

// Distillation is how a distillation run's student learns from its
// teacher. A Distiller's checkpoints record it in their metadata
// ("distillation", as JSON), so that ResumeDistiller continues the run with
// the same objective.
type Distillation struct {
	Teacher       string  `json:"teacher"`        // the teacher's checkpoint file, absolute
	TeacherSHA256 string  `json:"teacher_sha256"` // of that file, checked on resume; "" skips the check
	Temperature   float32 `json:"temperature"`
	Alpha         float32 `json:"alpha"`
}

// Distiller is a Trainer whose Objective is DistillObjective(Teacher, …)
// and whose checkpoints record the Distillation.
type Distiller struct {
	*Trainer
	Teacher      *nn.GPT
	Distillation Distillation
}

// LoadTeacher reads the teacher checkpoint at path (a training, model-only
// or quantized one) and returns it with a Distillation that names it: its
// absolute path, its SHA-256, temperature and alpha.
func LoadTeacher(path string, temperature, alpha float32) (*Checkpoint, Distillation, error) {
	if err := checkDistillSettings(temperature, alpha); err != nil {
		return nil, Distillation{}, err
	}
	ck, sum, err := loadHashed(path)
	if err != nil {
		return nil, Distillation{}, err
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, Distillation{}, fmt.Errorf("train: teacher %s: %w", path, err)
	}
	return ck, Distillation{Teacher: abs, TeacherSHA256: sum, Temperature: temperature, Alpha: alpha}, nil
}

// loadHashed loads the checkpoint at path and returns the SHA-256 of its
// bytes, reading the file once.
func loadHashed(path string) (*Checkpoint, string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, "", fmt.Errorf("train: teacher: %w", err)
	}
	sum := sha256.Sum256(b)
	f, err := safetensors.Decode(b)
	if err != nil {
		return nil, "", fmt.Errorf("train: checkpoint %s: %w", path, err)
	}
	ck, err := fromFile(f, path)
	if err != nil {
		return nil, "", err
	}
	return ck, hex.EncodeToString(sum[:]), nil
}

// NewDistiller returns a trainer that trains student, a fresh model (such
// as nn.NewGPT(cfg.Model, cfg.Seed), which is what New would train) or one
// from StudentFromTeacher, on cfg's recipe (cfg.Model is replaced by the
// student's config) with the objective of d from teacher. tok must be the
// teacher's tokenizer. It returns an error if cfg or d is invalid or the
// teacher cannot teach the student (CheckTeacher).
func NewDistiller(cfg Config, student *nn.GPT, tok tokenizer.Tokenizer, trainIDs, valIDs data.Source, teacher *nn.GPT, d Distillation) (*Distiller, error) {
	if err := checkDistillSettings(d.Temperature, d.Alpha); err != nil {
		return nil, err
	}
	if teacher == student {
		return nil, fmt.Errorf("train: the teacher and the student are the same model")
	}
	if err := CheckTeacher(teacher.Config, student.Config); err != nil {
		return nil, err
	}
	if v := tok.VocabSize(); v != student.Config.VocabSize {
		return nil, fmt.Errorf("train: the tokenizer has %d tokens and the student's vocabulary %d", v, student.Config.VocabSize)
	}
	tr, err := NewFromModel(cfg, student, tok, trainIDs, valIDs)
	if err != nil {
		return nil, err
	}
	tr.Objective = DistillObjective(teacher, d.Temperature, d.Alpha)
	return &Distiller{Trainer: tr, Teacher: teacher, Distillation: d}, nil
}

// Save writes a training checkpoint as Trainer.Save does, atomically, with
// the Distillation in its metadata.
func (ds *Distiller) Save(path string) error {
	meta, err := json.Marshal(ds.Distillation)
	if err != nil {
		return err
	}
	return ds.Trainer.save(path, map[string]string{keyDistill: string(meta)})
}

// DistillationOf returns the Distillation recorded in a checkpoint written
// by Distiller.Save; ok is false for any other checkpoint.
func DistillationOf(ck *Checkpoint) (d Distillation, ok bool, err error) {
	if ck.file == nil {
		return d, false, nil
	}
	s, ok := ck.file.Metadata[keyDistill]
	if !ok {
		return d, false, nil
	}
	if err := json.Unmarshal([]byte(s), &d); err != nil {
		return d, true, fmt.Errorf("train: checkpoint's distillation %q: %w", s, err)
	}
	return d, true, nil
}

// ResumeDistiller continues the distillation run saved in path by
// Distiller.Save exactly where it stopped, as Resume does, distilling from
// the recorded teacher — or from teacherPath, when not "", which must hold
// the same bytes (SHA-256) as the teacher the run started with. (Resume
// refuses such a run.)
func ResumeDistiller(path, teacherPath string, trainIDs, valIDs data.Source) (*Distiller, error) {
	ck, err := Load(path)
	if err != nil {
		return nil, err
	}
	bad := func(format string, args ...any) error {
		return fmt.Errorf("train: resume from %s: %s", path, fmt.Sprintf(format, args...))
	}
	d, ok, err := DistillationOf(ck)
	switch {
	case err != nil:
		return nil, bad("%v", err)
	case !ok:
		return nil, bad("not a distillation run (no %q in the metadata)", keyDistill)
	case teacherPath == "" && d.Teacher == "":
		return nil, bad("the run recorded no teacher checkpoint")
	}
	if err := checkDistillSettings(d.Temperature, d.Alpha); err != nil {
		return nil, bad("%v", err)
	}
	if teacherPath == "" {
		teacherPath = d.Teacher
	}
	tck, sum, err := loadHashed(teacherPath)
	if err != nil {
		return nil, bad("the run's teacher: %v", err)
	}
	if d.TeacherSHA256 != "" && sum != d.TeacherSHA256 {
		return nil, bad("the teacher %s has changed since the run started (SHA-256 %s, recorded %s)", teacherPath, sum, d.TeacherSHA256)
	}
	if err := CheckTeacher(tck.Model.Config, ck.Model.Config); err != nil {
		return nil, bad("%v", err)
	}
	tr, err := resume(ck, trainIDs, valIDs, true)
	if err != nil {
		return nil, err
	}
	if abs, err := filepath.Abs(teacherPath); err == nil {
		d.Teacher = abs
	}
	tr.Objective = DistillObjective(tck.Model, d.Temperature, d.Alpha)
	return &Distiller{Trainer: tr, Teacher: tck.Model, Distillation: d}, nil
}
