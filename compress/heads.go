package compress

import (
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/tapegrad/tapegrad/autograd"
	"github.com/tapegrad/tapegrad/nn"
	"github.com/tapegrad/tapegrad/tensor"
)

// Batch is one calibration batch for the importance scores: B sequences of
// T token ids X and their targets Y (row-major, len B·T each), as a
// training step sees them.
type Batch struct {
	X, Y []int
	B, T int
}

// HeadImportance returns the importance of every attention head of model,
// [layer][head], as Michel et al. (2019, "Are Sixteen Heads Really Better
// than One?"): the gradient of the loss with respect to a gate g_h = 1 that
// multiplies head h's output before c_proj, in absolute value for each
// batch, averaged over the batches, then divided by the L2 norm of its
// layer's scores (a layer of zeros stays zeros). ∂L/∂g_h is the dot product
// of head h's slice of c_proj's input with the gradient arriving there, so
// no gate op is needed. The model runs in evaluation mode (no dropout); its
// parameters' gradients are left zero. It panics on no batches.
func HeadImportance(model *nn.GPT, batches []Batch) [][]float64 {
	heads, _ := importance(model, batches)
	return heads
}

// NeuronImportance returns the importance of every hidden unit of every
// MLP, [layer][unit], as HeadImportance does for heads: the gate
// multiplies the unit's GELU output before c_proj.
func NeuronImportance(model *nn.GPT, batches []Batch) [][]float64 {
	_, neurons := importance(model, batches)
	return neurons
}

// importance returns the normalised head and neuron scores.
func importance(model *nn.GPT, batches []Batch) (heads, neurons [][]float64) {
	if len(batches) == 0 {
		panic("compress: importance: no calibration batches")
	}
	heads, neurons = zeroScores(model)
	for _, b := range batches {
		gh, gn := gateGrads(model, b)
		addAbs(heads, gh)
		addAbs(neurons, gn)
	}
	for _, s := range [][][]float64{heads, neurons} {
		for _, layer := range s {
			var norm float64
			for i := range layer {
				layer[i] /= float64(len(batches))
				norm += layer[i] * layer[i]
			}
			if norm = math.Sqrt(norm); norm > 0 {
				for i := range layer {
					layer[i] /= norm
				}
			}
		}
	}
	return heads, neurons
}

func zeroScores(model *nn.GPT) (heads, neurons [][]float64) {
	for _, blk := range model.Blocks {
		heads = append(heads, make([]float64, blk.Attn.NHead))
		neurons = append(neurons, make([]float64, blk.MLP.CFc.Weight.Data.Dim(0)))
	}
	return heads, neurons
}

func addAbs(dst, src [][]float64) {
	for l := range dst {
		for i, g := range src[l] {
			dst[l][i] += math.Abs(g)
		}
	}
}

// gateGrads returns the signed gradients of the batch's loss with respect
// to a gate on every head and every hidden unit: ∂L/∂g = Σ y·∂L/∂y over the
// gated slice y of c_proj's input.
func gateGrads(model *nn.GPT, b Batch) (heads, neurons [][]float64) {
	training := model.Drop.Training
	model.SetTraining(false)
	defer model.SetTraining(training)
	n := len(model.Blocks)
	attnIn, mlpIn := make([]*autograd.Value, n), make([]*autograd.Value, n)
	for l, blk := range model.Blocks {
		blk.Attn.CProj.Probe = func(x *autograd.Value) { x.RetainGrad(); attnIn[l] = x }
		blk.MLP.CProj.Probe = func(x *autograd.Value) { x.RetainGrad(); mlpIn[l] = x }
	}
	defer func() {
		for _, blk := range model.Blocks {
			blk.Attn.CProj.Probe, blk.MLP.CProj.Probe = nil, nil
		}
	}()
	tp := autograd.NewTape()
	_, loss := model.Loss(tp, b.X, b.Y, b.B, b.T)
	tp.Backward(loss)
	nn.ZeroGrad(model)
	heads, neurons = zeroScores(model)
	for l, blk := range model.Blocks {
		hd := blk.Attn.HeadSize()
		sumGroups(heads[l], attnIn[l], hd)
		sumGroups(neurons[l], mlpIn[l], 1)
	}
	return heads, neurons
}

// sumGroups adds into dst[j] the sum of x·∂L/∂x over columns j·w … j·w+w−1
// of every row of x [..., len(dst)·w].
func sumGroups(dst []float64, x *autograd.Value, w int) {
	cols := len(dst) * w
	xd := x.Data.Data()
	if x.Grad == nil { // the loss does not depend on x
		return
	}
	gd := x.Grad.Data()
	for r := 0; r < len(xd); r += cols {
		for j := range dst {
			var s float64
			for i := r + j*w; i < r+(j+1)*w; i++ {
				s += float64(xd[i]) * float64(gd[i])
			}
			dst[j] += s
		}
	}
}

// selectLowest picks amount of the units of all layers together, those of
// lowest score (ties to the earlier layer and unit), keeping at least one
// unit in every layer, and returns the chosen units of each layer in
// increasing order. It returns an error when amount is out of range or
// would empty a layer.
func selectLowest(what string, scores [][]float64, amount Amount) ([][]int, error) {
	type unit struct {
		l, i int
		s    float64
	}
	var all []unit
	for l, layer := range scores {
		for i, s := range layer {
			all = append(all, unit{l, i, s})
		}
	}
	k, err := amount.count(len(all))
	if err != nil {
		return nil, err
	}
	if most := len(all) - len(scores); k > most {
		return nil, fmt.Errorf("compress: cannot remove %d of %d %s: every one of the %d layers keeps at least one", k, len(all), what, len(scores))
	}
	sort.SliceStable(all, func(a, b int) bool { return all[a].s < all[b].s })
	left := make([]int, len(scores))
	for l, layer := range scores {
		left[l] = len(layer)
	}
	removed := make([][]int, len(scores))
	for _, u := range all {
		if k == 0 {
			break
		}
		if left[u.l] > 1 {
			removed[u.l] = append(removed[u.l], u.i)
			left[u.l]--
			k--
		}
	}
	for _, r := range removed {
		slices.Sort(r)
	}
	return removed, nil
}

// PruneHeads removes amount of model's attention heads (a Fraction of all
// of them, or a Count), those of lowest score across all layers (scores
// [layer][head], such as HeadImportance's), keeping at least one head per
// layer, and returns the smaller model (see RemoveHeads) and the removed
// heads of each layer. model is unchanged. It returns an error when
// amount is out of range or would leave a layer without heads.
func PruneHeads(model *nn.GPT, scores [][]float64, amount Amount) (*nn.GPT, [][]int, error) {
	return pruneUnits("PruneHeads", "heads", model, scores, amount, headCount, RemoveHeads)
}

// pruneUnits is PruneHeads and PruneNeurons: it checks scores against
// model's layers (size gives a layer's units), picks amount of the units of
// lowest score (selectLowest) and returns what remove makes of model
// without them, and the removed units.
func pruneUnits(op, what string, model *nn.GPT, scores [][]float64, amount Amount, size func(*nn.Block) int,
	remove func(*nn.GPT, [][]int) (*nn.GPT, error)) (*nn.GPT, [][]int, error) {
	checkScores(op, model, scores, size)
	removed, err := selectLowest(what, scores, amount)
	if err != nil {
		return nil, nil, err
	}
	g, err := remove(model, removed)
	return g, removed, err
}

func headCount(b *nn.Block) int { return b.Attn.NHead }

// RemoveHeads returns a new, smaller GPT without the given heads of each
// layer (remove[l] lists head indices of layer l; nil removes none): its
// config's LayerHeads counts the heads left, each layer's c_attn keeps the
// q, k and v rows of the kept heads (and their biases), and c_proj the
// matching columns; every other tensor is copied. The new model computes
// what model computes with the removed heads' outputs set to zero. model
// is unchanged. It returns an error for an index out of range, a repeated
// index, or a layer left without heads.
func RemoveHeads(model *nn.GPT, remove [][]int) (*nn.GPT, error) {
	c := model.Config
	keep, err := keptUnits("heads", model, remove, headCount)
	if err != nil {
		return nil, err
	}
	c.LayerHeads = layerCounts(keep, c.NHead)
	g, err := smaller(model, c)
	if err != nil {
		return nil, err
	}
	for l, blk := range model.Blocks {
		src, dst := blk.Attn, g.Blocks[l].Attn
		hd := src.HeadSize()
		// c_attn rows: for each of q, k, v, the kept heads' D rows.
		var rows []int
		for part := range 3 {
			for _, h := range keep[l] {
				for d := range hd {
					rows = append(rows, (part*src.NHead+h)*hd+d)
				}
			}
		}
		var cols []int
		for _, h := range keep[l] {
			for d := range hd {
				cols = append(cols, h*hd+d)
			}
		}
		copyRows(dst.CAttn, src.CAttn, rows)
		copyCols(dst.CProj, src.CProj, cols)
	}
	return g, nil
}

// keptUnits checks remove against model's layers (size gives a layer's
// units) and returns the units each layer keeps, in order.
func keptUnits(what string, model *nn.GPT, remove [][]int, size func(*nn.Block) int) ([][]int, error) {
	if len(remove) > len(model.Blocks) {
		return nil, fmt.Errorf("compress: remove %s: %d layers of indices for a model of %d", what, len(remove), len(model.Blocks))
	}
	keep := make([][]int, len(model.Blocks))
	for l, blk := range model.Blocks {
		n := size(blk)
		gone := make([]bool, n)
		if l < len(remove) {
			for _, i := range remove[l] {
				if i < 0 || i >= n || gone[i] {
					return nil, fmt.Errorf("compress: remove %s: layer %d: index %d out of range [0, %d) or repeated", what, l, i, n)
				}
				gone[i] = true
			}
		}
		for i, g := range gone {
			if !g {
				keep[l] = append(keep[l], i)
			}
		}
		if len(keep[l]) == 0 {
			return nil, fmt.Errorf("compress: remove %s: layer %d would have none left", what, l)
		}
	}
	return keep, nil
}

// layerCounts returns the number of units each layer keeps, or nil when
// every layer keeps uniform (GPT-2's size), so the config stays GPT-2's.
func layerCounts(keep [][]int, uniform int) []int {
	n := make([]int, len(keep))
	same := true
	for l, k := range keep {
		n[l] = len(k)
		same = same && n[l] == uniform
	}
	if same {
		return nil
	}
	return n
}

// smaller returns a GPT of config c holding model's tensors wherever the
// shapes agree (all but the pruned Linear layers, which the caller fills),
// with model's dropout settings.
func smaller(model *nn.GPT, c nn.Config) (*nn.GPT, error) {
	g, err := nn.NewGPT(c, 0)
	if err != nil {
		return nil, err
	}
	src := nn.StateDict(model)
	for _, p := range g.Params() {
		if t := src[p.Name]; t != nil && t.SameShape(p.Value.Data) {
			p.Value.Data.CopyFrom(t)
		}
	}
	gd, md := g.Dropouts(), model.Dropouts()
	for i := range gd {
		gd[i].Seed, gd[i].Calls = md[i].Seed, md[i].Calls
	}
	g.SetTraining(model.Drop.Training)
	return g, nil
}

// copyRows sets dst's weight [len(rows), In] to the given rows of src's,
// and its bias likewise.
func copyRows(dst, src *nn.Linear, rows []int) {
	in := src.Weight.Data.Dim(1)
	sw, dw := src.Weight.Data.Data(), dst.Weight.Data.Data()
	for j, r := range rows {
		copy(dw[j*in:(j+1)*in], sw[r*in:(r+1)*in])
	}
	if src.Bias != nil {
		sb, db := src.Bias.Data.Data(), dst.Bias.Data.Data()
		for j, r := range rows {
			db[j] = sb[r]
		}
	}
}

// copyCols sets dst's weight [Out, len(cols)] to the given columns of
// src's; the bias (of the output) is copied whole.
func copyCols(dst, src *nn.Linear, cols []int) {
	out, in := src.Weight.Data.Dim(0), src.Weight.Data.Dim(1)
	sw, dw := src.Weight.Data.Data(), dst.Weight.Data.Data()
	for o := range out {
		for j, c := range cols {
			dw[o*len(cols)+j] = sw[o*in+c]
		}
	}
	if src.Bias != nil {
		dst.Bias.Data.CopyFrom(src.Bias.Data)
	}
}

// checkScores panics unless scores has one entry per unit of every layer.
func checkScores(op string, model *nn.GPT, scores [][]float64, size func(*nn.Block) int) {
	ok := len(scores) == len(model.Blocks)
	for l := 0; ok && l < len(scores); l++ {
		ok = len(scores[l]) == size(model.Blocks[l])
	}
	if !ok {
		panic(&tensor.ShapeError{Op: "compress." + op, Msg: fmt.Sprintf("scores for %d layers do not match the model's %d layers and their units", len(scores), len(model.Blocks))})
	}
}
