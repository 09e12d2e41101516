package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"

	"github.com/tapegrad/tapegrad/autograd"
	"github.com/tapegrad/tapegrad/tensor"
)

// Sampling configures Generate.
type Sampling struct {
	Temperature float32 // divides the logits; 0 picks the most likely token (greedy)
	TopK        int     // keep only the K most likely tokens; 0 keeps all
	TopP        float32 // keep the smallest set of tokens whose probability adds up to TopP; 0 or 1 keeps all
	Seed        uint64  // seeds the sampler: the same seed gives the same text
	NoCache     bool    // re-run the whole context for every token (the reference path; slow)
	// OnToken, if set, sees each new token as it is chosen; returning false
	// stops generation.
	OnToken func(id int) bool
}

// Generate continues prompt (at least one token id) by up to maxNew tokens
// and returns the new ones. Each step decodes with a per-layer KV cache
// preallocated to BlockSize, so a token costs one position's work, not the
// whole context's; while the context fits in BlockSize the logits equal
// those of re-running it whole. Once the context is longer: with RoPE the
// cache slides — each layer attends to the keys and values of the last
// BlockSize positions, at their absolute positions (sliding-window
// attention; those keys were computed while older tokens were still in view,
// so this differs slightly from re-running only the last BlockSize tokens);
// with learned positions every position shifts, so each later step re-runs
// the last BlockSize tokens, exactly as nanoGPT's cropping does.
func (g *GPT) Generate(prompt []int, maxNew int, s Sampling) ([]int, error) {
	if len(prompt) == 0 {
		return nil, fmt.Errorf("nn: Generate: empty prompt")
	}
	for i, id := range prompt {
		if id < 0 || id >= g.Config.VocabSize {
			return nil, fmt.Errorf("nn: Generate: prompt token %d at %d out of range [0, %d)", id, i, g.Config.VocabSize)
		}
	}
	if s.TopK < 0 || s.TopP < 0 || s.TopP > 1 || s.Temperature < 0 {
		return nil, fmt.Errorf("nn: Generate: bad sampling %+v", s)
	}
	rng := rand.New(rand.NewPCG(s.Seed, s.Seed^0x5851f42d4c957f2d))
	context := append([]int(nil), prompt...)
	var d *Decoder
	var logits []float32
	if s.NoCache {
		logits = g.LastLogits(context)
	} else {
		d = g.NewDecoder()
		logits = d.Append(prompt...)
	}
	sampler := newSampler(g.Config.VocabSize)
	var out []int
	for range maxNew {
		id := sampler.pick(logits, s, rng)
		out = append(out, id)
		if s.OnToken != nil && !s.OnToken(id) {
			break
		}
		context = append(context, id)
		if s.NoCache {
			logits = g.LastLogits(context)
		} else {
			logits = d.Append(id)
		}
	}
	return out, nil
}

// LastLogits runs the model on the last BlockSize tokens of context, without
// a cache, and returns the logits [V] of the last position: the reference
// that cached decoding must match.
func (g *GPT) LastLogits(context []int) []float32 {
	if n := len(context); n > g.Config.BlockSize {
		context = context[n-g.Config.BlockSize:]
	}
	tp := autograd.NewTape()
	var logits *autograd.Value
	tp.NoGrad(func() { logits = g.Forward(tp, context, 1, len(context)) })
	v := g.Config.VocabSize
	return append([]float32(nil), logits.Data.Data()[(len(context)-1)*v:]...)
}

// Decoder runs a GPT one token at a time with a per-layer cache of keys and
// values [H, BlockSize, D] (H the layer's own number of heads), preallocated. Its memory is flat from token to
// token. A Decoder holds one sequence and is not safe for concurrent use.
type Decoder struct {
	g       *GPT
	tp      *autograd.Tape
	k, v    []*tensor.Tensor // per layer [H_l, BlockSize, D]
	n       int              // positions in the cache
	pos     int              // absolute position of the next token
	history []int            // the tokens in the cache (to re-run a window)
	logits  []float32
	scores  []float32
}

// NewDecoder returns a decoder with an empty cache.
func (g *GPT) NewDecoder() *Decoder {
	c := g.Config
	d := &Decoder{g: g, tp: autograd.NewTape(), logits: make([]float32, c.VocabSize), scores: make([]float32, c.BlockSize)}
	for _, blk := range g.Blocks {
		h, hd := blk.Attn.NHead, blk.Attn.HeadSize()
		d.k = append(d.k, tensor.New(h, c.BlockSize, hd))
		d.v = append(d.v, tensor.New(h, c.BlockSize, hd))
	}
	return d
}

// Reset empties the cache for a new sequence.
func (d *Decoder) Reset() { d.n, d.pos, d.history = 0, 0, d.history[:0] }

// Len returns the number of positions in the cache.
func (d *Decoder) Len() int { return d.n }

// Append feeds tokens and returns the logits [V] after the last one. The
// slice is reused by the next call. It panics on an id out of range.
func (d *Decoder) Append(ids ...int) []float32 {
	bs := d.g.Config.BlockSize
	for len(ids) > 0 {
		switch {
		case d.n < bs:
			take := min(len(ids), bs-d.n)
			d.step(ids[:take])
			ids = ids[take:]
		case d.g.Config.RoPE:
			d.slide()
		default:
			// Learned positions: every position shifts; re-run the last
			// BlockSize−1 tokens so the next one lands at position BlockSize−1.
			keep := append([]int(nil), d.history[len(d.history)-(bs-1):]...)
			d.Reset()
			d.step(keep)
		}
	}
	return d.logits
}

// slide drops the oldest position of every layer's cache.
func (d *Decoder) slide() {
	c := d.g.Config
	for l := range d.k {
		for _, t := range []*tensor.Tensor{d.k[l], d.v[l]} {
			td := t.Data()
			hd := t.Dim(2)
			for h := range t.Dim(0) {
				head := td[h*c.BlockSize*hd : (h+1)*c.BlockSize*hd]
				copy(head, head[hd:])
			}
		}
	}
	d.n--
	d.history = d.history[1:]
}

// step runs the new tokens (all fitting in the cache) through the model,
// appending their keys and values, and leaves the last one's logits.
func (d *Decoder) step(ids []int) {
	g, tp := d.g, d.tp
	tp.Reset()
	prev := tp.SetGradEnabled(false)
	defer tp.SetGradEnabled(prev)
	t := len(ids)
	x := g.Wte.Forward(tp, ids, 1, t)
	if g.Wpe != nil {
		pos := make([]int, t)
		for i := range pos {
			pos[i] = d.pos + i
		}
		x = tp.Add(x, g.Wpe.Forward(tp, pos, t))
	}
	for l, blk := range g.Blocks {
		a := blk.Attn
		q, k, v := a.heads(tp, a.CAttn.Forward(tp, blk.Ln1.Forward(tp, x)), d.pos)
		y := d.attend(l, q.Data, k.Data, v.Data)
		y = tensor.Permute(y, 0, 2, 1, 3).Reshape(1, t, y.Dim(1)*y.Dim(3))
		x = tp.Add(x, a.CProj.Forward(tp, autograd.Const(y)))
		x = tp.Add(x, blk.MLP.Forward(tp, blk.Ln2.Forward(tp, x)))
	}
	last := tp.Narrow(x, 1, t-1, 1)
	logits := tp.MatMulTrans(g.LnF.Forward(tp, last), false, g.Wte.Weight, true)
	copy(d.logits, logits.Data.Data())
	d.n += t
	d.pos += t
	d.history = append(d.history, ids...)
}

// attend appends k, v [1, H, t, D] to layer l's cache after its n positions
// and returns the attention of q [1, H, t, D] over the cache, causally:
// query i sees cached positions 0 … n+i. The result is [1, H, t, D].
func (d *Decoder) attend(l int, q, k, v *tensor.Tensor) *tensor.Tensor {
	h, t, hd, bs := d.k[l].Dim(0), q.Dim(2), d.k[l].Dim(2), d.g.Config.BlockSize
	kc, vc := d.k[l].Data(), d.v[l].Data()
	for hh := range h {
		copy(kc[(hh*bs+d.n)*hd:(hh*bs+d.n+t)*hd], k.Data()[hh*t*hd:(hh+1)*t*hd])
		copy(vc[(hh*bs+d.n)*hd:(hh*bs+d.n+t)*hd], v.Data()[hh*t*hd:(hh+1)*t*hd])
	}
	out := tensor.New(1, h, t, hd)
	scale := float32(1 / math.Sqrt(float64(hd)))
	qd, od := q.Data(), out.Data()
	for hh := range h {
		for i := range t {
			seen := d.n + i + 1
			s := d.scores[:seen]
			tensor.Gemm(false, true, 1, seen, hd, scale, qd[(hh*t+i)*hd:], hd, kc[hh*bs*hd:], hd, 0, s, seen)
			m := s[0]
			for _, x := range s[1:] {
				m = max(m, x)
			}
			var sum float64
			for j, x := range s {
				e := math.Exp(float64(x - m))
				s[j] = float32(e)
				sum += e
			}
			tensor.Gemm(false, false, 1, hd, seen, float32(1/sum), s, seen, vc[hh*bs*hd:], hd, 0, od[(hh*t+i)*hd:], hd)
		}
	}
	return out
}

// sampler turns logits into a token, reusing its buffers.
type sampler struct {
	probs []float64
	order []int
}

func newSampler(v int) *sampler { return &sampler{probs: make([]float64, v), order: make([]int, v)} }

func (sp *sampler) pick(logits []float32, s Sampling, rng *rand.Rand) int {
	if s.Temperature == 0 {
		best := 0
		for i, x := range logits {
			if x > logits[best] {
				best = i
			}
		}
		return best
	}
	m := float64(logits[0])
	for _, x := range logits {
		m = max(m, float64(x))
	}
	var sum float64
	for i, x := range logits {
		sp.probs[i] = math.Exp((float64(x) - m) / float64(s.Temperature))
		sum += sp.probs[i]
		sp.order[i] = i
	}
	keep := len(logits)
	if s.TopK > 0 || (s.TopP > 0 && s.TopP < 1) {
		sort.Slice(sp.order, func(a, b int) bool { return sp.probs[sp.order[a]] > sp.probs[sp.order[b]] })
		if s.TopK > 0 {
			keep = min(keep, s.TopK)
		}
		if s.TopP > 0 && s.TopP < 1 {
			var cum float64
			for i, id := range sp.order[:keep] {
				cum += sp.probs[id] / sum
				if cum >= float64(s.TopP) {
					keep = i + 1
					break
				}
			}
		}
		sum = 0
		for _, id := range sp.order[:keep] {
			sum += sp.probs[id]
		}
	}
	r := rng.Float64() * sum
	for _, id := range sp.order[:keep] {
		r -= sp.probs[id]
		if r < 0 {
			return id
		}
	}
	return sp.order[keep-1]
}
