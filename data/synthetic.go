package data

import (
	"math/rand/v2"
	"slices"
	"strings"
)

// The built-in synthetic corpus: sentences of a tiny English grammar, one a
// line, whose verbs agree with their subjects.
//
//	the small mice chase a fox .
//	bob likes the old birds .
//	the red fox follows carol .
//
// A sentence is SUBJECT VERB OBJECT ".": a subject is a name or "the"
// [adjective] noun, singular or plural (irregular plurals included: mouse,
// mice); the verb is singular ("chases") after a singular subject and plural
// ("chase") after a plural one; an object is a name, "a" [adjective]
// singular noun, or "the" [adjective] noun. A character-level GPT learns the
// words in a few dozen steps and the agreement, which needs it to look back
// past the adjective to the noun and know its number, within a few hundred.
//
// The skill a run measures: complete held-out subjects. About a fifth of the
// "the adjective noun" subjects never begin a sentence of the training text
// (they may appear as objects); SkillPrompts gives them, and ScoreSkill
// checks that the model's completion makes a grammatical sentence, its verb
// agreeing. An untrained model scores 0%.
const (
	// SyntheticDescription says in one line what the built-in corpus is.
	SyntheticDescription = "built-in synthetic corpus: sentences of a tiny grammar (\"the small mice chase a fox .\") whose verbs agree with their subjects"
	// SyntheticSize is the default size in bytes of the synthetic corpus.
	SyntheticSize = 300_000
	// SyntheticAlphabet holds every character of the synthetic corpus, its
	// prompts and grammatical completions.
	SyntheticAlphabet = "\n .abcdefghiklmoqrstuvwx"
)

// The grammar's words.
var (
	names      = []string{"alice", "bob", "carol", "dave"}
	nounsSg    = []string{"cat", "dog", "fox", "bird", "mouse", "wolf"}
	nounsPl    = []string{"cats", "dogs", "foxes", "birds", "mice", "wolves"}
	adjectives = []string{"big", "small", "red", "old", "quick"}
	verbsSg    = []string{"sees", "chases", "likes", "follows"}
	verbsPl    = []string{"see", "chase", "like", "follow"}
)

// Streams of the PCGs, so Synthetic and SkillPrompts with one seed draw
// independent numbers.
const (
	streamSynthetic = 0x73796e7468
	streamSkill     = 0x736b696c6c
)

// subject is a "the adjective noun" subject: indices into adjectives and the
// noun lists, and its number.
type subject struct {
	adj, noun int
	plural    bool
}

func (s subject) String() string {
	return "the " + adjectives[s.adj] + " " + noun(s.noun, s.plural)
}

// heldOut reports whether a "the adjective noun" subject is kept out of the
// training text's subjects: a fixed hash, the same for every seed.
func (s subject) heldOut() bool {
	k := uint64(s.adj*100 + s.noun*2)
	if s.plural {
		k++
	}
	return splitmix64(k)%5 == 0
}

func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// subjects returns the "the adjective noun" subjects that are held out
// (held true) or not.
func subjects(held bool) []subject {
	var ss []subject
	for a := range adjectives {
		for n := range nounsSg {
			for _, pl := range []bool{false, true} {
				if s := (subject{a, n, pl}); s.heldOut() == held {
					ss = append(ss, s)
				}
			}
		}
	}
	return ss
}

// trainSubjects are the "the adjective noun" subjects that may begin a
// training sentence.
var trainSubjects = subjects(false)

// sentence appends one random training sentence and a newline.
func sentence(dst []byte, p *rand.PCG) []byte {
	pick := func(n int) int { return int(uniform(p, uint64(n))) }
	var plural bool
	switch pick(4) {
	case 0: // a name
		dst = append(dst, names[pick(len(names))]...)
	case 1: // "the noun"
		plural = pick(2) == 1
		dst = append(dst, "the "...)
		dst = append(dst, noun(pick(len(nounsSg)), plural)...)
	default: // "the adjective noun", never a held-out one
		s := trainSubjects[pick(len(trainSubjects))]
		plural = s.plural
		dst = append(dst, s.String()...)
	}
	dst = append(dst, ' ')
	if plural {
		dst = append(dst, verbsPl[pick(len(verbsPl))]...)
	} else {
		dst = append(dst, verbsSg[pick(len(verbsSg))]...)
	}
	dst = append(dst, ' ')
	switch pick(3) {
	case 0:
		dst = append(dst, names[pick(len(names))]...)
	case 1:
		dst = append(dst, "a "...)
		if pick(2) == 0 {
			dst = append(dst, adjectives[pick(len(adjectives))]...)
			dst = append(dst, ' ')
		}
		dst = append(dst, nounsSg[pick(len(nounsSg))]...)
	default:
		dst = append(dst, "the "...)
		if pick(2) == 0 {
			dst = append(dst, adjectives[pick(len(adjectives))]...)
			dst = append(dst, ' ')
		}
		dst = append(dst, noun(pick(len(nounsSg)), pick(2) == 1)...)
	}
	return append(dst, " .\n"...)
}

func noun(i int, plural bool) string {
	if plural {
		return nounsPl[i]
	}
	return nounsSg[i]
}

// Synthetic returns the built-in corpus: whole sentences, one a line, drawn
// from seed, about size bytes (never more). The same seed and size give the
// same text on every platform and Go release.
func Synthetic(seed uint64, size int) string {
	p := rand.NewPCG(seed, streamSynthetic)
	b := make([]byte, 0, max(size, 0))
	var line []byte
	for {
		line = sentence(line[:0], p)
		if len(b)+len(line) > size {
			return string(b)
		}
		b = append(b, line...)
	}
}

// SkillPrompts returns n prompts — held-out subjects such as "the red mice "
// (with the space after them, so the noun is complete and the next word must
// be a verb that agrees) that begin no sentence of any Synthetic text — in an
// order drawn from seed, repeating when n is larger than their number. A
// model should see a prompt at the start of a line.
func SkillPrompts(seed uint64, n int) []string {
	held := subjects(true)
	shuffle(rand.NewPCG(seed, streamSkill), held)
	out := make([]string, max(n, 0))
	for i := range out {
		out[i] = held[i%len(held)].String() + " "
	}
	return out
}

// ScoreSkill reports whether completion, the text a model wrote after
// prompt, makes prompt + completion (up to the first newline) a grammatical
// sentence of the corpus: a known subject, a verb that agrees with it, a
// known object, and " ." at the end.
func ScoreSkill(prompt, completion string) bool {
	line, _, _ := strings.Cut(prompt+completion, "\n")
	return Grammatical(line)
}

// Grammatical reports whether line (without its newline) is a sentence of
// the synthetic grammar.
func Grammatical(line string) bool {
	w := strings.Split(line, " ")
	plural, rest, ok := parseNP(w, true)
	if !ok || len(rest) < 3 || rest[len(rest)-1] != "." {
		return false
	}
	verbs := verbsSg
	if plural {
		verbs = verbsPl
	}
	if !slices.Contains(verbs, rest[0]) {
		return false
	}
	_, rest, ok = parseNP(rest[1:len(rest)-1], false)
	return ok && len(rest) == 0
}

// parseNP reads a noun phrase from the front of w: a name, "the" [adj] noun,
// or (objects only) "a" [adj] singular noun. It returns its number and the
// words after it.
func parseNP(w []string, subject bool) (plural bool, rest []string, ok bool) {
	if len(w) == 0 {
		return false, nil, false
	}
	if slices.Contains(names, w[0]) {
		return false, w[1:], true
	}
	if w[0] != "the" && (subject || w[0] != "a") {
		return false, nil, false
	}
	det := w[0]
	w = w[1:]
	if len(w) > 0 && slices.Contains(adjectives, w[0]) {
		w = w[1:]
	}
	if len(w) == 0 {
		return false, nil, false
	}
	if slices.Contains(nounsSg, w[0]) {
		return false, w[1:], true
	}
	if det == "the" && slices.Contains(nounsPl, w[0]) {
		return true, w[1:], true
	}
	return false, nil, false
}
