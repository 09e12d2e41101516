package train

import (
	"encoding/binary"
	"fmt"
	"math"
	"strings"

	"github.com/tapegrad/tapegrad/compress"
	"github.com/tapegrad/tapegrad/nn"
	"github.com/tapegrad/tapegrad/tensor"
	"github.com/tapegrad/tapegrad/tensor/safetensors"
	"github.com/tapegrad/tapegrad/tokenizer"
)

// Metadata keys of a checkpoint written by SaveQuantized: the scheme, and a
// one-line statement of the file's layout for readers other than Load.
const (
	keyQuant  = "quantization"
	keyLayout = "quantization_layout"
)

// The schemes of SaveQuantized.
const (
	F32  = "f32"  // float32 weights; only zeros are stored compactly
	Int8 = "int8" // int8 per row, symmetric, with a float16 scale per row
	Q8_0 = "q8_0" // ggml's Q8_0 blocks of 32 values (34 bytes)
	Q4_0 = "q4_0" // ggml's Q4_0 blocks of 32 values (18 bytes)
)

// layouts are the keyLayout values: the names and dtypes a scheme writes.
var layouts = map[string]string{
	F32:  "W F32, or if smaller W.shape I64[2] + (W.bitmask U8 | W.indptr,W.indices U*) + W.values F32",
	Int8: "W.q I8 + W.scale F16 per row (fp16 ceil(max|w|/127); a vector is 1 row), or if smaller W.shape I64[2] + (W.bitmask U8 | W.indptr,W.indices U*) + W.values I8 + W.scale",
	Q8_0: "W.q8_0 U8[out, in/32*34] ggml blocks; vectors F32",
	Q4_0: "W.q4_0 U8[out, in/32*18] ggml blocks; vectors F32",
}

// The suffixes of stored tensors' names.
const (
	sufQ     = ".q"     // Int8: I8, [out, in] or [n]
	sufScale = ".scale" // Int8: F16 [out] ([1] for a vector); F32 in older files
	sufQ8_0  = "." + Q8_0
	sufQ4_0  = "." + Q4_0
	// A compact matrix [rows, cols]: its shape, then a bitmask or CSR, then
	// the nonzero values.
	sufShape   = ".shape"   // I64 [2]: rows, cols
	sufBitmask = ".bitmask" // U8 [⌈rows·cols/8⌉]
	sufIndptr  = ".indptr"  // U8, U16, U32 or U64 [rows+1]
	sufIndices = ".indices" // U8, U16, U32 or U64 [nnz]
	sufValues  = ".values"  // F32 (F32) or I8 (Int8) [nnz]
)

// checkScheme returns an error unless scheme is one SaveQuantized knows.
func checkScheme(scheme string) error {
	switch scheme {
	case F32, Int8, Q8_0, Q4_0:
		return nil
	}
	return fmt.Errorf("unknown quantization scheme %q (want %s, %s, %s or %s)", scheme, F32, Int8, Q8_0, Q4_0)
}

// compacts reports whether scheme stores matrices with many zeros compactly.
func compacts(scheme string) bool { return scheme == F32 || scheme == Int8 }

// SaveQuantized writes a model-only checkpoint, like SaveModel, whose 2-D
// weights — the Linear weights [out, in] and the embeddings [V, C], [T, C]
// — are stored with scheme, which __metadata__["quantization"] names
// (__metadata__["quantization_layout"] sums up the layout below). Load and
// Decode read such a file transparently, into a float32 model.
//
//   - F32: no quantization. A weight W stays F32 under its own name, unless
//     it has enough zeros (after pruning) that a compact form is smaller:
//     see below, with F32 values. Load gives back exactly the saved values
//     (a −0 as +0). Vectors (biases, LayerNorm) stay F32.
//   - Int8: each row of W is quantized symmetrically as
//     compress.QuantizeInt8FP16 does: its scale is max|w|/127 rounded up to
//     the next float16, stored as "W.scale", F16 [out], and the values
//     q = round-half-to-even(w/scale), computed with that float16 scale, are
//     "W.q", I8 [out, in]; so |w − q·scale| ≤ scale/2 for the stored scale.
//     Vectors are quantized the same way as a single row: "v.q" I8 [n] and
//     "v.scale" F16 [1]. Where a compact form is smaller, W's int8 values are
//     stored by their nonzeros (a weight that rounds to 0 is a zero; zeros
//     stay exactly zero), with "W.scale" as ever. This layout is what makes
//     int8 files close to 4× smaller than float32 (3.91× on the
//     shakespeare-char-cpu model, whose val loss moves by +0.0003): float32
//     scales and vectors would cost 4 of every 100 bytes on a 128-wide
//     model, float16 vectors 1.7. Older int8 files, with F32 scales and F32
//     vectors, still load.
//   - Q8_0, Q4_0: W becomes "W.q8_0" or "W.q4_0", U8 [out, in/32·34] or
//     [out, in/32·18]: each row's ggml blocks (compress.AppendQ8_0,
//     compress.AppendQ4_0). Blocks stay dense whatever their zeros (a zero
//     block is 2 + 32 or 2 + 16 bytes; ggml has no sparse block type), and
//     vectors stay F32, as ggml keeps its norms. A matrix whose rows are not
//     a multiple of 32 values long stays F32 under its own name, as ggml
//     keeps such tensors unquantized.
//
// The compact forms of a matrix W [rows, cols] with nnz nonzero values
// (float32 for F32, int8 for Int8), of which SaveQuantized writes whichever
// makes the smallest file, dense included (counting the data and an
// estimate of each tensor's header entry): a bitmask beats dense from 3.2%
// zeros in float32 and 12.5% in int8, and CSR beats the bitmask when fewer
// than about one value in 8 (U8 column indices) or in 16 (U16) is left.
//
//   - "W.shape", I64 [2]: rows and cols, in both compact forms;
//   - bitmask: "W.bitmask", U8 [⌈rows·cols/8⌉], one bit per value in
//     row-major order, least significant bit first (bit i is byte i/8's bit
//     i%8), set where the value is nonzero, the bits past the end zero; and
//     "W.values" [nnz], the nonzero values in row-major order;
//   - CSR (as SciPy's csr_matrix): "W.indptr" [rows+1], from 0 to nnz,
//     nondecreasing, in the narrowest of U8, U16, U32, U64 that holds nnz;
//     "W.indices" [nnz], each row's column indices, increasing, in the
//     narrowest unsigned type that holds cols−1; "W.values" [nnz].
//
// A weight holding NaN or an infinity is an error for Int8, Q8_0 and Q4_0
// (no scale represents it), and so is a row of Int8 whose largest |w|
// exceeds 8.3e6 (its scale would exceed float16's largest value).
func SaveQuantized(path string, cfg Config, model *nn.GPT, tok tokenizer.Tokenizer, scheme string) error {
	if err := checkScheme(scheme); err != nil {
		return fmt.Errorf("train: %w", err)
	}
	meta, _, err := modelFile(cfg, model, tok)
	if err != nil {
		return err
	}
	meta[keyQuant] = scheme
	meta[keyLayout] = layouts[scheme]
	var tensors []safetensors.Tensor
	for _, p := range model.Params() {
		ts, err := quantizeParam(p.Name, p.Value.Data, scheme)
		if err != nil {
			return fmt.Errorf("train: quantize %s: %s: %w", scheme, p.Name, err)
		}
		tensors = append(tensors, ts...)
	}
	return safetensors.WriteFile(path, tensors, meta)
}

// quantizeParam returns the tensors that store parameter w under scheme.
func quantizeParam(name string, w *tensor.Tensor, scheme string) ([]safetensors.Tensor, error) {
	if scheme == F32 || w.Dims() != 2 && scheme != Int8 { // float32, maybe compact
		if w.Dims() == 2 {
			if c := compactForm(name, w.Data(), w.Dim(0), w.Dim(1), 4, f32Bytes); c != nil {
				return c, nil
			}
		}
		return []safetensors.Tensor{safetensors.FromFloat32(name, w)}, nil
	}
	if scheme == Int8 {
		rows, shape := w.Dim(0), w.Shape()
		if w.Dims() != 2 { // a vector: one row
			rows, w = 1, tensor.FromSlice(w.Data(), 1, len(w.Data()))
		}
		q, err := compress.QuantizeInt8FP16(w)
		if err != nil {
			return nil, err
		}
		ts := []safetensors.Tensor{{Name: name + sufScale, DType: "F16", Shape: []int{rows}, Data: f16Bytes(q.Scale)}}
		if len(shape) == 2 {
			if c := compactForm(name, q.Q, rows, shape[1], 1, i8Bytes); c != nil {
				return append(ts, c...), nil
			}
		}
		return append(ts, safetensors.FromInt8(name+sufQ, q.Q, shape...)), nil
	}
	for _, v := range w.Data() {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return nil, fmt.Errorf("it holds %v", v)
		}
	}
	rows, cols := w.Dim(0), w.Dim(1)
	if cols%compress.BlockLen != 0 {
		return []safetensors.Tensor{safetensors.FromFloat32(name, w)}, nil
	}
	// Rows are whole blocks, so the blocks of the flat data are the blocks
	// of each row in turn.
	appendBlocks, bb := compress.AppendQ8_0, compress.Q8_0BlockBytes
	if scheme == Q4_0 {
		appendBlocks, bb = compress.AppendQ4_0, compress.Q4_0BlockBytes
	}
	b, err := appendBlocks(make([]byte, 0, rows*cols/compress.BlockLen*bb), w.Data())
	if err != nil {
		return nil, err
	}
	return []safetensors.Tensor{{Name: name + "." + scheme, DType: "U8",
		Shape: []int{rows, cols / compress.BlockLen * bb}, Data: b}}, nil
}

// f32Bytes and i8Bytes encode values as safetensors stores F32 and I8.
func f32Bytes(v []float32) []byte {
	return safetensors.FromFloat32("", tensor.FromSlice(v, len(v))).Data
}

func i8Bytes(v []int8) []byte { return safetensors.FromInt8("", v, len(v)).Data }

// f16Bytes encodes v, float16 values, as little-endian F16.
func f16Bytes(v []float32) []byte {
	b := make([]byte, 2*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint16(b[2*i:], compress.Float16Bits(x))
	}
	return b
}

// entryBytes estimates the header bytes of a tensor entry called name:
// {"name":{"dtype":"F32","shape":[a,b],"data_offsets":[c,d]}},
func entryBytes(name string) int { return len(name) + 60 }

// compactForm returns the compact tensors of matrix x [rows, cols] whose
// values take vb bytes each (encoded by enc), or nil when the dense matrix
// makes the smaller file.
func compactForm[T compress.Elem](name string, x []T, rows, cols, vb int, enc func([]T) []byte) []safetensors.Tensor {
	n, nnz := rows*cols, 0
	for _, v := range x {
		if v != 0 {
			nnz++
		}
	}
	_, ptrSize := uintType(uint64(nnz))
	_, idxSize := uintType(uint64(max(cols-1, 0)))
	fixed := entryBytes(name+sufShape) + 16 + entryBytes(name+sufValues) + nnz*vb
	dense := entryBytes(name+sufQ) + n*vb
	bitmask := fixed + entryBytes(name+sufBitmask) + compress.BitmaskBytes(n)
	csr := fixed + entryBytes(name+sufIndptr) + entryBytes(name+sufIndices) + (rows+1)*ptrSize + nnz*idxSize
	switch {
	case dense <= min(bitmask, csr):
		return nil
	case bitmask <= csr:
		return compactTensors(name, x, rows, cols, vb, enc, sufBitmask)
	}
	return compactTensors(name, x, rows, cols, vb, enc, sufIndptr)
}

// compactTensors returns the compact tensors of matrix x [rows, cols] as a
// bitmask (form sufBitmask) or CSR (sufIndptr); see compactForm.
func compactTensors[T compress.Elem](name string, x []T, rows, cols, vb int, enc func([]T) []byte, form string) []safetensors.Tensor {
	shape := make([]byte, 16)
	binary.LittleEndian.PutUint64(shape, uint64(rows))
	binary.LittleEndian.PutUint64(shape[8:], uint64(cols))
	ts := []safetensors.Tensor{{Name: name + sufShape, DType: "I64", Shape: []int{2}, Data: shape}}
	if form == sufBitmask {
		mask, values := compress.PackBitmask(x)
		return append(ts,
			safetensors.Tensor{Name: name + sufBitmask, DType: "U8", Shape: []int{len(mask)}, Data: mask},
			safetensors.Tensor{Name: name + sufValues, DType: valueType(vb), Shape: []int{len(values)}, Data: enc(values)})
	}
	c := compress.ToCSR(x, rows, cols)
	ptrType, ptrSize := uintType(uint64(len(c.Values)))
	idxType, idxSize := uintType(uint64(max(cols-1, 0)))
	return append(ts,
		safetensors.Tensor{Name: name + sufIndptr, DType: ptrType, Shape: []int{rows + 1}, Data: uintBytes(c.Indptr, ptrSize)},
		safetensors.Tensor{Name: name + sufIndices, DType: idxType, Shape: []int{len(c.Indices)}, Data: uintBytes(c.Indices, idxSize)},
		safetensors.Tensor{Name: name + sufValues, DType: valueType(vb), Shape: []int{len(c.Values)}, Data: enc(c.Values)})
}

func valueType(vb int) string {
	if vb == 1 {
		return "I8"
	}
	return "F32"
}

// uintType returns the narrowest unsigned dtype that holds max, and its size.
func uintType(max uint64) (string, int) {
	switch {
	case max <= math.MaxUint8:
		return "U8", 1
	case max <= math.MaxUint16:
		return "U16", 2
	case max <= math.MaxUint32:
		return "U32", 4
	}
	return "U64", 8
}

// uintBytes encodes v, all in range, as little-endian unsigned integers of
// size bytes.
func uintBytes(v []int, size int) []byte {
	b := make([]byte, size*len(v))
	for i, x := range v {
		switch size {
		case 1:
			b[i] = byte(x)
		case 2:
			binary.LittleEndian.PutUint16(b[2*i:], uint16(x))
		case 4:
			binary.LittleEndian.PutUint32(b[4*i:], uint32(x))
		default:
			binary.LittleEndian.PutUint64(b[8*i:], uint64(x))
		}
	}
	return b
}

// maxHeld bounds the values one compact matrix may stand for, as paramCount
// bounds a model.
const maxHeld = 1 << 40

// heldValues returns how many model values tensor t of a file quantized
// with scheme ("" for float32) stands for: its logical size, before
// dequantization. Scales, optimizer moments and the parts of a compact
// matrix count nothing; its ".shape" counts rows·cols (or, when it is not a
// valid shape, a negative number that no config matches).
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
	case compacts(scheme) && strings.HasSuffix(t.Name, sufShape):
		rows, cols, err := denseShape(t)
		if err != nil {
			return -maxHeld << 20
		}
		return int64(rows) * int64(cols)
	case compacts(scheme) && isPart(t.Name):
		return 0
	}
	return n / 4
}

// isPart reports whether name is that of a compact matrix's part other than
// its shape.
func isPart(name string) bool {
	for _, s := range []string{sufBitmask, sufIndptr, sufIndices, sufValues} {
		if strings.HasSuffix(name, s) {
			return true
		}
	}
	return false
}

// denseShape returns the rows and cols of a compact matrix's ".shape" tensor
// t, checking that it is I64 [2] and that rows·cols is at most maxHeld.
func denseShape(t safetensors.Tensor) (rows, cols int, err error) {
	if t.DType != "I64" || len(t.Shape) != 1 || t.Shape[0] != 2 || len(t.Data) != 16 {
		return 0, 0, fmt.Errorf("%s is %s %v; want I64 [2]", t.Name, t.DType, t.Shape)
	}
	r, c := int64(binary.LittleEndian.Uint64(t.Data)), int64(binary.LittleEndian.Uint64(t.Data[8:]))
	if r < 0 || c < 0 || r > maxHeld || c > maxHeld || c > 0 && r > maxHeld/c || r*c > math.MaxInt || r >= math.MaxInt || c > math.MaxInt {
		return 0, 0, fmt.Errorf("%s is [%d, %d]", t.Name, r, c)
	}
	return int(r), int(c), nil
}

// stateDict returns the model tensors of f by parameter name, dequantizing
// the tensors of scheme ("" for a float32 file). Every count, index and
// shape is checked against the bytes at hand before anything is allocated.
func stateDict(f *safetensors.File, scheme string) (map[string]*tensor.Tensor, error) {
	sd := make(map[string]*tensor.Tensor)
	put := func(name string, t *tensor.Tensor) error {
		if _, dup := sd[name]; dup {
			return fmt.Errorf("%s is stored twice", name)
		}
		sd[name] = t
		return nil
	}
	has := func(name string) bool { _, ok := f.Get(name); return ok }
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
			if !has(name+sufQ) && !has(name+sufShape) {
				return nil, fmt.Errorf("%s has no %s", t.Name, name+sufQ)
			}
			continue // read with its .q or .shape
		case compacts(scheme) && isPart(t.Name):
			name = t.Name[:strings.LastIndexByte(t.Name, '.')]
			if !has(name + sufShape) {
				return nil, fmt.Errorf("%s has no %s", t.Name, name+sufShape)
			}
			continue // read with its .shape
		case compacts(scheme) && strings.HasSuffix(t.Name, sufShape):
			name = strings.TrimSuffix(t.Name, sufShape)
			ft, err = decompact(f, t, name, scheme)
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

// scales returns the int8 row scales of the matrix called name, which has
// rows rows: name+".scale", F16 (or F32, as older files hold) [rows].
func scales(f *safetensors.File, what, name string, rows int) ([]float32, error) {
	st, ok := f.Get(name + sufScale)
	if !ok {
		return nil, fmt.Errorf("%s has no %s", what, name+sufScale)
	}
	if len(st.Shape) != 1 || st.Shape[0] != rows {
		return nil, fmt.Errorf("%s has shape %v; %s wants [%d]", st.Name, st.Shape, what, rows)
	}
	switch st.DType {
	case "F32":
		s, err := st.Float32()
		if err != nil {
			return nil, err
		}
		return s.Data(), nil
	case "F16":
		if len(st.Data) != 2*rows {
			return nil, fmt.Errorf("%s holds %d bytes; want %d", st.Name, len(st.Data), 2*rows)
		}
		s := make([]float32, rows)
		for i := range s {
			s[i] = compress.Float16Value(binary.LittleEndian.Uint16(st.Data[2*i:]))
		}
		return s, nil
	}
	return nil, fmt.Errorf("%s: dtype is %s, not F16 or F32", st.Name, st.DType)
}

// dequantizeInt8 returns the float32 tensor of the int8 pair q, name+".scale":
// a matrix [out, in] with a scale a row, or a vector [n] with one scale.
func dequantizeInt8(f *safetensors.File, q safetensors.Tensor, name string) (*tensor.Tensor, error) {
	if len(q.Shape) != 2 && len(q.Shape) != 1 {
		return nil, fmt.Errorf("%s has shape %v; want [out, in] or [n]", q.Name, q.Shape)
	}
	vals, err := q.Int8()
	if err != nil {
		return nil, err
	}
	rows := 1
	if len(q.Shape) == 2 {
		rows = q.Shape[0]
	}
	scale, err := scales(f, fmt.Sprintf("%s %v", q.Name, q.Shape), name, rows)
	if err != nil {
		return nil, err
	}
	qt := compress.Int8{Shape: q.Shape, Q: vals, Scale: scale}
	return qt.Dequantize(), nil
}

// decompact returns the float32 matrix of the compact tensors of name, whose
// ".shape" is st: a bitmask or CSR and values, F32 (scheme F32) or I8 with
// row scales (Int8).
func decompact(f *safetensors.File, st safetensors.Tensor, name, scheme string) (*tensor.Tensor, error) {
	rows, cols, err := denseShape(st)
	if err != nil {
		return nil, err
	}
	vt, ok := f.Get(name + sufValues)
	if !ok {
		return nil, fmt.Errorf("%s has no %s", st.Name, name+sufValues)
	}
	want := "F32"
	if scheme == Int8 {
		want = "I8"
	}
	if vt.DType != want || len(vt.Shape) != 1 {
		return nil, fmt.Errorf("%s is %s %v; want %s [nnz]", vt.Name, vt.DType, vt.Shape, want)
	}
	mask, hasMask := f.Get(name + sufBitmask)
	indptr, hasPtr := f.Get(name + sufIndptr)
	indices, hasIdx := f.Get(name + sufIndices)
	nnz := vt.Shape[0]
	// Check every length before allocating the dense matrix.
	var ptr, idx []int
	switch {
	case hasMask && !hasPtr && !hasIdx:
		if mask.DType != "U8" || len(mask.Shape) != 1 || mask.Shape[0] != compress.BitmaskBytes(rows*cols) {
			return nil, fmt.Errorf("%s is %s %v; [%d, %d] wants U8 [%d]", mask.Name, mask.DType, mask.Shape, rows, cols, compress.BitmaskBytes(rows*cols))
		}
	case !hasMask && hasPtr && hasIdx:
		if len(indptr.Shape) != 1 || indptr.Shape[0] != rows+1 {
			return nil, fmt.Errorf("%s has shape %v; [%d, %d] wants [%d]", indptr.Name, indptr.Shape, rows, cols, rows+1)
		}
		if len(indices.Shape) != 1 || indices.Shape[0] != nnz {
			return nil, fmt.Errorf("%s has shape %v; %s wants [%d]", indices.Name, indices.Shape, vt.Name, nnz)
		}
		if ptr, err = uints(indptr, uint64(nnz)); err != nil {
			return nil, err
		}
		if idx, err = uints(indices, uint64(max(cols-1, 0))); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("%s wants either %s or %s and %s", st.Name, name+sufBitmask, name+sufIndptr, name+sufIndices)
	}
	if scheme == F32 {
		vals, err := vt.Float32()
		if err != nil {
			return nil, err
		}
		out := make([]float32, rows*cols)
		if err := unpack(out, mask.Data, ptr, idx, vals.Data(), rows, cols); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		return tensor.FromSlice(out, rows, cols), nil
	}
	scale, err := scales(f, fmt.Sprintf("%s [%d, %d]", st.Name, rows, cols), name, rows)
	if err != nil {
		return nil, err
	}
	vals, err := vt.Int8()
	if err != nil {
		return nil, err
	}
	q := make([]int8, rows*cols)
	if err := unpack(q, mask.Data, ptr, idx, vals, rows, cols); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	qt := compress.Int8{Shape: []int{rows, cols}, Q: q, Scale: scale}
	return qt.Dequantize(), nil
}

// unpack writes into dst the matrix [rows, cols] of values placed by the
// bitmask mask or, when ptr is not nil, by the CSR pointers ptr and column
// indices idx.
func unpack[T compress.Elem](dst []T, mask []byte, ptr, idx []int, values []T, rows, cols int) error {
	if ptr == nil {
		return compress.UnpackBitmask(dst, mask, values)
	}
	c := compress.CSR[T]{Rows: rows, Cols: cols, Indptr: ptr, Indices: idx, Values: values}
	return c.Dense(dst)
}

// uints returns the values of t, an unsigned integer vector (U8, U16, U32
// or U64), checking that each is at most limit.
func uints(t safetensors.Tensor, limit uint64) ([]int, error) {
	size, ok := map[string]int{"U8": 1, "U16": 2, "U32": 4, "U64": 8}[t.DType]
	if !ok || len(t.Shape) != 1 || len(t.Data) != size*t.Shape[0] {
		return nil, fmt.Errorf("%s is %s %v; want an unsigned integer vector", t.Name, t.DType, t.Shape)
	}
	v := make([]int, t.Shape[0])
	for i := range v {
		var x uint64
		switch size {
		case 1:
			x = uint64(t.Data[i])
		case 2:
			x = uint64(binary.LittleEndian.Uint16(t.Data[2*i:]))
		case 4:
			x = uint64(binary.LittleEndian.Uint32(t.Data[4*i:]))
		default:
			x = binary.LittleEndian.Uint64(t.Data[8*i:])
		}
		if x > limit {
			return nil, fmt.Errorf("%s[%d] = %d exceeds %d", t.Name, i, x, limit)
		}
		v[i] = int(x)
	}
	return v, nil
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
