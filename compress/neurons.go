package compress

import (
	"github.com/tapegrad/tapegrad/nn"
)

// PruneNeurons removes amount of the hidden units of model's MLPs (a
// Fraction of all of them, or a Count), those of lowest score across all
// layers (scores [layer][unit], such as NeuronImportance's), keeping at
// least one unit per layer, and returns the smaller model (see
// RemoveNeurons) and the removed units of each layer. model is unchanged.
// It returns an error when amount is out of range or would empty a layer.
func PruneNeurons(model *nn.GPT, scores [][]float64, amount Amount) (*nn.GPT, [][]int, error) {
	return pruneUnits("PruneNeurons", "MLP units", model, scores, amount, mlpWidth, RemoveNeurons)
}

// RemoveNeurons returns a new, smaller GPT without the given hidden units
// of each layer's MLP (remove[l] lists unit indices of layer l; nil removes
// none): its config's LayerMLP holds the widths left, c_fc keeps the rows
// (and biases) of the kept units and the MLP's c_proj their columns; every
// other tensor is copied. The new model computes what model computes with
// the removed units' outputs set to zero. model is unchanged. It returns an
// error for an index out of range, a repeated index, or an emptied layer.
func RemoveNeurons(model *nn.GPT, remove [][]int) (*nn.GPT, error) {
	c := model.Config
	keep, err := keptUnits("MLP units", model, remove, mlpWidth)
	if err != nil {
		return nil, err
	}
	c.LayerMLP = layerCounts(keep, 4*c.NEmbd)
	g, err := smaller(model, c)
	if err != nil {
		return nil, err
	}
	for l, blk := range model.Blocks {
		copyRows(g.Blocks[l].MLP.CFc, blk.MLP.CFc, keep[l])
		copyCols(g.Blocks[l].MLP.CProj, blk.MLP.CProj, keep[l])
	}
	return g, nil
}

func mlpWidth(b *nn.Block) int { return b.MLP.CFc.Weight.Data.Dim(0) }
