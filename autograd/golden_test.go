package autograd

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"testing"

	"github.com/tapegrad/tapegrad/internal/golden"
)

// The golden file holds per-op values and gradients computed by PyTorch in
// float64 (../shared/ref/gen_golden.py); see ../shared/README.md. Another
// file of the same format runs with -golden-ops FILE.
var goldenOps = flag.String("golden-ops", "testdata/golden/ops.json", "PyTorch golden file of per-op values and gradients")

type goldenCase struct {
	Op         string                   `json:"op"`
	Attrs      map[string]any           `json:"attrs"`
	Inputs     map[string]golden.Tensor `json:"inputs"`
	IntInputs  map[string]golden.Tensor `json:"int_inputs"`
	Output     golden.Tensor            `json:"output"`
	GradOutput golden.Tensor            `json:"grad_output"`
	Grads      map[string]golden.Tensor `json:"grads"`
}

// goldenOp runs one case's op on the tape; in holds the float inputs by
// name. It returns an error for an op or attribute it does not know.
func goldenOp(tp *Tape, c goldenCase, in map[string]*Value) (*Value, error) {
	attr := func(name string) (any, error) {
		v, ok := c.Attrs[name]
		if !ok {
			return nil, fmt.Errorf("op %s: missing attribute %q", c.Op, name)
		}
		return v, nil
	}
	num := func(name string) (float64, error) {
		v, err := attr(name)
		if err != nil {
			return 0, err
		}
		f, ok := v.(float64)
		if !ok {
			return 0, fmt.Errorf("op %s: attribute %q = %v is not a number", c.Op, name, v)
		}
		return f, nil
	}
	want := func(name, value string) error {
		v, err := attr(name)
		if err != nil {
			return err
		}
		if v != value {
			return fmt.Errorf("op %s: attribute %s = %v; only %q is supported", c.Op, name, v, value)
		}
		return nil
	}
	lastAxis := func(x *Value) error {
		ax, err := num("axis")
		if err != nil {
			return err
		}
		if int(ax) != -1 && int(ax) != x.Data.Dims()-1 {
			return fmt.Errorf("op %s: axis %v; only the last axis is supported", c.Op, ax)
		}
		return nil
	}
	switch c.Op {
	case "matmul", "batched_matmul":
		return tp.MatMul(in["a"], in["b"]), nil
	case "add_broadcast", "add":
		return tp.Add(in["a"], in["b"]), nil
	case "sub":
		return tp.Sub(in["a"], in["b"]), nil
	case "mul_broadcast", "mul":
		return tp.Mul(in["a"], in["b"]), nil
	case "div":
		return tp.Div(in["a"], in["b"]), nil
	case "exp":
		return tp.Exp(in["x"]), nil
	case "log":
		return tp.Log(in["x"]), nil
	case "tanh":
		return tp.Tanh(in["x"]), nil
	case "sigmoid":
		return tp.Sigmoid(in["x"]), nil
	case "relu":
		return tp.Relu(in["x"]), nil
	case "silu":
		return tp.Silu(in["x"]), nil
	case "gelu", "gelu_tanh":
		v, err := attr("approximate")
		if err != nil {
			return nil, err
		}
		switch v {
		case "none":
			return tp.Gelu(in["x"]), nil
		case "tanh":
			return tp.GeluTanh(in["x"]), nil
		}
		return nil, fmt.Errorf("op %s: unknown approximate %v", c.Op, v)
	case "sum_axis":
		ax, err := num("axis")
		if err != nil {
			return nil, err
		}
		return tp.Sum(in["x"], int(ax), false), nil
	case "mean_all":
		return tp.MeanAll(in["x"]), nil
	case "sum_all":
		return tp.SumAll(in["x"]), nil
	case "softmax":
		if err := lastAxis(in["x"]); err != nil {
			return nil, err
		}
		return tp.Softmax(in["x"]), nil
	case "log_softmax":
		if err := lastAxis(in["x"]); err != nil {
			return nil, err
		}
		return tp.LogSoftmax(in["x"]), nil
	case "cross_entropy":
		if err := want("reduction", "mean"); err != nil {
			return nil, err
		}
		t, ok := c.IntInputs["targets"]
		if !ok {
			return nil, fmt.Errorf("op %s: no targets", c.Op)
		}
		return tp.CrossEntropy(in["logits"], t.Ints(), -100), nil
	case "layer_norm":
		eps, err := num("eps")
		if err != nil {
			return nil, err
		}
		return tp.LayerNorm(in["x"], in["w"], in["b"], float32(eps)), nil
	case "rms_norm":
		eps, err := num("eps")
		if err != nil {
			return nil, err
		}
		return tp.RMSNorm(in["x"], in["w"], float32(eps)), nil
	case "embedding":
		idx, ok := c.IntInputs["idx"]
		if !ok {
			return nil, fmt.Errorf("op %s: no idx", c.Op)
		}
		return tp.Embedding(in["w"], idx.Ints(), idx.Shape...), nil
	case "rope":
		if err := want("pairing", "rotate_half"); err != nil {
			return nil, err
		}
		if err := want("layout", "[B,H,T,hd]"); err != nil {
			return nil, err
		}
		base, err := num("base")
		if err != nil {
			return nil, err
		}
		return tp.RoPE(in["x"], base, 0), nil
	case "causal_attention":
		if err := want("layout", "[B,H,T,hd]"); err != nil {
			return nil, err
		}
		scale, err := num("scale")
		if err != nil {
			return nil, err
		}
		return tp.CausalAttention(in["q"], in["k"], in["v"], float32(scale)), nil
	case "transpose_last2":
		return tp.Transpose(in["x"], -2, -1), nil
	case "reshape":
		v, err := attr("shape")
		if err != nil {
			return nil, err
		}
		list, _ := v.([]any)
		shape := make([]int, len(list))
		for i, d := range list {
			f, ok := d.(float64)
			if !ok {
				return nil, fmt.Errorf("op %s: bad shape %v", c.Op, v)
			}
			shape[i] = int(f)
		}
		return tp.Reshape(in["x"], shape...), nil
	}
	return nil, fmt.Errorf("unknown op %q", c.Op)
}

// TestGoldenOps runs every case of the golden file: the forward value within
// 1e-4 relative (+1e-5 absolute) and every input gradient within 1e-3
// relative (+1e-4 absolute) of PyTorch's float64 results, with backward
// seeded by the file's grad_output.
func TestGoldenOps(t *testing.T) {
	raw, err := os.ReadFile(*goldenOps)
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Seed  int          `json:"seed"`
		Cases []goldenCase `json:"cases"`
	}
	if err := json.Unmarshal(raw, &file); err != nil {
		t.Fatalf("%s: %v", *goldenOps, err)
	}
	if len(file.Cases) == 0 {
		t.Fatalf("%s holds no cases", *goldenOps)
	}
	for i, c := range file.Cases {
		t.Run(fmt.Sprintf("%d/%s", i, c.Op), func(t *testing.T) {
			tp := NewTape()
			in := map[string]*Value{}
			for name, g := range c.Inputs {
				in[name] = Param(g.Float32())
			}
			out, err := goldenOp(tp, c, in)
			if err != nil {
				t.Fatal(err)
			}
			golden.Compare(t, "output", out.Data, c.Output, 1e-4, 1e-5)
			tp.BackwardWith(out, c.GradOutput.Float32())
			for name, want := range c.Grads {
				v, ok := in[name]
				if !ok {
					t.Fatalf("gradient for unknown input %q", name)
				}
				if v.Grad == nil {
					t.Fatalf("no gradient reached input %q", name)
				}
				golden.Compare(t, "grad "+name, v.Grad, want, 1e-3, 1e-4)
			}
		})
	}
}
