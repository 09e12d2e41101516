package train

import (
	"fmt"
	"sort"
	"strings"

	"github.com/tapegrad/tapegrad/autograd"
	"github.com/tapegrad/tapegrad/tensor"
)

// paramMask keeps the zeros of a pruned parameter: mask holds 1 for a
// weight that trains and 0 for one that is pruned.
type paramMask struct {
	param *autograd.Value
	mask  *tensor.Tensor
}

// SetMasks makes pruning stick while training: masks maps parameter names
// to tensors of their shapes holding 1 (keep) or 0 (pruned). The masked
// weights are zeroed now; from then on every step zeroes their gradients
// (before clipping, so they do not count in the norm) and their values after
// the optimizer's update (weight decay and stale moments cannot revive
// them). A nil or empty map removes the masks. The error names every
// unknown parameter, shape mismatch or value other than 0 and 1; the
// trainer is unchanged on error.
func (tr *Trainer) SetMasks(masks map[string]*tensor.Tensor) error {
	known := make(map[string]bool, len(tr.params))
	var problems []string
	var set []paramMask
	for _, p := range tr.params { // the model's order, not the map's
		known[p.Name] = true
		m, ok := masks[p.Name]
		if !ok {
			continue
		}
		if m == nil || !m.SameShape(p.Value.Data) {
			problems = append(problems, fmt.Sprintf("mask of %s has shape %v, want %v", p.Name, shapeOf(m), p.Value.Shape()))
			continue
		}
		for _, x := range m.Data() {
			if x != 0 && x != 1 {
				problems = append(problems, fmt.Sprintf("mask of %s holds %v (want 0 or 1)", p.Name, x))
				break
			}
		}
		set = append(set, paramMask{param: p.Value, mask: m.Clone()})
	}
	for name := range masks {
		if !known[name] {
			problems = append(problems, fmt.Sprintf("no parameter %s", name))
		}
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return fmt.Errorf("train: masks: %s", strings.Join(problems, "; "))
	}
	for _, m := range set {
		m.param.Data.Mul(m.param.Data, m.mask)
	}
	tr.masks = set
	return nil
}

func shapeOf(t *tensor.Tensor) any {
	if t == nil {
		return "nil"
	}
	return t.Shape()
}
