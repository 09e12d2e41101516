package tokenizer

import "strings"

// contextError is an error from inside the package with more context in
// front ("tokenizer: model: " + "special token ..."), without repeating the
// "tokenizer: " prefix. It unwraps to the inner error.
type contextError struct {
	msg string
	err error
}

func (e *contextError) Error() string { return e.msg }
func (e *contextError) Unwrap() error { return e.err }

// inContext returns err as "tokenizer: <where>: <err without its prefix>".
func inContext(where string, err error) error {
	return &contextError{"tokenizer: " + where + ": " + strings.TrimPrefix(err.Error(), "tokenizer: "), err}
}
