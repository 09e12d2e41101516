package main

import (
	"flag"
	"fmt"
	"strings"
	"testing"
)

func TestBenchAttention(t *testing.T) {
	code, out, errOut := runTest("bench", "attention", "--T", "7,300", "--B", "1", "--H", "2", "--D", "8", "--runs", "1", "--warmup", "0")
	if code != 0 {
		t.Fatalf("exit status %d, stderr:\n%s", code, errOut)
	}
	if errOut != "" {
		t.Errorf("stderr = %q; want nothing (it is not a terminal)", errOut)
	}
	table, records, raw := splitOutput(t, out)
	if len(table) != 1+4 || !strings.Contains(table[0], "peak MiB") || !strings.Contains(table[0], "vs reference") {
		t.Errorf("table = %q; want a header with peak MiB and ratios, and 4 rows", table)
	}
	if len(records) != 4 {
		t.Fatalf("%d JSON lines; want 4 (T = 7, 300 × fused, reference)", len(records))
	}
	i := 0
	for _, T := range []int{7, 300} {
		for _, impl := range []string{"fused", "reference"} {
			// Field order is part of the format.
			prefix := fmt.Sprintf(`{"bench":"attention","impl":%q,"T":%d,"B":1,"H":2,"D":8,"ms":`, impl, T)
			if !strings.HasPrefix(raw[i], prefix) || !strings.HasSuffix(raw[i], `,"backward":true}`) {
				t.Errorf("JSON line %d = %s; want %s…,\"backward\":true}", i, raw[i], prefix)
			}
			r := records[i]
			if ms, ok := r["ms"].(float64); !ok || !(ms > 0) {
				t.Errorf("JSON line %d: ms = %v; want a positive number", i, r["ms"])
			}
			if mb, ok := r["peak_mb"].(float64); !ok || !(mb > 0) {
				t.Errorf("JSON line %d: peak_mb = %v; want a positive number", i, r["peak_mb"])
			}
			i++
		}
	}
	// At T=300 the reference holds [2, 300, 300] probabilities: more memory.
	if f, r := records[2]["peak_mb"].(float64), records[3]["peak_mb"].(float64); !(f < r) {
		t.Errorf("T=300: fused peak %v MiB, reference %v; want fused below", f, r)
	}
}

func TestBenchAttentionFlags(t *testing.T) {
	// Aliases map to the record names, once each; --backward=false runs the
	// forward alone.
	code, out, errOut := runTest("bench", "attention", "--T", "5", "--H", "1", "--D", "4", "--impl", "flash,fused",
		"--backward=false", "--runs", "1", "--json")
	if code != 0 {
		t.Fatalf("exit status %d, stderr:\n%s", code, errOut)
	}
	table, records, _ := splitOutput(t, out)
	if len(table) != 0 || len(records) != 1 || records[0]["impl"] != "fused" || records[0]["backward"] != false {
		t.Errorf("table %q, records %v; want one fused forward-only JSON line", table, records)
	}

	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--T", "0"}, "0 is not positive"},
		{[]string{"--impl", "cuda"}, `"cuda" is not one of`},
		{[]string{"--D", "0"}, "must be positive"},
		{[]string{"--runs", "0"}, "--runs must be at least 1"},
		{[]string{"--warmup", "-1"}, "--warmup must not be negative"},
		{[]string{"extra"}, `unexpected argument "extra"`},
	} {
		code, out, errOut := runTest(append([]string{"bench", "attention"}, tt.args...)...)
		if code != 2 || out != "" || !strings.Contains(errOut, tt.want) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want 2, nothing, %q", tt.args, code, out, errOut, tt.want)
		}
	}

	// -h lists every flag.
	_, out, _ = runTest("bench", "attention", "-h")
	var c attentionConfig
	newAttentionFlags(&c).VisitAll(func(f *flag.Flag) {
		if !strings.Contains(out, "  -"+f.Name+" ") && !strings.Contains(out, "  -"+f.Name+"\n") {
			t.Errorf("bench attention -h does not list -%s", f.Name)
		}
	})
}
