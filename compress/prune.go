package compress

import (
	"fmt"
	"math"

	"github.com/tapegrad/tapegrad/tensor"
)

// Amount is how many units (entries, or channels for structured pruning) a
// pruning step removes from those still unpruned: a Fraction or a Count, as
// the float or int amount of torch.nn.utils.prune.
type Amount struct {
	frac    float64
	n       int
	isCount bool
}

// Fraction is the amount f of the units still unpruned, f in [0, 1]; the
// number removed is round(f·n) with ties to even, as Python's round.
func Fraction(f float64) Amount { return Amount{frac: f} }

// Count is the amount of exactly n units, n ≥ 0.
func Count(n int) Amount { return Amount{n: n, isCount: true} }

func (a Amount) String() string {
	if a.isCount {
		return fmt.Sprint(a.n)
	}
	return fmt.Sprint(a.frac)
}

// count returns how many of n units a removes, or an error when a is out of
// range or larger than n.
func (a Amount) count(n int) (int, error) {
	k := a.n
	if !a.isCount {
		if !(a.frac >= 0 && a.frac <= 1) {
			return 0, fmt.Errorf("compress: amount %v is not a fraction in [0, 1]", a.frac)
		}
		k = int(math.RoundToEven(a.frac * float64(n)))
	}
	if k < 0 || k > n {
		return 0, fmt.Errorf("compress: amount %v: cannot prune %d of %d units", a, k, n)
	}
	return k, nil
}

// Pruned is a tensor under pruning, as PyTorch's reparametrisation by
// torch.nn.utils.prune: the original values and a mask of the same shape,
// 1 where a value is kept and 0 where it is pruned. The pruned tensor is
// Orig·Mask (Weight); Remove makes it permanent.
type Pruned struct {
	Orig *tensor.Tensor // the values, never changed by pruning steps
	Mask *tensor.Tensor // 0 or 1 in every entry
}

// NewPruned starts pruning w with a mask of ones. Orig is w itself (not a
// copy).
func NewPruned(w *tensor.Tensor) *Pruned {
	return &Pruned{Orig: w, Mask: tensor.Ones(w.Shape()...)}
}

// Weight returns a new tensor Orig·Mask (−0 where a negative value is pruned,
// as in PyTorch).
func (p *Pruned) Weight() *tensor.Tensor {
	w := p.Orig.Clone()
	for i, m := range p.Mask.Data() {
		w.Data()[i] *= m
	}
	return w
}

// Remove bakes the mask into Orig (Orig = Orig·Mask, in place) and returns
// Orig, as torch.nn.utils.prune.remove.
func (p *Pruned) Remove() *tensor.Tensor {
	o := p.Orig.Data()
	for i, m := range p.Mask.Data() {
		o[i] *= m
	}
	return p.Orig
}

// L1Unstructured prunes amount of the still-unpruned entries, those of
// smallest |value| (ties broken as torch.topk), as
// torch.nn.utils.prune.l1_unstructured: a Fraction counts the entries the
// mask still keeps, so pruning half twice keeps a quarter. It returns an
// error, changing nothing, when the amount is out of range.
func (p *Pruned) L1Unstructured(amount Amount) error {
	return globalL1("L1Unstructured", []*Pruned{p}, amount)
}

// GlobalUnstructured prunes amount of the still-unpruned entries of all of
// ps together, those of smallest |value| across the tensors (their entries
// ranked as if concatenated in order), as
// torch.nn.utils.prune.global_unstructured with L1Unstructured. It returns
// an error, changing nothing, when the amount is out of range.
func GlobalUnstructured(ps []*Pruned, amount Amount) error {
	return globalL1("GlobalUnstructured", ps, amount)
}

func globalL1(op string, ps []*Pruned, amount Amount) error {
	// The entries the masks keep, in order, with |Orig·Mask| as score.
	type at struct{ p, i int }
	var live []at
	var scores []float64
	for j, p := range ps {
		mustSameShape(op, p.Orig, p.Mask)
		o := p.Orig.Data()
		for i, m := range p.Mask.Data() {
			if m == 1 {
				live = append(live, at{j, i})
				scores = append(scores, float64(abs32(o[i]*m)))
			}
		}
	}
	k, err := amount.count(len(live))
	if err != nil {
		return err
	}
	for _, i := range topkIndices(scores, k, false) {
		ps[live[i].p].Mask.Data()[live[i].i] = 0
	}
	return nil
}

// LnStructured prunes amount of the channels along dim that are not yet
// entirely pruned, those of smallest Ln norm of Orig·Mask over the other
// axes (ties broken as torch.topk), as torch.nn.utils.prune.ln_structured:
// n is the norm's order — a positive number, 0 (the count of non-zeros) or
// ±Inf (the largest or smallest |value|), as torch.norm's p — and dim may be
// negative to count from the end. The norms are computed in float64 and
// rounded to float32. It returns an error, changing nothing, when the amount
// is out of range, n is negative or NaN, dim is out of range, or the tensor
// has fewer than two axes.
func (p *Pruned) LnStructured(amount Amount, n float64, dim int) error {
	mustSameShape("LnStructured", p.Orig, p.Mask)
	shape := p.Orig.Shape()
	if len(shape) < 2 {
		return fmt.Errorf("compress: LnStructured: a tensor of shape %v has no channels to prune (want ≥ 2 axes)", shape)
	}
	if dim < 0 {
		dim += len(shape)
	}
	if dim < 0 || dim >= len(shape) {
		return fmt.Errorf("compress: LnStructured: dim %d out of range for shape %v", dim, shape)
	}
	if math.IsNaN(n) || n < 0 && !math.IsInf(n, -1) {
		return fmt.Errorf("compress: LnStructured: norm order %v; want 0, a positive number or ±Inf", n)
	}
	// Entry i lies in channel (i / inner) % c.
	c := shape[dim]
	inner := 1
	for _, d := range shape[dim+1:] {
		inner *= d
	}
	channel := func(i int) int { return i / inner % c }
	o, m := p.Orig.Data(), p.Mask.Data()
	alive := make([]bool, c) // channels whose mask is not all zeros
	for i, v := range m {
		if v != 0 {
			alive[channel(i)] = true
		}
	}
	var live []int // alive channels in order
	for ch, a := range alive {
		if a {
			live = append(live, ch)
		}
	}
	k, err := amount.count(len(live))
	if err != nil {
		return err
	}
	if k == 0 {
		return nil
	}
	norms := channelNorms(o, m, n, c, channel)
	scores := make([]float64, len(live))
	for j, ch := range live {
		scores[j] = float64(float32(norms[ch]))
	}
	keep := make([]bool, c)
	for _, j := range topkIndices(scores, len(live)-k, true) {
		keep[live[j]] = true
	}
	for i := range m {
		if !keep[channel(i)] {
			m[i] = 0
		}
	}
	return nil
}

// channelNorms returns the order-n norm of o·m over each of c channels.
func channelNorms(o, m []float32, n float64, c int, channel func(int) int) []float64 {
	acc := make([]float64, c)
	if math.IsInf(n, -1) {
		for i := range acc {
			acc[i] = math.Inf(1)
		}
	}
	for i, v := range o {
		a := math.Abs(float64(v * m[i]))
		ch := channel(i)
		switch {
		case math.IsInf(n, 1):
			acc[ch] = max(acc[ch], a)
		case math.IsInf(n, -1):
			acc[ch] = min(acc[ch], a)
		case n == 0:
			if a != 0 {
				acc[ch]++
			}
		case n == 1:
			acc[ch] += a
		case n == 2:
			acc[ch] += a * a
		default:
			acc[ch] += math.Pow(a, n)
		}
	}
	if n != 0 && n != 1 && !math.IsInf(n, 0) {
		for i, s := range acc {
			if n == 2 {
				acc[i] = math.Sqrt(s)
			} else {
				acc[i] = math.Pow(s, 1/n)
			}
		}
	}
	return acc
}

func mustSameShape(op string, a, b *tensor.Tensor) {
	if !a.SameShape(b) {
		panic(&tensor.ShapeError{Op: "compress." + op, Msg: fmt.Sprintf("mask %v does not match tensor %v", b.Shape(), a.Shape())})
	}
}
