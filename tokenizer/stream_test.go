package tokenizer

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestStreamDecoder(t *testing.T) {
	// Untrained minbpe: one id per byte, the hardest case for holding back.
	bpe, err := NewMinbpe(nil, NoSplit, nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		text   string
		pieces []string // what Add returns, id by id, then Flush
	}{
		{"ab", []string{"a", "b", ""}},
		{"é", []string{"", "é", ""}},
		{"a😉b", []string{"a", "", "", "", "😉", "b", ""}},
		{"\xe4\xbd", []string{"", "", "\xe4\xbd"}},             // cut short: Flush gives it
		{"\xe4A", []string{"", "\xe4A", ""}},                   // never valid: passed on
		{"\xff\xe0\x80", []string{"\xff", "", "\xe0\x80", ""}}, // E0 80 is no valid start
		{"\x80\x80", []string{"\x80", "\x80", ""}},
	}
	for _, tt := range tests {
		d := NewStreamDecoder(bpe)
		var got []string
		for i := 0; i < len(tt.text); i++ {
			s, err := d.Add(int(tt.text[i]))
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, s)
		}
		got = append(got, d.Flush())
		if strings.Join(got, "|") != strings.Join(tt.pieces, "|") {
			t.Errorf("stream %q = %q; want %q", tt.text, got, tt.pieces)
		}
	}
	d := NewStreamDecoder(bpe)
	if _, err := d.Add(1 << 20); err == nil {
		t.Error("Add(unknown id): no error")
	}
}

// TestStreamDecoderTiktoken streams gpt2 ids of text with emoji and CJK and
// wants valid UTF-8 in every piece and the text when joined.
func TestStreamDecoderTiktoken(t *testing.T) {
	enc := loadEncoding(t, "gpt2")
	text := "emoji 🏳️‍🌈 family 👨‍👩‍👧 中文文本和日本語のテキスト hello world!!!? (안녕하세요!) lol123 😉"
	d := NewStreamDecoder(enc)
	var b strings.Builder
	for _, id := range enc.EncodeOrdinary(text) {
		s, err := d.Add(id)
		if err != nil {
			t.Fatal(err)
		}
		if !utf8.ValidString(s) {
			t.Errorf("piece %q is not valid UTF-8", s)
		}
		b.WriteString(s)
	}
	b.WriteString(d.Flush())
	if b.String() != text {
		t.Errorf("streamed %q; want %q", b.String(), text)
	}
}
