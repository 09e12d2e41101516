package compress

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"slices"
	"sort"
	"testing"

	"github.com/tapegrad/tapegrad/autograd"
	"github.com/tapegrad/tapegrad/internal/golden"
	"github.com/tapegrad/tapegrad/tensor"
)

// The golden file holds pruning masks computed by PyTorch's
// torch.nn.utils.prune, per-row int8 by torch, Q8_0 and Q4_0 blocks by
// ggml's reference rules in numpy, and the distillation loss by PyTorch
// (../shared/ref/gen_compress_golden.py). Another file of the same format
// runs with -golden-compress FILE.
var goldenCompress = flag.String("golden-compress", "testdata/golden/compress.json", "golden file of pruning masks, quantized blocks and distillation losses")

// field is a check's field: a number or a nested list of numbers, which
// flattens to row-major data with its shape.
type field struct {
	shape []int
	data  []float64
}

func (f *field) UnmarshalJSON(b []byte) error {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	f.shape, f.data = nil, nil
	return f.walk(v, 0)
}

func (f *field) walk(v any, depth int) error {
	switch v := v.(type) {
	case float64:
		if depth != len(f.shape) {
			return fmt.Errorf("ragged list")
		}
		f.data = append(f.data, v)
	case []any:
		if depth == len(f.shape) && len(f.data) == 0 {
			f.shape = append(f.shape, len(v))
		} else if depth >= len(f.shape) || f.shape[depth] != len(v) {
			return fmt.Errorf("ragged list")
		}
		for _, e := range v {
			if err := f.walk(e, depth+1); err != nil {
				return err
			}
		}
	default:
		return fmt.Errorf("%T is not a number or a list", v)
	}
	return nil
}

func (f field) tensor() *tensor.Tensor { return golden.Tensor{Shape: f.shape, Data: f.data}.Float32() }
func (f field) golden() golden.Tensor  { return golden.Tensor{Shape: f.shape, Data: f.data} }
func (f field) ints() []int            { return golden.Tensor{Data: f.data}.Ints() }
func (f field) float32s() []float32    { return f.tensor().Data() }
func (f field) num() float64           { return f.data[0] }

// check is one object of the file: its fields by name.
type check struct {
	name   string
	fields map[string]field
}

func (c check) f(name string) field { return c.fields[name] }

// need returns an error unless the check has every named field.
func (c check) need(names ...string) error {
	for _, n := range names {
		if _, ok := c.fields[n]; !ok {
			return fmt.Errorf("check %s: no field %q", c.name, n)
		}
	}
	return nil
}

// exact fails unless got equals want value for value (as float32s, so −0
// equals 0) with want's shape.
func exact(t *testing.T, what string, got *tensor.Tensor, want field) {
	t.Helper()
	golden.Compare(t, what, got, want.golden(), 0, 0)
}

// goldenChecks runs one check by its name; it returns an error for a check
// or a field it does not know how to run.
var goldenChecks = map[string]func(t *testing.T, c check) error{
	"l1_unstructured": func(t *testing.T, c check) error {
		if err := c.need("weight", "amount", "mask_after_1", "mask_after_2", "weight_after_remove"); err != nil {
			return err
		}
		p := NewPruned(c.f("weight").tensor())
		amount := Fraction(c.f("amount").num())
		for _, m := range []string{"mask_after_1", "mask_after_2"} {
			if err := p.L1Unstructured(amount); err != nil {
				t.Fatal(err)
			}
			exact(t, m, p.Mask, c.f(m))
		}
		exact(t, "weight_after_remove", p.Remove(), c.f("weight_after_remove"))
		return nil
	},
	"ln_structured": func(t *testing.T, c check) error {
		if err := c.need("weight", "amount", "n", "dim", "mask"); err != nil {
			return err
		}
		p := NewPruned(c.f("weight").tensor())
		if err := p.LnStructured(Fraction(c.f("amount").num()), c.f("n").num(), int(c.f("dim").num())); err != nil {
			t.Fatal(err)
		}
		exact(t, "mask", p.Mask, c.f("mask"))
		return nil
	},
	"global_unstructured": func(t *testing.T, c check) error {
		if err := c.need("a", "b", "amount", "mask_a", "mask_b"); err != nil {
			return err
		}
		a, b := NewPruned(c.f("a").tensor()), NewPruned(c.f("b").tensor())
		if err := GlobalUnstructured([]*Pruned{a, b}, Fraction(c.f("amount").num())); err != nil {
			t.Fatal(err)
		}
		exact(t, "mask_a", a.Mask, c.f("mask_a"))
		exact(t, "mask_b", b.Mask, c.f("mask_b"))
		return nil
	},
	"int8_per_channel": func(t *testing.T, c check) error {
		if err := c.need("weight", "axis", "qmax", "scales", "q"); err != nil {
			return err
		}
		if ax, qmax := c.f("axis").num(), c.f("qmax").num(); ax != 0 || qmax != 127 {
			return fmt.Errorf("check %s: axis %v, qmax %v; only axis 0 and qmax 127 are supported", c.name, ax, qmax)
		}
		q := QuantizeInt8(c.f("weight").tensor())
		exact(t, "scales", tensor.FromSlice(q.Scale, len(q.Scale)), c.f("scales"))
		qs := make([]float32, len(q.Q))
		for i, v := range q.Q {
			qs[i] = float32(v)
		}
		exact(t, "q", tensor.FromSlice(qs, q.Shape...), c.f("q"))
		deq := q.Dequantize()
		for i, v := range q.Q {
			if want := float32(v) * q.Scale[i/q.Cols()]; deq.Data()[i] != want {
				t.Fatalf("dequant[%d] = %v; want %v", i, deq.Data()[i], want)
			}
		}
		return nil
	},
	"q8_0_block": func(t *testing.T, c check) error {
		if err := c.need("x", "d_fp16_bits", "qs", "dequant"); err != nil {
			return err
		}
		b, err := AppendQ8_0(nil, c.f("x").float32s())
		if err != nil {
			t.Fatal(err)
		}
		var ds []int
		var qs []int
		for k := 0; k < len(b); k += Q8_0BlockBytes {
			ds = append(ds, int(b[k])|int(b[k+1])<<8)
			for _, q := range b[k+2 : k+Q8_0BlockBytes] {
				qs = append(qs, int(int8(q)))
			}
		}
		compareInts(t, "d_fp16_bits", ds, c.f("d_fp16_bits").ints())
		compareInts(t, "qs", qs, c.f("qs").ints())
		y, err := DequantizeQ8_0(nil, b)
		if err != nil {
			t.Fatal(err)
		}
		exact(t, "dequant", tensor.FromSlice(y, len(y)), c.f("dequant"))
		return nil
	},
	"q4_0_block": func(t *testing.T, c check) error {
		if err := c.need("x", "d_fp16_bits", "qs_bytes", "dequant"); err != nil {
			return err
		}
		b, err := AppendQ4_0(nil, c.f("x").float32s())
		if err != nil {
			t.Fatal(err)
		}
		var ds []int
		var qs []int
		for k := 0; k < len(b); k += Q4_0BlockBytes {
			ds = append(ds, int(b[k])|int(b[k+1])<<8)
			for _, q := range b[k+2 : k+Q4_0BlockBytes] {
				qs = append(qs, int(q))
			}
		}
		compareInts(t, "d_fp16_bits", ds, c.f("d_fp16_bits").ints())
		compareInts(t, "qs_bytes", qs, c.f("qs_bytes").ints())
		y, err := DequantizeQ4_0(nil, b)
		if err != nil {
			t.Fatal(err)
		}
		exact(t, "dequant", tensor.FromSlice(y, len(y)), c.f("dequant"))
		return nil
	},
	"distillation": func(t *testing.T, c check) error {
		if err := c.need("student_logits", "teacher_logits", "label", "T", "alpha", "soft_term", "hard_term", "loss"); err != nil {
			return err
		}
		T, alpha := float32(c.f("T").num()), float32(c.f("alpha").num())
		s := autograd.Param(c.f("student_logits").tensor())
		teacher, labels := c.f("teacher_logits").tensor(), c.f("label").ints()
		tp := autograd.NewTape()
		golden.Compare(t, "soft_term", SoftLoss(tp, s, teacher, T).Data, c.f("soft_term").golden(), 1e-4, 1e-5)
		golden.Compare(t, "hard_term", tp.CrossEntropy(s, labels, -100).Data, c.f("hard_term").golden(), 1e-4, 1e-5)
		loss := DistillLoss(tp, s, teacher, labels, T, alpha)
		golden.Compare(t, "loss", loss.Data, c.f("loss").golden(), 1e-4, 1e-5)
		return nil
	},
}

func compareInts(t *testing.T, what string, got, want []int) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Fatalf("%s = %v; want %v", what, got, want)
	}
}

// TestGoldenCompress runs every check of the golden file; a check it does
// not know fails. Masks, int8 values and scales, and Q8_0/Q4_0 bytes and
// dequantized values must match exactly; the distillation terms within 1e-4
// relative (+1e-5 absolute) of PyTorch's float32 results.
func TestGoldenCompress(t *testing.T) {
	raw, err := os.ReadFile(*goldenCompress)
	if err != nil {
		t.Fatal(err)
	}
	var file map[string]map[string]json.RawMessage
	if err := json.Unmarshal(raw, &file); err != nil {
		t.Fatalf("%s: %v", *goldenCompress, err)
	}
	if len(file) == 0 {
		t.Fatalf("%s holds no checks", *goldenCompress)
	}
	names := make([]string, 0, len(file))
	for name := range file {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			run, ok := goldenChecks[name]
			if !ok {
				t.Fatalf("unknown check %q", name)
			}
			c := check{name: name, fields: map[string]field{}}
			for k, v := range file[name] {
				var f field
				if err := json.Unmarshal(v, &f); err != nil {
					continue // a note or another non-numeric field
				}
				c.fields[k] = f
			}
			if err := run(t, c); err != nil {
				t.Fatal(err)
			}
		})
	}
}
