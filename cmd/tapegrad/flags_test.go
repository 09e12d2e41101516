package main

import (
	"flag"
	"fmt"
	"io"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseInts(t *testing.T) {
	tests := []struct {
		in      string
		want    []int
		wantErr bool
	}{
		{"256", []int{256}, false},
		{"256,512", []int{256, 512}, false},
		{" 1, 2 ,3 ", []int{1, 2, 3}, false},
		{"", nil, true},
		{"abc", nil, true},
		{"1.5", nil, true},
		{"0", nil, true},
		{"-4", nil, true},
		{"8,,16", nil, true},
		{"8,", nil, true},
		{"1e3", nil, true},
	}
	for _, tt := range tests {
		got, err := parseInts(tt.in)
		if (err != nil) != tt.wantErr || !cmp.Equal(got, tt.want) {
			t.Errorf("parseInts(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestParseShapes(t *testing.T) {
	tests := []struct {
		in      string
		want    []gemmShape
		wantErr bool
	}{
		{"768x128x384", []gemmShape{{m: 768, k: 128, n: 384}}, false},
		{"1x2x3,4X5X6", []gemmShape{{1, 2, 3}, {4, 5, 6}}, false},
		{"2x3", nil, true},
		{"2x3x4x5", nil, true},
		{"ax1x1", nil, true},
		{"0x1x1", nil, true},
		{"1x-1x1", nil, true},
		{"", nil, true},
	}
	for _, tt := range tests {
		got, err := parseShapes(tt.in)
		if (err != nil) != tt.wantErr || !cmp.Equal(got, tt.want, cmp.AllowUnexported(gemmShape{})) {
			t.Errorf("parseShapes(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestParseWords(t *testing.T) {
	modes := []string{"NN", "NT", "TN", "TT"}
	tests := []struct {
		in      string
		allowed []string
		want    []string
		wantErr bool
	}{
		{"NN,NT,TN", modes, []string{"NN", "NT", "TN"}, false},
		{"nt, tt", modes, []string{"NT", "TT"}, false},
		{"XY", modes, nil, true},
		{"NN,", modes, nil, true},
		{"anything,goes", nil, []string{"anything", "goes"}, false},
	}
	for _, tt := range tests {
		got, err := parseWords(tt.in, tt.allowed)
		if (err != nil) != tt.wantErr || !cmp.Equal(got, tt.want) {
			t.Errorf("parseWords(%q, %v) = %v, %v; want %v, error %v", tt.in, tt.allowed, got, err, tt.want, tt.wantErr)
		}
	}
}

// TestListFlags checks the flag.Value side: the first use replaces the
// default, later uses append, and String prints what Set reads.
func TestListFlags(t *testing.T) {
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	ints := intList{vals: []int{1, 2}}
	words := wordList{vals: []string{"NN"}, allowed: []string{"NN", "NT"}}
	shapes := shapeList{}
	fs.Var(&ints, "n", "")
	fs.Var(&words, "w", "")
	fs.Var(&shapes, "s", "")
	if err := fs.Parse([]string{"-n", "8,16", "--n", "32", "-w", "nt", "-s", "2x3x4", "-s", "5x6x7"}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ name, got, want string }{
		{"n", ints.String(), "8,16,32"},
		{"w", words.String(), "NT"},
		{"s", shapes.String(), "2x3x4,5x6x7"},
	} {
		if c.got != c.want {
			t.Errorf("-%s = %q; want %q", c.name, c.got, c.want)
		}
	}
	for _, args := range [][]string{{"-n", "x"}, {"-w", "TT"}, {"-s", "1x1"}} {
		if err := fs.Parse(args); err == nil {
			t.Errorf("Parse(%v) succeeded; want an error", args)
		}
	}
	if got := fmt.Sprint(&intList{}, &wordList{}, &shapeList{}); got != "  " {
		t.Errorf("zero list flags print %q; want empty strings", got)
	}
}
