package train

import (
	"fmt"
	"math"
	"strings"

	"github.com/tapegrad/tapegrad/compress"
	"github.com/tapegrad/tapegrad/nn"
	"github.com/tapegrad/tapegrad/tensor"
	"github.com/tapegrad/tapegrad/tensor/safetensors"
	"github.com/tapegrad/tapegrad/tokenizer"
)

// keyQuant is the metadata key that names a checkpoint's quantization
// scheme; a float32 checkpoint has none.
const keyQuant = "quantization"

// The quantization schemes of SaveQuantized.
const (
	Int8 = "int8" // int8 per output row, symmetric, with a float32 scale per row
	Q8_0 = "q8_0" // ggml's Q8_0 blocks of 32 values (34 bytes)
	Q4_0 = "q4_0" // ggml's Q4_0 blocks of 32 values (18 bytes)
)

// The suffixes of quantized tensors' names.
const (
	sufQ     = ".q"     // Int8: I8 [out, in]
	sufScale = ".scale" // Int8: F32 [out]
	sufQ8_0  = "." + Q8_0
	sufQ4_0  = "." + Q4_0
)

// checkScheme returns an error unless scheme is one SaveQuantized knows.
func checkScheme(scheme string) error {
	switch scheme {
	case Int8, Q8_0, Q4_0:
		return nil
	}
	return fmt.Errorf("unknown quantization scheme %q (want %s, %s or %s)", scheme, Int8, Q8_0, Q4_0)
}

// SaveQuantized writes a model-only checkpoint, like SaveModel, whose 2-D
// weights — the Linear weights [out, in] and the embeddings [V, C], [T, C]
// — are quantized by row with scheme, which __metadata__["quantization"]
// names; biases and LayerNorm vectors stay F32. Load and Decode read such a
// file transparently, dequantizing into a float32 model.
//
//   - Int8: the weight W becomes "W.q", I8 [out, in], and "W.scale",
//     F32 [out], as compress.QuantizeInt8.
//   - Q8_0, Q4_0: W becomes "W.q8_0" or "W.q4_0", U8 [out, in/32·34] or
//     [out, in/32·18]: each row's ggml blocks (compress.AppendQ8_0,
//     compress.AppendQ4_0). A matrix whose rows are not a multiple of 32
//     values long stays F32 under its own name, as ggml keeps such tensors
//     unquantized.
//
// A weight holding NaN or an infinity is an error: no scale represents it.
func SaveQuantized(path string, cfg Config, model *nn.GPT, tok tokenizer.Tokenizer, scheme string) error {
	if err := checkScheme(scheme); err != nil {
		return fmt.Errorf("train: %w", err)
	}
	meta, _, err := modelFile(cfg, model, tok)
	if err != nil {
		return err
	}
	meta[keyQuant] = scheme
	var tensors []safetensors.Tensor
	for _, p := range model.Params() {
		w := p.Value.Data
		if w.Dims() != 2 {
			tensors = append(tensors, safetensors.FromFloat32(p.Name, w))
			continue
		}
		for _, v := range w.Data() {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return fmt.Errorf("train: quantize %s: %s holds %v", scheme, p.Name, v)
			}
		}
		rows, cols := w.Dim(0), w.Dim(1)
		switch {
		case scheme == Int8:
			q := compress.QuantizeInt8(w)
			tensors = append(tensors,
				safetensors.FromInt8(p.Name+sufQ, q.Q, rows, cols),
				safetensors.FromFloat32(p.Name+sufScale, tensor.FromSlice(q.Scale, rows)))
		case cols%compress.BlockLen != 0:
			tensors = append(tensors, safetensors.FromFloat32(p.Name, w))
		default:
			// Rows are whole blocks, so the blocks of the flat data are
			// the blocks of each row in turn.
			appendBlocks, bb := compress.AppendQ8_0, compress.Q8_0BlockBytes
			if scheme == Q4_0 {
				appendBlocks, bb = compress.AppendQ4_0, compress.Q4_0BlockBytes
			}
			b, err := appendBlocks(make([]byte, 0, rows*cols/compress.BlockLen*bb), w.Data())
			if err != nil {
				return fmt.Errorf("train: quantize %s: %s: %w", scheme, p.Name, err)
			}
			tensors = append(tensors, safetensors.Tensor{Name: p.Name + "." + scheme, DType: "U8",
				Shape: []int{rows, cols / compress.BlockLen * bb}, Data: b})
		}
	}
	return safetensors.WriteFile(path, tensors, meta)
}

// heldValues returns how many model values tensor t of a file quantized
// with scheme ("" for float32) stands for: its logical size, before
// dequantization. Scales and optimizer moments count nothing.
func heldValues(t safetensors.Tensor, scheme string) int64 {
	n := int64(len(t.Data))
	switch {
	case strings.HasPrefix(t.Name, "optim."):
		return 0
	case scheme == Int8 && strings.HasSuffix(t.Name, sufScale):
		return 0
	case scheme == Int8 && strings.HasSuffix(t.Name, sufQ):
		return n
	case scheme == Q8_0 && strings.HasSuffix(t.Name, sufQ8_0):
		return n / compress.Q8_0BlockBytes * compress.BlockLen
	case scheme == Q4_0 && strings.HasSuffix(t.Name, sufQ4_0):
		return n / compress.Q4_0BlockBytes * compress.BlockLen
	}
	return n / 4
}

// stateDict returns the model tensors of f by parameter name, dequantizing
// the tensors of scheme ("" for a float32 file).
func stateDict(f *safetensors.File, scheme string) (map[string]*tensor.Tensor, error) {
	sd := make(map[string]*tensor.Tensor)
	put := func(name string, t *tensor.Tensor) error {
		if _, dup := sd[name]; dup {
			return fmt.Errorf("%s is stored twice", name)
		}
		sd[name] = t
		return nil
	}
	for _, t := range f.Tensors {
		var (
			name = t.Name
			ft   *tensor.Tensor
			err  error
		)
		switch {
		case strings.HasPrefix(t.Name, "optim."):
			continue
		case scheme == Int8 && strings.HasSuffix(t.Name, sufScale):
			name = strings.TrimSuffix(t.Name, sufScale)
			if _, ok := f.Get(name + sufQ); !ok {
				return nil, fmt.Errorf("%s has no %s", t.Name, name+sufQ)
			}
			continue // read with its .q
		case scheme == Int8 && strings.HasSuffix(t.Name, sufQ):
			name = strings.TrimSuffix(t.Name, sufQ)
			ft, err = dequantizeInt8(f, t, name)
		case scheme == Q8_0 && strings.HasSuffix(t.Name, sufQ8_0):
			name = strings.TrimSuffix(t.Name, sufQ8_0)
			ft, err = dequantizeBlocks(t, compress.Q8_0BlockBytes, compress.DequantizeQ8_0)
		case scheme == Q4_0 && strings.HasSuffix(t.Name, sufQ4_0):
			name = strings.TrimSuffix(t.Name, sufQ4_0)
			ft, err = dequantizeBlocks(t, compress.Q4_0BlockBytes, compress.DequantizeQ4_0)
		default:
			ft, err = t.Float32()
		}
		if err != nil {
			return nil, err
		}
		if err := put(name, ft); err != nil {
			return nil, err
		}
	}
	return sd, nil
}

// dequantizeInt8 returns the float32 tensor of the int8 pair q, name+".scale".
func dequantizeInt8(f *safetensors.File, q safetensors.Tensor, name string) (*tensor.Tensor, error) {
	if len(q.Shape) != 2 {
		return nil, fmt.Errorf("%s has shape %v; want [out, in]", q.Name, q.Shape)
	}
	vals, err := q.Int8()
	if err != nil {
		return nil, err
	}
	st, ok := f.Get(name + sufScale)
	if !ok {
		return nil, fmt.Errorf("%s has no %s", q.Name, name+sufScale)
	}
	if len(st.Shape) != 1 || st.Shape[0] != q.Shape[0] {
		return nil, fmt.Errorf("%s has shape %v; %s %v wants [%d]", st.Name, st.Shape, q.Name, q.Shape, q.Shape[0])
	}
	scale, err := st.Float32()
	if err != nil {
		return nil, err
	}
	qt := compress.Int8{Shape: q.Shape, Q: vals, Scale: scale.Data()}
	return qt.Dequantize(), nil
}

// dequantizeBlocks returns the float32 tensor of t, U8 [out, blocks·bb]
// holding each row's ggml blocks of bb bytes, decoded by dequant.
func dequantizeBlocks(t safetensors.Tensor, bb int, dequant func([]float32, []byte) ([]float32, error)) (*tensor.Tensor, error) {
	if t.DType != "U8" || len(t.Shape) != 2 || t.Shape[1]%bb != 0 {
		return nil, fmt.Errorf("%s is %s %v; want U8 [out, a multiple of %d]", t.Name, t.DType, t.Shape, bb)
	}
	rows, cols := t.Shape[0], t.Shape[1]/bb*compress.BlockLen
	v, err := dequant(make([]float32, 0, rows*cols), t.Data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", t.Name, err)
	}
	return tensor.FromSlice(v, rows, cols), nil
}
