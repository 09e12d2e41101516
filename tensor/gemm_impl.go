package tensor

import (
	"fmt"

	"github.com/tapegrad/tapegrad/tensor/internal/kernel"
)

// microKernel computes one MR×NR tile of C from packed panels; see package
// tensor/internal/kernel for the contract.
type microKernel func(kc int, a, b, c []float32, ldc int, alpha, beta float32)

// gemmImplementation is a micro-kernel with the panel packers that feed it.
type gemmImplementation struct {
	name         string
	kernel       microKernel
	packA, packB panelPacker
}

// gemmImpls lists the implementations this build and CPU can run, best first.
var gemmImpls = func() []gemmImplementation {
	var impls []gemmImplementation
	if kernel.HasAVX2 {
		impls = append(impls, gemmImplementation{"avx2", kernel.GemmAVX2, kernel.PackAAVX2, kernel.PackBAVX2})
	}
	return append(impls, gemmImplementation{"generic", kernel.GemmGeneric, kernel.PackAGeneric, kernel.PackBGeneric})
}()

var gemmCurrent = gemmImpls[0]

// GemmImpls returns the names of the GEMM micro-kernels this machine and build
// can run, best first: "avx2" where the CPU has AVX2 and FMA (and the purego
// tag is off), and always "generic", the pure-Go twin.
func GemmImpls() []string {
	names := make([]string, len(gemmImpls))
	for i, g := range gemmImpls {
		names[i] = g.name
	}
	return names
}

// GemmImpl returns the name of the micro-kernel Gemm uses now.
func GemmImpl() string { return gemmCurrent.name }

// SetGemmImpl makes Gemm use the named micro-kernel (one of GemmImpls) and
// returns the previous name. It is meant for tests and benchmarks and must not
// be called while a GEMM runs.
func SetGemmImpl(name string) (prev string, err error) {
	for _, g := range gemmImpls {
		if g.name == name {
			prev, gemmCurrent = gemmCurrent.name, g
			return prev, nil
		}
	}
	return gemmCurrent.name, fmt.Errorf("tensor: unknown GEMM implementation %q (have %v)", name, GemmImpls())
}
