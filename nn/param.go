package nn

import (
	"fmt"
	"sort"
	"strings"

	"github.com/tapegrad/tapegrad/autograd"
	"github.com/tapegrad/tapegrad/tensor"
)

// Param is a trainable tensor under its checkpoint name, such as
// "transformer.h.0.attn.c_attn.weight". Its Value holds the data and, after
// a backward pass, the gradient.
type Param struct {
	Name  string
	Value *autograd.Value
}

// Module is anything with parameters. Params returns them in a stable order
// with stable dotted names: the names of a module's own parameters, each
// prefixed by the path of fields that leads to it.
type Module interface {
	Params() []Param
}

// prefixed returns m's parameters with prefix+"." in front of each name.
func prefixed(prefix string, m Module) []Param {
	ps := m.Params()
	for i := range ps {
		ps[i].Name = prefix + "." + ps[i].Name
	}
	return ps
}

// StateDict returns m's parameter tensors by name. The tensors are m's own
// (not copies).
func StateDict(m Module) map[string]*tensor.Tensor {
	sd := make(map[string]*tensor.Tensor)
	for _, p := range m.Params() {
		sd[p.Name] = p.Value.Data
	}
	return sd
}

// LoadStateDict copies the tensors of sd into m's parameters of the same
// names. Every parameter must be present with the same shape, and sd must
// hold nothing else; the error names every tensor that is missing,
// unexpected or of the wrong shape, and m is left unchanged on error.
func LoadStateDict(m Module, sd map[string]*tensor.Tensor) error {
	params := m.Params()
	var problems []string
	seen := make(map[string]bool, len(params))
	for _, p := range params {
		seen[p.Name] = true
		t, ok := sd[p.Name]
		switch {
		case !ok:
			problems = append(problems, fmt.Sprintf("missing %s %v", p.Name, p.Value.Shape()))
		case !t.SameShape(p.Value.Data):
			problems = append(problems, fmt.Sprintf("%s has shape %v; the model wants %v", p.Name, t.Shape(), p.Value.Shape()))
		}
	}
	var extra []string
	for name := range sd {
		if !seen[name] {
			extra = append(extra, name)
		}
	}
	sort.Strings(extra)
	for _, name := range extra {
		problems = append(problems, "unexpected "+name)
	}
	if len(problems) > 0 {
		return fmt.Errorf("nn: state dict does not fit the model: %s", strings.Join(problems, "; "))
	}
	for _, p := range params {
		p.Value.Data.CopyFrom(sd[p.Name])
	}
	return nil
}

// ZeroGrad zeroes the gradients of all of m's parameters.
func ZeroGrad(m Module) {
	for _, p := range m.Params() {
		p.Value.ZeroGrad()
	}
}

// NumNonzero returns how many of the scalars in m's parameters are not
// zero: what is left after pruning.
func NumNonzero(m Module) int {
	n := 0
	for _, p := range m.Params() {
		for _, v := range p.Value.Data.Data() {
			if v != 0 {
				n++
			}
		}
	}
	return n
}

// NumParams returns the number of scalars in m's parameters.
func NumParams(m Module) int {
	n := 0
	for _, p := range m.Params() {
		n += p.Value.Data.Numel()
	}
	return n
}
