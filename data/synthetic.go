package data

import (
	"math/rand/v2"
	"strings"
)

// The built-in synthetic corpus: two-digit addition, one problem a line.
//
// A line is "aa+bb=ccc\n": both operands zero-padded to two digits and the
// sum written with its three digits reversed, ones first, so "07+45=250"
// says 7 + 45 = 52 and "99+99=891" says 198. The layout is fixed (10 bytes a
// line) so every digit a character of the answer needs sits at the same
// distance behind it, and the answer is written in the order a person adds,
// ones first: each digit then depends only on two operand digits and the
// carry out of the digit just written, which a small character-level
// transformer learns far sooner than the most significant digit first
// (Lee et al., "Teaching Arithmetic to Small Transformers", 2023).
//
// Pairs of operands are split once, by a fixed hash of the unordered pair
// (seed-independent, so no seed's training text holds any seed's prompts):
// about a tenth are held out for SkillPrompts and never appear in Synthetic
// in either order, so a right answer to a prompt is arithmetic, not recall.
const (
	// SyntheticDescription says in one line what the built-in corpus is.
	SyntheticDescription = "built-in synthetic corpus: 2-digit additions \"aa+bb=ccc\" with the sum's digits reversed (ones first), ~10% of pairs held out to measure the skill"
	// SyntheticSize is the default size in bytes of the synthetic corpus.
	SyntheticSize = 300_000
	// SyntheticAlphabet holds every character of the synthetic corpus, its
	// prompts and right completions.
	SyntheticAlphabet = "\n+0123456789="
)

// Streams of the PCGs, so Synthetic and SkillPrompts with one seed draw
// independent numbers.
const (
	streamSynthetic = 0x73796e7468
	streamSkill     = 0x736b696c6c
)

// heldOut reports whether the unordered pair {a, b} is held out of the
// training text.
func heldOut(a, b int) bool {
	if a > b {
		a, b = b, a
	}
	return splitmix64(uint64(a*100+b))%10 == 0
}

func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// problems returns the ordered pairs (a, b), a and b in [0, 99], that are
// held out (held true) or not.
func problems(held bool) [][2]int {
	var ps [][2]int
	for a := range 100 {
		for b := range 100 {
			if heldOut(a, b) == held {
				ps = append(ps, [2]int{a, b})
			}
		}
	}
	return ps
}

// appendProblem appends "aa+bb=" and, when answer is true, the reversed sum
// and a newline.
func appendProblem(dst []byte, a, b int, answer bool) []byte {
	dst = append(dst, byte('0'+a/10), byte('0'+a%10), '+', byte('0'+b/10), byte('0'+b%10), '=')
	if answer {
		dst = appendAnswer(dst, a+b)
		dst = append(dst, '\n')
	}
	return dst
}

// appendAnswer appends the three digits of s, ones first.
func appendAnswer(dst []byte, s int) []byte {
	return append(dst, byte('0'+s%10), byte('0'+s/10%10), byte('0'+s/100))
}

// Synthetic returns the built-in corpus: size bytes or a little less of
// whole lines (10 bytes each), the training problems in a random order drawn
// from seed, every problem once before any repeats. The same seed and size
// give the same text, on every platform and Go release. A size below 10
// gives "".
func Synthetic(seed uint64, size int) string {
	ps := problems(false)
	p := rand.NewPCG(seed, streamSynthetic)
	n := max(size, 0) / 10
	b := make([]byte, 0, n*10)
	for len(b) < n*10 {
		shuffle(p, ps)
		for _, pr := range ps {
			if len(b) == n*10 {
				break
			}
			b = appendProblem(b, pr[0], pr[1], true)
		}
	}
	return string(b)
}

// SkillPrompts returns n held-out prompts such as "35+48=", distinct, in an
// order drawn from seed; none of them appears in any Synthetic text. There
// are about a thousand; a larger n gives them all.
func SkillPrompts(seed uint64, n int) []string {
	ps := problems(true)
	shuffle(rand.NewPCG(seed, streamSkill), ps)
	ps = ps[:min(max(n, 0), len(ps))]
	out := make([]string, len(ps))
	for i, pr := range ps {
		out[i] = string(appendProblem(nil, pr[0], pr[1], false))
	}
	return out
}

// SkillAnswer returns the right completion of a prompt "aa+bb=" (the sum's
// three digits, ones first, without the newline), or false when prompt is
// not one.
func SkillAnswer(prompt string) (string, bool) {
	if len(prompt) != 6 || prompt[2] != '+' || prompt[5] != '=' {
		return "", false
	}
	var d [4]int
	for i, j := range [4]int{0, 1, 3, 4} {
		c := prompt[j]
		if c < '0' || c > '9' {
			return "", false
		}
		d[i] = int(c - '0')
	}
	return string(appendAnswer(nil, d[0]*10+d[1]+d[2]*10+d[3])), true
}

// ScoreSkill reports whether completion, the text a model wrote after
// prompt, answers it: its first line must be exactly the answer.
func ScoreSkill(prompt, completion string) bool {
	want, ok := SkillAnswer(prompt)
	if !ok {
		return false
	}
	line, _, _ := strings.Cut(completion, "\n")
	return line == want
}
