package tensor

import "fmt"

// gemmImpls lists the GEMM implementations this build can run, best first.
var gemmImpls = []string{"generic"}

var gemmImpl = gemmImpls[0]

// GemmImpls returns the names of the GEMM micro-kernels this machine and build
// can run, best first: "avx2" where the CPU has AVX2 and FMA (and the purego
// tag is off), and always "generic", the pure-Go twin.
func GemmImpls() []string { return append([]string(nil), gemmImpls...) }

// GemmImpl returns the name of the micro-kernel Gemm uses now.
func GemmImpl() string { return gemmImpl }

// SetGemmImpl makes Gemm use the named micro-kernel (one of GemmImpls) and
// returns the previous name. It is meant for tests and benchmarks and must not
// be called while a GEMM runs.
func SetGemmImpl(name string) (prev string, err error) {
	for _, s := range gemmImpls {
		if s == name {
			prev, gemmImpl = gemmImpl, name
			return prev, nil
		}
	}
	return gemmImpl, fmt.Errorf("tensor: unknown GEMM implementation %q (have %v)", name, gemmImpls)
}
