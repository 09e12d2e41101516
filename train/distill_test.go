package train

import (
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tapegrad/tapegrad/autograd"
	"github.com/tapegrad/tapegrad/compress"
	"github.com/tapegrad/tapegrad/nn"
	"github.com/tapegrad/tapegrad/tensor"
)

// testTeacher returns a random GPT wider and deeper than testConfig's
// model, with dropout on (DistillObjective must switch it off), on tok's
// vocabulary.
func testTeacher(t testing.TB, vocab int) *nn.GPT {
	t.Helper()
	g, err := nn.NewGPT(nn.Config{VocabSize: vocab, BlockSize: 12, NLayer: 2, NHead: 2, NEmbd: 24, Bias: true, Dropout: 0.2}, 99)
	if err != nil {
		t.Fatal(err)
	}
	g.SetTraining(true)
	return g
}

// saveTeacher writes teacher as a model-only checkpoint and returns its path.
func saveTeacher(t *testing.T, teacher *nn.GPT, name string, seed uint64) string {
	t.Helper()
	tok, _, _ := testSplits(t)
	path := filepath.Join(t.TempDir(), name)
	if err := SaveModel(path, Config{Model: teacher.Config, Seed: seed}, teacher, tok); err != nil {
		t.Fatal(err)
	}
	return path
}

func bitsEqual(a, b []float32) int {
	if len(a) != len(b) {
		return 0
	}
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return i
		}
	}
	return -1
}

// TestDistillObjectiveByHand: the objective's loss and gradients are those
// of compress.DistillLoss on the teacher's logits computed separately.
func TestDistillObjectiveByHand(t *testing.T) {
	tok, trIDs, _ := testSplits(t)
	v := tok.VocabSize()
	teacher := testTeacher(t, v)
	cfg := testConfig()
	cfg.Model.VocabSize = v
	cfg.Model.Dropout = 0
	const b, tt = 3, 8
	x, y := []int(trIDs[:b*tt]), []int(trIDs[1:b*tt+1])
	for _, c := range []struct{ T, alpha float32 }{{1, 1}, {2, 0.5}, {4, 0.9}, {2, 0}} {
		grads := func(byHand bool) (float32, map[string][]float32) {
			student, err := nn.NewGPT(cfg.Model, 5)
			if err != nil {
				t.Fatal(err)
			}
			tp := autograd.NewTape()
			var loss *autograd.Value
			if byHand {
				teacher.SetTraining(false)
				ttp := autograd.NewTape()
				var soft *autograd.Value
				ttp.NoGrad(func() { soft = teacher.Forward(ttp, x, b, tt) })
				logits := student.Forward(tp, x, b, tt)
				loss = compress.DistillLoss(tp, logits, soft.Data, y, c.T, c.alpha)
				teacher.SetTraining(true)
			} else {
				loss = DistillObjective(teacher, c.T, c.alpha)(tp, student, x, y, b, tt)
			}
			tp.Backward(loss)
			g := map[string][]float32{}
			for _, p := range student.Params() {
				g[p.Name] = p.Value.Grad.Data()
			}
			return loss.Item(), g
		}
		want, wantG := grads(true)
		got, gotG := grads(false)
		if math.Float32bits(got) != math.Float32bits(want) {
			t.Errorf("T=%v alpha=%v: objective %v; DistillLoss by hand %v", c.T, c.alpha, got, want)
		}
		for name, w := range wantG {
			if i := bitsEqual(gotG[name], w); i >= 0 {
				t.Errorf("T=%v alpha=%v: grad %s[%d] = %v; by hand %v", c.T, c.alpha, name, i, gotG[name][i], w[i])
			}
		}
	}
	for _, d := range teacher.Dropouts() {
		if d.Training || d.Calls != 0 {
			t.Errorf("teacher dropout training=%v calls=%d after DistillObjective; want off and unused", d.Training, d.Calls)
		}
	}
}

// TestDistillAlphaZeroIsCrossEntropy: with alpha = 0 a distiller trains a
// fresh student exactly as New trains the same model with cross-entropy,
// bit for bit (dropout, accumulation, shards and all).
func TestDistillAlphaZeroIsCrossEntropy(t *testing.T) {
	tok, trIDs, vaIDs := testSplits(t)
	cfg := testConfig()
	cfg.Shards = 2
	plain, err := New(cfg, tok, trIDs, vaIDs)
	if err != nil {
		t.Fatal(err)
	}
	want := losses(t, plain, 8)

	cfg.Model.VocabSize = tok.VocabSize()
	student, err := nn.NewGPT(cfg.Model, cfg.Seed)
	if err != nil {
		t.Fatal(err)
	}
	ds, err := NewDistiller(cfg, student, tok, trIDs, vaIDs, testTeacher(t, tok.VocabSize()), Distillation{Temperature: 2, Alpha: 0})
	if err != nil {
		t.Fatal(err)
	}
	got := losses(t, ds.Trainer, 8)
	for i := range want {
		if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
			t.Errorf("step %d: loss %v distilling with alpha 0; %v with cross-entropy", i+1, got[i], want[i])
		}
	}
	w := nn.StateDict(plain.Model)
	for name, g := range nn.StateDict(ds.Model) {
		if i := bitsEqual(g.Data(), w[name].Data()); i >= 0 {
			t.Errorf("%s[%d] = %v distilled; %v trained", name, i, g.Data()[i], w[name].Data()[i])
		}
	}
}

// TestDistillShardsShareTeacher runs shards concurrently on one teacher
// (run it with -race) and checks that distillation pulls the student
// towards the teacher: the soft loss falls.
func TestDistillShardsShareTeacher(t *testing.T) {
	tok, trIDs, vaIDs := testSplits(t)
	cfg := testConfig()
	cfg.Shards = 4
	cfg.MaxIters = 30
	cfg.Model.VocabSize = tok.VocabSize()
	student, err := nn.NewGPT(cfg.Model, cfg.Seed)
	if err != nil {
		t.Fatal(err)
	}
	teacher := testTeacher(t, tok.VocabSize())
	ds, err := NewDistiller(cfg, student, tok, trIDs, vaIDs, teacher, Distillation{Temperature: 2, Alpha: 1})
	if err != nil {
		t.Fatal(err)
	}
	l := losses(t, ds.Trainer, 30)
	if !(l[len(l)-1] < l[0]/2) {
		t.Errorf("soft loss %v at step 1, %v at step 30; want it at least halved", l[0], l[len(l)-1])
	}
	for _, d := range teacher.Dropouts() {
		if d.Calls != 0 {
			t.Errorf("a teacher dropout layer ran %d times", d.Calls)
		}
	}
}

func TestDistillErrors(t *testing.T) {
	tok, trIDs, vaIDs := testSplits(t)
	v := tok.VocabSize()
	cfg := testConfig()
	cfg.Model.VocabSize = v
	student, err := nn.NewGPT(cfg.Model, 1)
	if err != nil {
		t.Fatal(err)
	}
	teacher := testTeacher(t, v)
	otherVocab := testTeacher(t, v+1)
	short, _ := nn.NewGPT(nn.Config{VocabSize: v, BlockSize: 4, NLayer: 1, NHead: 1, NEmbd: 8}, 1)
	ok := Distillation{Temperature: 2, Alpha: 0.5}
	for _, c := range []struct {
		name    string
		teacher *nn.GPT
		d       Distillation
		want    string
	}{
		{"vocab", otherVocab, ok, "vocabulary"},
		{"block", short, ok, "block size 8 is longer than the teacher's 4"},
		{"temperature", teacher, Distillation{Temperature: 0, Alpha: 0.5}, "temperature"},
		{"nan temperature", teacher, Distillation{Temperature: float32(math.NaN()), Alpha: 0.5}, "temperature"},
		{"alpha", teacher, Distillation{Temperature: 2, Alpha: 1.5}, "alpha"},
		{"itself", student, ok, "same model"},
	} {
		_, err := NewDistiller(cfg, student, tok, trIDs, vaIDs, c.teacher, c.d)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: NewDistiller error %v; want one mentioning %q", c.name, err, c.want)
		}
	}
	// The objective itself panics with a shape error on a mismatch.
	func() {
		defer func() {
			if _, ok := recover().(*tensor.ShapeError); !ok {
				t.Errorf("DistillObjective with another vocabulary did not panic with a *tensor.ShapeError")
			}
		}()
		tp := autograd.NewTape()
		DistillObjective(otherVocab, 2, 0.5)(tp, student, trIDs[:8], trIDs[1:9], 1, 8)
	}()
	func() {
		defer func() {
			if recover() == nil {
				t.Errorf("DistillObjective with alpha 2 did not panic")
			}
		}()
		DistillObjective(teacher, 2, 2)
	}()
}

func TestStudentFromTeacher(t *testing.T) {
	tok, _, _ := testSplits(t)
	teacher := testTeacher(t, tok.VocabSize())
	tc := teacher.Config
	c := tc
	c.NLayer, c.BlockSize, c.Dropout = 2, 8, 0
	student, err := StudentFromTeacher(teacher, c, []int{1, 1}, 3)
	if err != nil {
		t.Fatal(err)
	}
	ts, ss := nn.StateDict(teacher), nn.StateDict(student)
	for name, want := range map[string]string{
		"transformer.wte.weight":             "transformer.wte.weight",
		"transformer.ln_f.weight":            "transformer.ln_f.weight",
		"transformer.h.0.attn.c_attn.weight": "transformer.h.1.attn.c_attn.weight",
		"transformer.h.1.mlp.c_proj.bias":    "transformer.h.1.mlp.c_proj.bias",
		"transformer.h.0.ln_2.bias":          "transformer.h.1.ln_2.bias",
		"transformer.h.1.attn.c_proj.weight": "transformer.h.1.attn.c_proj.weight",
		"transformer.h.0.mlp.c_fc.weight":    "transformer.h.1.mlp.c_fc.weight",
		"transformer.h.1.ln_1.weight":        "transformer.h.1.ln_1.weight",
		"transformer.h.0.attn.c_attn.bias":   "transformer.h.1.attn.c_attn.bias",
		"transformer.h.1.attn.c_proj.bias":   "transformer.h.1.attn.c_proj.bias",
	} {
		if i := bitsEqual(ss[name].Data(), ts[want].Data()); i >= 0 {
			t.Errorf("student %s[%d] = %v; teacher %s has %v", name, i, ss[name].Data()[i], want, ts[want].Data()[i])
		}
	}
	wpe := ts["transformer.wpe.weight"].Data()[:8*tc.NEmbd]
	if i := bitsEqual(ss["transformer.wpe.weight"].Data(), wpe); i >= 0 {
		t.Errorf("student wpe[%d] differs from the teacher's first 8 positions", i)
	}
	if student.Config.Dropout != 0 || student.Config.NLayer != 2 {
		t.Errorf("student config %v; want the one asked for", student.Config)
	}

	// A pruned teacher's layers give their sizes to the blocks that copy them.
	pc := tc
	pc.LayerHeads, pc.LayerMLP = []int{1, 2}, []int{10, 4 * tc.NEmbd}
	pruned, err := nn.NewGPT(pc, 4)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range []struct {
		layers     []int
		heads, mlp []int
	}{{[]int{0, 1}, []int{1, 2}, []int{10, 96}}, {[]int{1, 1}, nil, nil}, {[]int{1, 0}, []int{2, 1}, []int{96, 10}}} {
		s, err := StudentFromTeacher(pruned, c, l.layers, 3)
		if err != nil {
			t.Fatalf("layers %v of a pruned teacher: %v", l.layers, err)
		}
		if !slices.Equal(s.Config.LayerHeads, l.heads) || !slices.Equal(s.Config.LayerMLP, l.mlp) {
			t.Errorf("layers %v of a pruned teacher: heads %v, mlp %v; want %v, %v", l.layers, s.Config.LayerHeads, s.Config.LayerMLP, l.heads, l.mlp)
		}
	}

	for _, bad := range []struct {
		name   string
		edit   func(*nn.Config)
		layers []int
		want   string
	}{
		{"narrower", func(c *nn.Config) { c.NEmbd = 16 }, []int{0, 1}, "n_embd 16 differs from the teacher's 24"},
		{"heads", func(c *nn.Config) { c.NHead = 4 }, []int{0, 1}, "n_head"},
		{"rope", func(c *nn.Config) { c.RoPE = true }, []int{0, 1}, "rope"},
		{"longer", func(c *nn.Config) { c.BlockSize = 16 }, []int{0, 1}, "block size 16"},
		{"count", func(*nn.Config) {}, []int{0}, "1 layers"},
		{"range", func(*nn.Config) {}, []int{0, 2}, "layer 2: the teacher has layers 0 to 1"},
		{"negative", func(*nn.Config) {}, []int{-1, 0}, "layer -1"},
	} {
		c2 := c
		bad.edit(&c2)
		_, err := StudentFromTeacher(teacher, c2, bad.layers, 3)
		if err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%s: StudentFromTeacher error %v; want one mentioning %q", bad.name, err, bad.want)
		}
	}
}

// TestDistillerResume: a distillation run saved after 5 steps and resumed
// from its checkpoint keeps distilling and gives the losses of a run never
// stopped, bit for bit; a changed teacher is refused.
func TestDistillerResume(t *testing.T) {
	tok, trIDs, vaIDs := testSplits(t)
	teacherPath := saveTeacher(t, testTeacher(t, tok.VocabSize()), "teacher.safetensors", 99)
	cfg := testConfig()
	cfg.Model.VocabSize = tok.VocabSize()
	start := func() *Distiller {
		tck, d, err := LoadTeacher(teacherPath, 3, 0.7)
		if err != nil {
			t.Fatal(err)
		}
		student, err := nn.NewGPT(cfg.Model, cfg.Seed)
		if err != nil {
			t.Fatal(err)
		}
		ds, err := NewDistiller(cfg, student, tck.Tokenizer, trIDs, vaIDs, tck.Model, d)
		if err != nil {
			t.Fatal(err)
		}
		return ds
	}
	want := losses(t, start().Trainer, 10)

	ds := start()
	first := losses(t, ds.Trainer, 5)
	dir := t.TempDir()
	ckpt := filepath.Join(dir, "ckpt.safetensors")
	if err := ds.Save(ckpt); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("Save left %d files in the folder; want the checkpoint only", len(entries))
	}
	ck, err := Load(ckpt)
	if err != nil {
		t.Fatal(err)
	}
	if d, ok, err := DistillationOf(ck); err != nil || !ok || d != ds.Distillation {
		t.Errorf("DistillationOf = %+v, %v, %v; want %+v", d, ok, err, ds.Distillation)
	}
	re, err := ResumeDistiller(ckpt, "", trIDs, vaIDs)
	if err != nil {
		t.Fatal(err)
	}
	got := append(first, losses(t, re.Trainer, 5)...)
	for i := range want {
		if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
			t.Errorf("step %d: loss %v resumed; %v straight", i+1, got[i], want[i])
		}
	}

	// A plain training checkpoint is not a distillation run.
	plain, err := New(testConfig(), tok, trIDs, vaIDs)
	if err != nil {
		t.Fatal(err)
	}
	plainPath := filepath.Join(dir, "plain.safetensors")
	if err := plain.Save(plainPath); err != nil {
		t.Fatal(err)
	}
	if _, err := ResumeDistiller(plainPath, "", trIDs, vaIDs); err == nil || !strings.Contains(err.Error(), "not a distillation run") {
		t.Errorf("ResumeDistiller of a plain run: %v", err)
	}
	// Plain Resume would drop the teacher: refused.
	if _, err := Resume(ckpt, trIDs, vaIDs); err == nil || !strings.Contains(err.Error(), "a distillation run") {
		t.Errorf("Resume of a distillation run: %v", err)
	}
	// Another teacher is refused.
	other := saveTeacher(t, testTeacher(t, tok.VocabSize()), "other.safetensors", 98) // same weights, another seed in the config
	if _, err := ResumeDistiller(ckpt, other, trIDs, vaIDs); err == nil || !strings.Contains(err.Error(), "changed") {
		t.Errorf("ResumeDistiller with another teacher: %v", err)
	}
	os.Remove(teacherPath)
	if _, err := ResumeDistiller(ckpt, "", trIDs, vaIDs); err == nil || !strings.Contains(err.Error(), "teacher") {
		t.Errorf("ResumeDistiller without its teacher: %v", err)
	}
}
