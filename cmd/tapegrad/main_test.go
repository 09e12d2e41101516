package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/tapegrad/tapegrad/tensor"
)

// runTest runs tapegrad with args and returns its exit status and output.
func runTest(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = run(args, strings.NewReader(""), &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestHelp(t *testing.T) {
	tests := []struct {
		args []string
		want []string // substrings of stdout
	}{
		{[]string{"-h"}, []string{"Usage:", "bench", "help"}},
		{[]string{"--help"}, []string{"Commands:", "bench"}},
		{[]string{"help"}, []string{"Commands:", "bench"}},
		{[]string{"help", "help"}, []string{"Commands:"}},
		{[]string{"bench", "-h"}, []string{"tapegrad bench <benchmark>", "gemm"}},
		{[]string{"help", "bench"}, []string{"tapegrad bench <benchmark>", "gemm"}},
		{[]string{"bench", "gemm", "-h"}, []string{"tapegrad bench gemm [flags]", "Examples:", "$ tapegrad bench gemm --n"}},
		{[]string{"bench", "gemm", "--help"}, []string{"tapegrad bench gemm [flags]"}},
		{[]string{"help", "bench", "gemm"}, []string{"tapegrad bench gemm [flags]"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, out, errOut := runTest(tt.args...)
			if code != 0 {
				t.Errorf("exit status %d; want 0", code)
			}
			if errOut != "" {
				t.Errorf("stderr = %q; want nothing", errOut)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("stdout does not contain %q:\n%s", w, out)
				}
			}
		})
	}
}

// TestBenchGemmHelpNamesEveryFlag keeps -h in step with the flags.
func TestBenchGemmHelpNamesEveryFlag(t *testing.T) {
	_, out, _ := runTest("bench", "gemm", "-h")
	var c gemmConfig
	newGemmFlags(&c).VisitAll(func(f *flag.Flag) {
		if !strings.Contains(out, "  -"+f.Name+" ") && !strings.Contains(out, "  -"+f.Name+"\n") {
			t.Errorf("bench gemm -h does not list -%s", f.Name)
		}
		if f.Usage == "" {
			t.Errorf("-%s has no usage text", f.Name)
		}
	})
}

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string // substring of stderr
	}{
		{nil, "no command given"},
		{[]string{"nosuch"}, `unknown command "nosuch"`},
		{[]string{"-x"}, `unknown command "-x"`},
		{[]string{"help", "nosuch"}, `unknown command "nosuch"`},
		{[]string{"bench"}, "no benchmark named (have " + benchNames() + ")"},
		{[]string{"bench", "nosuch"}, `unknown benchmark "nosuch" (have ` + benchNames() + ")"},
		{[]string{"help", "bench", "nosuch"}, `unknown benchmark "nosuch"`},
		{[]string{"bench", "gemm", "--n", "abc"}, `"abc" is not an integer`},
		{[]string{"bench", "gemm", "--n", "0"}, "0 is not positive"},
		{[]string{"bench", "gemm", "--n", "8,"}, "empty item"},
		{[]string{"bench", "gemm", "--threads", "-1"}, "not positive"},
		{[]string{"bench", "gemm", "--trans", "NX"}, `"NX" is not one of NN, NT, TN, TT`},
		{[]string{"bench", "gemm", "--impl", "cuda"}, `"cuda" is not one of`},
		{[]string{"bench", "gemm", "--ref", "mkl"}, `"mkl" is not one of gonum`},
		{[]string{"bench", "gemm", "--shape", "2x3"}, "not MxKxN"},
		{[]string{"bench", "gemm", "--bogus"}, "flag provided but not defined: -bogus"},
		{[]string{"bench", "gemm", "--warmup", "0"}, "--warmup must be at least 1"},
		{[]string{"bench", "gemm", "--batches", "0"}, "--batches must be at least 1"},
		{[]string{"bench", "gemm", "--reps", "-1"}, "--reps must not be negative"},
		{[]string{"bench", "gemm", "--min-time", "soon"}, "invalid value"},
		{[]string{"bench", "gemm", "extra"}, `unexpected argument "extra"`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, out, errOut := runTest(tt.args...)
			if code != 2 {
				t.Errorf("exit status %d; want 2", code)
			}
			if out != "" {
				t.Errorf("stdout = %q; want nothing", out)
			}
			if !strings.Contains(errOut, tt.want) || !strings.HasPrefix(errOut, "tapegrad: ") {
				t.Errorf("stderr = %q; want it to start with \"tapegrad: \" and contain %q", errOut, tt.want)
			}
		})
	}
}

func TestExitCode(t *testing.T) {
	tests := []struct {
		err    error
		code   int
		stderr string
	}{
		{nil, 0, ""},
		{flag.ErrHelp, 0, ""},
		{errors.New("bench gemm: boom"), 1, "tapegrad: bench gemm: boom\n"},
		{fmt.Errorf("wrapped: %w", &usageError{cmd: "bench gemm", msg: "bad"}), 2, "tapegrad: bench gemm: bad\nRun 'tapegrad bench gemm -h' for usage.\n"},
	}
	for _, tt := range tests {
		var errOut bytes.Buffer
		e := &env{stdout: io.Discard, stderr: &errOut}
		if code := e.exitCode(tt.err); code != tt.code || errOut.String() != tt.stderr {
			t.Errorf("exitCode(%v) = %d, stderr %q; want %d, %q", tt.err, code, errOut.String(), tt.code, tt.stderr)
		}
	}
}

// splitOutput splits a benchmark's stdout into the table lines and the JSON
// lines that follow them.
func splitOutput(t *testing.T, out string) (table []string, records []map[string]any, raw []string) {
	t.Helper()
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "{") {
			if len(records) > 0 {
				t.Fatalf("table line %q after the JSON lines", line)
			}
			table = append(table, line)
			continue
		}
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("bad JSON line %q: %v", line, err)
		}
		records = append(records, rec)
		raw = append(raw, line)
	}
	return table, records, raw
}

func TestBenchGemm(t *testing.T) {
	prevImpl, prevThreads := tensor.GemmImpl(), tensor.MaxThreads()
	code, out, errOut := runTest("bench", "gemm", "--n", "8", "--threads", "1", "--trans", "NN")
	if code != 0 {
		t.Fatalf("exit status %d, stderr:\n%s", code, errOut)
	}
	if errOut != "" {
		t.Errorf("stderr = %q; want nothing (it is not a terminal)", errOut)
	}
	table, records, raw := splitOutput(t, out)
	impls := tensor.GemmImpls()
	if len(table) != 1+len(impls) || !strings.Contains(table[0], "GFLOP/s") {
		t.Errorf("table = %q; want a header with GFLOP/s and %d rows", table, len(impls))
	}
	if len(records) != len(impls) {
		t.Fatalf("%d JSON lines; want %d (one per implementation %v)", len(records), len(impls), impls)
	}
	for i, line := range raw {
		// Field order is part of the format: machines may read it by eye too.
		prefix := fmt.Sprintf(`{"bench":"gemm","m":8,"n":8,"k":8,"trans":"NN","threads":1,"impl":%q,"gflops":`, impls[i])
		if !strings.HasPrefix(line, prefix) {
			t.Errorf("JSON line %d = %s; want it to start with %s", i, line, prefix)
		}
		if g, ok := records[i]["gflops"].(float64); !ok || !(g > 0) || g != float64(int64(g*100+0.5))/100 {
			t.Errorf("JSON line %d: gflops = %v; want a positive number with at most 2 decimals", i, records[i]["gflops"])
		}
	}
	if tensor.GemmImpl() != prevImpl || tensor.MaxThreads() != prevThreads {
		t.Errorf("bench gemm left impl=%s threads=%d; want %s, %d restored", tensor.GemmImpl(), tensor.MaxThreads(), prevImpl, prevThreads)
	}
}

func TestBenchGemmCombinations(t *testing.T) {
	args := []string{"bench", "gemm", "--shape", "3x5x7,1x1x1", "--trans", "NT,TN", "--threads", "1,2",
		"--ref", "gonum", "--reps", "2", "--batches", "2", "--warmup", "1"}
	code, out, errOut := runTest(append(args, "--json")...)
	if code != 0 {
		t.Fatalf("exit status %d, stderr:\n%s", code, errOut)
	}
	table, records, _ := splitOutput(t, out)
	if len(table) != 0 {
		t.Errorf("--json printed a table: %q", table)
	}
	impls := append(tensor.GemmImpls(), "gonum")
	if want := 2 * 2 * 2 * len(impls); len(records) != want {
		t.Fatalf("%d JSON lines; want %d", len(records), want)
	}
	type key struct {
		m, n, k, threads float64
		trans, impl      string
	}
	seen := map[key]bool{}
	for _, r := range records {
		k := key{r["m"].(float64), r["n"].(float64), r["k"].(float64), r["threads"].(float64), r["trans"].(string), r["impl"].(string)}
		seen[k] = true
	}
	for _, s := range []gemmShape{{3, 5, 7}, {1, 1, 1}} {
		for _, tr := range []string{"NT", "TN"} {
			for _, th := range []float64{1, 2} {
				for _, impl := range impls {
					k := key{float64(s.m), float64(s.n), float64(s.k), th, tr, impl}
					if !seen[k] {
						t.Errorf("no JSON line for %+v", k)
					}
				}
			}
		}
	}

	// The same run with the table: a "vs gonum" column, 1.00x on gonum's rows.
	code, out, errOut = runTest(args...)
	if code != 0 {
		t.Fatalf("exit status %d, stderr:\n%s", code, errOut)
	}
	table, _, _ = splitOutput(t, out)
	if !strings.Contains(table[0], "vs gonum") {
		t.Errorf("table header %q has no \"vs gonum\" column", table[0])
	}
	for _, row := range table[1:] {
		if strings.Contains(row, " gonum ") && !strings.HasSuffix(row, "1.00x") {
			t.Errorf("gonum row %q is not 1.00x of itself", row)
		}
	}
}

// TestBenchGemmShapeOnly: --shape alone replaces the default square sizes;
// with --n as well, both run.
func TestBenchGemmShapeOnly(t *testing.T) {
	base := []string{"bench", "gemm", "--threads", "1", "--impl", tensor.GemmImpls()[0], "--reps", "1", "--batches", "1", "--warmup", "1", "--json"}
	for _, tt := range []struct {
		extra []string
		rows  int
	}{
		{[]string{"--shape", "2x3x4"}, 1},
		{[]string{"--shape", "2x3x4", "--n", "5"}, 2},
	} {
		code, out, errOut := runTest(append(base, tt.extra...)...)
		if code != 0 {
			t.Fatalf("%v: exit status %d, stderr:\n%s", tt.extra, code, errOut)
		}
		if _, records, _ := splitOutput(t, out); len(records) != tt.rows {
			t.Errorf("%v: %d rows; want %d", tt.extra, len(records), tt.rows)
		}
	}
}
