package main

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// The list flags below take comma-separated values ("--n 256,512"). Repeating
// a flag appends ("--n 256 --n 512"); the first use replaces the default.

// intList is a flag of positive integers.
type intList struct {
	vals []int
	set  bool
}

func (l *intList) String() string {
	if l == nil {
		return ""
	}
	s := make([]string, len(l.vals))
	for i, v := range l.vals {
		s[i] = strconv.Itoa(v)
	}
	return strings.Join(s, ",")
}

func (l *intList) Set(s string) error {
	vals, err := parseInts(s)
	if err != nil {
		return err
	}
	if !l.set {
		l.vals, l.set = nil, true
	}
	l.vals = append(l.vals, vals...)
	return nil
}

// parseInts parses a comma-separated list of positive integers: "256,512".
func parseInts(s string) ([]int, error) { return parseIntsFrom(s, 1) }

// parseIntsFrom parses a comma-separated list of integers ≥ lo.
func parseIntsFrom(s string, lo int) ([]int, error) {
	var vals []int
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		v, err := strconv.Atoi(f)
		switch {
		case f == "":
			return nil, fmt.Errorf("empty item in list %q", s)
		case err != nil:
			return nil, fmt.Errorf("%q is not an integer", f)
		case v < lo && lo == 1:
			return nil, fmt.Errorf("%d is not positive", v)
		case v < lo && lo == 0:
			return nil, fmt.Errorf("%d is negative", v)
		case v < lo:
			return nil, fmt.Errorf("%d is less than %d", v, lo)
		}
		vals = append(vals, v)
	}
	return vals, nil
}

// wordList is a flag of words, each one of allowed (matched without regard to
// case and stored as spelled in allowed) when allowed is set.
type wordList struct {
	vals    []string
	allowed []string
	set     bool
}

func (l *wordList) String() string {
	if l == nil {
		return ""
	}
	return strings.Join(l.vals, ",")
}

func (l *wordList) Set(s string) error {
	vals, err := parseWords(s, l.allowed)
	if err != nil {
		return err
	}
	if !l.set {
		l.vals, l.set = nil, true
	}
	l.vals = append(l.vals, vals...)
	return nil
}

// parseWords parses a comma-separated list of words, each one of allowed
// unless allowed is empty.
func parseWords(s string, allowed []string) ([]string, error) {
	var vals []string
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			return nil, fmt.Errorf("empty item in list %q", s)
		}
		if len(allowed) > 0 {
			i := slices.IndexFunc(allowed, func(a string) bool { return strings.EqualFold(a, f) })
			if i < 0 {
				return nil, fmt.Errorf("%q is not one of %s", f, strings.Join(allowed, ", "))
			}
			f = allowed[i]
		}
		vals = append(vals, f)
	}
	return vals, nil
}

// gemmShape is an m×k×n matrix product: [m, k]·[k, n].
type gemmShape struct{ m, k, n int }

func (s gemmShape) String() string { return fmt.Sprintf("%dx%dx%d", s.m, s.k, s.n) }

// shapeList is a flag of GEMM shapes written MxKxN: "768x128x384".
type shapeList struct {
	vals []gemmShape
	set  bool
}

func (l *shapeList) String() string {
	if l == nil {
		return ""
	}
	s := make([]string, len(l.vals))
	for i, v := range l.vals {
		s[i] = v.String()
	}
	return strings.Join(s, ",")
}

func (l *shapeList) Set(s string) error {
	vals, err := parseShapes(s)
	if err != nil {
		return err
	}
	if !l.set {
		l.vals, l.set = nil, true
	}
	l.vals = append(l.vals, vals...)
	return nil
}

// parseShapes parses a comma-separated list of MxKxN shapes of positive
// sizes: "768x128x384,64x64x64".
func parseShapes(s string) ([]gemmShape, error) {
	var vals []gemmShape
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		parts := strings.Split(strings.ToLower(f), "x")
		if len(parts) != 3 {
			return nil, fmt.Errorf("shape %q is not MxKxN (e.g. 768x128x384)", f)
		}
		var dims [3]int
		for i, p := range parts {
			v, err := strconv.Atoi(p)
			if err != nil || v < 1 {
				return nil, fmt.Errorf("shape %q: %q is not a positive integer", f, p)
			}
			dims[i] = v
		}
		vals = append(vals, gemmShape{m: dims[0], k: dims[1], n: dims[2]})
	}
	return vals, nil
}
