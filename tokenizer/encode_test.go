package tokenizer

import (
	"slices"
	"strings"
	"testing"
)

func TestEncodeSpecial(t *testing.T) {
	// Untrained minbpe, so ordinary ids are bytes; "<|a|>" and "<|a|>b"
	// overlap: the longest wins at the same place.
	bpe, err := NewMinbpe(nil, GPT4, map[string]int{"<|a|>": 300, "<|a|>b": 301, "<|z|>": 302})
	if err != nil {
		t.Fatal(err)
	}
	bytesOf := func(s string) []int {
		var ids []int
		for i := 0; i < len(s); i++ {
			ids = append(ids, int(s[i]))
		}
		return ids
	}
	tests := []struct {
		text                string
		allowed, disallowed SpecialSet
		want                []int
		err                 bool
	}{
		{"x<|a|>y", AllSpecial, NoSpecial, slices.Concat(bytesOf("x"), []int{300}, bytesOf("y")), false},
		{"x<|a|>by", AllSpecial, NoSpecial, slices.Concat(bytesOf("x"), []int{301}, bytesOf("y")), false},
		{"<|z|><|a|><|z|>", AllSpecial, NoSpecial, []int{302, 300, 302}, false},
		{"x<|a|>y", NoSpecial, AllSpecial, nil, true},
		{"x<|a|>y", NoSpecial, NoSpecial, bytesOf("x<|a|>y"), false},
		{"x<|z|>y<|a|>", Specials("<|z|>"), AllSpecial, nil, true},
		{"x<|z|>y<|a|>", Specials("<|z|>"), NoSpecial, slices.Concat(bytesOf("x"), []int{302}, bytesOf("y<|a|>")), false},
		{"x<|z|>", Specials("<|z|>"), Specials("<|a|>"), slices.Concat(bytesOf("x"), []int{302}), false},
		{"x", Specials("<|nope|>"), NoSpecial, nil, true},
		{"x", NoSpecial, Specials("<|nope|>"), nil, true},
		{"", AllSpecial, NoSpecial, []int{}, false},
	}
	for _, tt := range tests {
		got, err := bpe.EncodeSpecial(tt.text, tt.allowed, tt.disallowed)
		if (err != nil) != tt.err {
			t.Errorf("EncodeSpecial(%q, %v, %v) error = %v; want error %v", tt.text, tt.allowed, tt.disallowed, err, tt.err)
			continue
		}
		if err == nil && !slices.Equal(got, tt.want) && !(len(got) == 0 && len(tt.want) == 0) {
			t.Errorf("EncodeSpecial(%q, %v, %v) = %v; want %v", tt.text, tt.allowed, tt.disallowed, got, tt.want)
		}
		if err != nil && !strings.HasPrefix(err.Error(), "tokenizer: ") {
			t.Errorf("error %q lacks the package prefix", err)
		}
	}
	if _, err := bpe.Encode("plain"); err != nil {
		t.Errorf("Encode(plain) error %v", err)
	}
	if s, err := bpe.Decode([]int{104, 300, 301}); err != nil || s != "h<|a|><|a|>b" {
		t.Errorf("Decode = %q, %v", s, err)
	}
	if _, err := bpe.Decode([]int{299}); err == nil {
		t.Error("Decode(299): no error")
	}
}

func TestReadTiktokenErrors(t *testing.T) {
	var good strings.Builder
	for b := range 256 {
		good.WriteString(base64String([]byte{byte(b)}) + " " + itoaTest(b) + "\n")
	}
	tests := []struct {
		name, data, line string
	}{
		{"one field", "YQ==\n", "line 1"},
		{"three fields", "YQ== 1 2\n", "line 1"},
		{"bad base64", "YQ= 1\n", "line 1"},
		{"bad rank", "\nYQ== x\n", "line 2"},
		{"negative rank", "YQ== -1\n", "line 1"},
		{"huge rank", "YQ== 99999999999\n", "line 1"},
		{"repeated token", "YQ== 1\nYQ== 2\n", "line 2"},
		{"repeated rank", "YQ== 1\nYg== 1\n", "line 2"},
		{"missing bytes", "YQ== 0\n", "byte 0x00"},
		{"gap", good.String() + base64String([]byte("ab")) + " 900000\n", "far beyond"},
	}
	for _, tt := range tests {
		_, err := ReadTiktoken(strings.NewReader(tt.data), Encoding{Pattern: GPT2})
		if err == nil || !strings.Contains(err.Error(), tt.line) || !strings.HasPrefix(err.Error(), "tokenizer: ") {
			t.Errorf("%s: ReadTiktoken error = %v; want one naming %q", tt.name, err, tt.line)
		}
	}
	if _, err := ReadTiktoken(strings.NewReader(good.String()+"\r\n"), Encoding{Pattern: GPT2}); err != nil {
		t.Errorf("256 bytes and an empty line: %v", err)
	}
	if _, err := LoadTiktoken("/nonexistent/o200k_base.tiktoken"); err == nil {
		t.Error("LoadTiktoken(o200k_base): no error")
	}
}

func TestReadModelErrors(t *testing.T) {
	tests := []struct {
		name, data, want string
	}{
		{"empty", "", "version line"},
		{"version", "minbpe v2\n", "line 1"},
		{"pattern", "minbpe v1\n\\w+\n0\n", "line 2"},
		{"no count", "minbpe v1\n\n", "number of special"},
		{"bad count", "minbpe v1\n\nx\n", "line 3"},
		{"missing special", "minbpe v1\n\n2\n<|a|> 300\n", "special tokens"},
		{"bad special", "minbpe v1\n\n1\n<|a|>\n", "line 4"},
		{"repeated special", "minbpe v1\n\n2\n<|a|> 300\n<|a|> 301\n", "line 5"},
		{"special on a byte", "minbpe v1\n\n1\n<|a|> 97\n", "already the token"},
		{"merge fields", "minbpe v1\n\n0\n97\n", "line 4"},
		{"merge number", "minbpe v1\n\n0\n97 x\n", "line 4"},
		{"merge undefined", "minbpe v1\n\n0\n97 97\n257 97\n", "line 5"},
		{"merge repeated", "minbpe v1\n\n0\n97 97\n97 97\n", "repeats line 4"},
		{"blank line", "minbpe v1\n\n0\n97 97\n\n", "line 5"},
	}
	for _, tt := range tests {
		_, err := ReadModel(strings.NewReader(tt.data))
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "tokenizer: ") {
			t.Errorf("%s: ReadModel error = %v; want one naming %q", tt.name, err, tt.want)
		}
	}
	// minbpe trims lines: CRLF files load.
	if _, err := ReadModel(strings.NewReader("minbpe v1\r\n\r\n0\r\n97 97\r\n")); err != nil {
		t.Errorf("CRLF model: %v", err)
	}
}
