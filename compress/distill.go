package compress

import (
	"fmt"
	"math"

	"github.com/tapegrad/tapegrad/autograd"
	"github.com/tapegrad/tapegrad/tensor"
)

// SoftLoss returns Hinton's soft term T²·KL(p ‖ q) as a scalar on tp, where
// p = softmax(teacher/T) and q = softmax(student/T) row by row over the last
// axis, the KL divergence summed over classes and averaged over the rows
// (numel/V of them), as PyTorch's
// kl_div(log_softmax(s/T), softmax(t/T), reduction="batchmean")·T² on [N, V]
// logits. student [..., V] gets gradients; teacher, of the same shape, is a
// constant. T is the temperature, > 0 (T = 1 is the plain KL divergence).
// It panics with a *tensor.ShapeError if the shapes differ.
func SoftLoss(tp *autograd.Tape, student *autograd.Value, teacher *tensor.Tensor, T float32) *autograd.Value {
	if !student.Data.SameShape(teacher) {
		panic(&tensor.ShapeError{Op: "compress.SoftLoss", Msg: fmt.Sprintf("student %v and teacher %v differ", student.Shape(), teacher.Shape())})
	}
	v := max(teacher.Dim(-1), 1)
	rows := float32(max(teacher.Numel()/v, 1))
	// p and log p are constants; where p underflows to 0, log p is taken as
	// 0, so that p·(log p − log q) = 0 as PyTorch's xlogy. Summing
	// p·(log p − log q) term by term keeps KL(p ‖ p) at 0 in float32.
	p, logp := tensor.New(teacher.Shape()...), tensor.New(teacher.Shape()...)
	pd, lpd, td := p.Data(), logp.Data(), teacher.Data()
	for r := 0; r < len(td); r += v {
		row := td[r : r+v]
		mx := math.Inf(-1)
		for _, x := range row {
			mx = max(mx, float64(x/T))
		}
		var z float64
		for _, x := range row {
			z += math.Exp(float64(x/T) - mx)
		}
		for j, x := range row {
			lp := float64(x/T) - mx - math.Log(z)
			pd[r+j] = float32(math.Exp(lp))
			if pd[r+j] > 0 {
				lpd[r+j] = float32(lp)
			}
		}
	}
	logq := tp.LogSoftmax(tp.Scale(student, 1/T))
	kl := tp.SumAll(tp.Mul(autograd.Const(p), tp.Sub(autograd.Const(logp), logq)))
	return tp.Scale(kl, T*T/rows)
}

// DistillLoss returns Hinton's distillation loss as a scalar on tp:
//
//	alpha·SoftLoss(student, teacher, T) + (1 − alpha)·CE(student, labels)
//
// with CE the mean cross-entropy of the student's logits [..., V] against
// one label per row (autograd's CrossEntropy; labels equal to -100 are
// ignored in CE, as PyTorch's default; the soft term still averages over
// every row). Only student gets gradients. It panics as SoftLoss and
// CrossEntropy do.
func DistillLoss(tp *autograd.Tape, student *autograd.Value, teacher *tensor.Tensor, labels []int, T, alpha float32) *autograd.Value {
	soft := SoftLoss(tp, student, teacher, T)
	hard := tp.CrossEntropy(student, labels, -100)
	return tp.Add(tp.Scale(soft, alpha), tp.Scale(hard, 1-alpha))
}
