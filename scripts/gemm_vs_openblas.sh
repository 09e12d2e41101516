#!/usr/bin/env bash
# Side-by-side GEMM speeds: tapegrad, OpenBLAS (through numpy) and gonum, in
# interleaved rounds on the same machine, then medians and ratios as the
# README's table. Needs: apt-get install -y python3-numpy libopenblas0-pthread
# usage: scripts/gemm_vs_openblas.sh [rounds]   (default 5)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}
ref=../shared/ref/gemm_numpy.py
out=$(mktemp)
go build -o /tmp/tapegrad-bench ./cmd/tapegrad
for r in $(seq "$rounds"); do
	echo "round $r/$rounds" >&2
	/tmp/tapegrad-bench bench gemm --json --impl avx2 --n 256,512,1024 --threads 1 --trans NN,NT,TN --ref gonum >>"$out"
	/tmp/tapegrad-bench bench gemm --json --impl avx2 --n 256,512,1024 --threads 2 --trans NN --ref gonum >>"$out"
	OPENBLAS_NUM_THREADS=1 /usr/bin/python3 "$ref" 256,512,1024 NN,NT,TN >>"$out"
	OPENBLAS_NUM_THREADS=2 /usr/bin/python3 "$ref" 256,512,1024 NN >>"$out"
done
/usr/bin/python3 scripts/gemm_table.py "$out"
