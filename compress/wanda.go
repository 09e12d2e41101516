package compress

import (
	"fmt"
	"math"

	"github.com/tapegrad/tapegrad/autograd"
	"github.com/tapegrad/tapegrad/nn"
	"github.com/tapegrad/tapegrad/tensor"
)

// PrunableWeights returns the weights that unstructured pruning touches:
// the 2-D weights of every block's Linear layers (attn.c_attn, attn.c_proj,
// mlp.c_fc, mlp.c_proj) under their checkpoint names, in the model's order.
// Embeddings (the tied head's too), LayerNorms and biases are left dense:
// they are a small share of the parameters and the model is most sensitive
// to them.
func PrunableWeights(model *nn.GPT) []nn.Param {
	var ps []nn.Param
	for i, lin := range blockLinears(model) {
		name := fmt.Sprintf("transformer.h.%d.%s.weight", i/4, linearNames[i%4])
		ps = append(ps, nn.Param{Name: name, Value: lin.Weight})
	}
	return ps
}

// linearNames name the four Linear layers of a block, in blockLinears'
// order.
var linearNames = [4]string{"attn.c_attn", "attn.c_proj", "mlp.c_fc", "mlp.c_proj"}

// blockLinears returns the four Linear layers of each block, in order.
func blockLinears(model *nn.GPT) []*nn.Linear {
	var ls []*nn.Linear
	for _, b := range model.Blocks {
		ls = append(ls, b.Attn.CAttn, b.Attn.CProj, b.MLP.CFc, b.MLP.CProj)
	}
	return ls
}

// InputNorms runs model on the calibration batches (no gradients, no
// dropout; the targets are not used) and returns, for each weight of
// PrunableWeights, the L2 norm of each of its layer's input features over
// all calibration tokens, ‖X_j‖₂ (len In), summed in float64: the
// activation statistic of Wanda (Sun et al. 2023).
func InputNorms(model *nn.GPT, batches []Batch) map[string][]float64 {
	lins := blockLinears(model)
	sums := make([][]float64, len(lins))
	for i, lin := range lins {
		sums[i] = make([]float64, lin.Weight.Data.Dim(1))
		s := sums[i]
		lin.Probe = func(x *autograd.Value) {
			xd := x.Data.Data()
			for r := 0; r < len(xd); r += len(s) {
				for j, v := range xd[r : r+len(s)] {
					s[j] += float64(v) * float64(v)
				}
			}
		}
	}
	defer func() {
		for _, lin := range lins {
			lin.Probe = nil
		}
	}()
	training := model.Drop.Training
	model.SetTraining(false)
	defer model.SetTraining(training)
	tp := autograd.NewTape()
	for _, b := range batches {
		tp.Reset()
		tp.NoGrad(func() { model.Forward(tp, b.X, b.B, b.T) })
	}
	norms := make(map[string][]float64, len(lins))
	for i, p := range PrunableWeights(model) {
		for j, s := range sums[i] {
			sums[i][j] = math.Sqrt(s)
		}
		norms[p.Name] = sums[i]
	}
	return norms
}

// WandaMask returns a mask of w [Out, In] that prunes, in each output row,
// amount of the row's In entries (a Fraction of them, or a Count) of lowest
// score |W_ij|·‖X_j‖₂, where norms [In] holds the input features' norms
// (see InputNorms); ties break as torch.topk. Entries already zero score 0,
// so they are the first pruned. It returns an error when amount is out of
// range and panics when w is not 2-D or norms is not In long.
func WandaMask(w *tensor.Tensor, norms []float64, amount Amount) (*tensor.Tensor, error) {
	if w.Dims() != 2 || len(norms) != w.Dim(1) {
		panic(&tensor.ShapeError{Op: "compress.WandaMask", Msg: fmt.Sprintf("weight %v with %d input norms", w.Shape(), len(norms))})
	}
	out, in := w.Dim(0), w.Dim(1)
	k, err := amount.count(in)
	if err != nil {
		return nil, err
	}
	mask := tensor.Ones(out, in)
	wd, md := w.Data(), mask.Data()
	scores := make([]float64, in)
	for r := range out {
		for j := range in {
			scores[j] = math.Abs(float64(wd[r*in+j])) * norms[j]
		}
		for _, j := range topkIndices(scores, k, false) {
			md[r*in+j] = 0
		}
	}
	return mask, nil
}

// WandaMasks returns a mask for every weight of PrunableWeights by
// WandaMask, each row pruned to the given sparsity (a fraction in [0, 1]),
// with the input norms of InputNorms.
func WandaMasks(model *nn.GPT, norms map[string][]float64, sparsity float64) (map[string]*tensor.Tensor, error) {
	masks := map[string]*tensor.Tensor{}
	for _, p := range PrunableWeights(model) {
		n, ok := norms[p.Name]
		if !ok {
			return nil, fmt.Errorf("compress: WandaMasks: no input norms for %s", p.Name)
		}
		m, err := WandaMask(p.Value.Data, n, Fraction(sparsity))
		if err != nil {
			return nil, err
		}
		masks[p.Name] = m
	}
	return masks, nil
}

// MagnitudeMasks returns a mask for every weight of PrunableWeights that
// prunes the entries of smallest |w| to the given sparsity (a fraction in
// [0, 1]): of each tensor alone (as L1Unstructured), or, when global is
// set, of all of them ranked together (as GlobalUnstructured). Entries
// already zero are the first pruned, so masks at a rising sparsity nest.
func MagnitudeMasks(model *nn.GPT, sparsity float64, global bool) (map[string]*tensor.Tensor, error) {
	params := PrunableWeights(model)
	ps := make([]*Pruned, len(params))
	for i, p := range params {
		ps[i] = NewPruned(p.Value.Data) // only the mask changes
	}
	if global {
		if err := GlobalUnstructured(ps, Fraction(sparsity)); err != nil {
			return nil, err
		}
	} else {
		for _, p := range ps {
			if err := p.L1Unstructured(Fraction(sparsity)); err != nil {
				return nil, err
			}
		}
	}
	masks := make(map[string]*tensor.Tensor, len(ps))
	for i, p := range params {
		masks[p.Name] = ps[i].Mask
	}
	return masks, nil
}
