#!/usr/bin/env bash
# Side-by-side training-step speed: `tapegrad bench step` and the PyTorch twin
# (../shared/ref/ref_train.py), one process per configuration, in interleaved
# rounds; prints every round, then medians, PyTorch's peak RSS (its own
# report) and best-against-best ratios, as the README's "Training step" table.
# Needs: apt-get install -y python3-torch python3-numpy
# usage: scripts/step_vs_pytorch.sh [small|medium] [rounds]   (default: small 5)
set -euo pipefail
cd "$(dirname "$0")/.."
model=${1:-small}
rounds=${2:-5}
data=../shared/data/tinyshakespeare.txt
case "$model" in
small) tg=(--iters 30 --warmup 3) pt=(--bench 30) ;;
medium) tg=(--iters 10 --warmup 3 --n_layer 6 --n_head 6 --n_embd 384 --block_size 256 --batch_size 8)
	pt=(--bench 10 --L 6 --H 6 --C 384 --T 256 --B 8) ;;
*) echo "usage: $0 [small|medium] [rounds]" >&2; exit 2 ;;
esac
go build -o /tmp/tapegrad-bench ./cmd/tapegrad
out=$(mktemp)
for r in $(seq "$rounds"); do
	for n in 1 2; do
		ms=$(/tmp/tapegrad-bench bench step --json --threads "$n" "${tg[@]}" | tail -1 | sed 's/.*"ms":\([0-9.]*\).*"peak_rss_mb":\([0-9.]*\).*/\1 \2/')
		echo "tapegrad $n $ms" | tee -a "$out"
		pt_out=$(/usr/bin/python3 ../shared/ref/ref_train.py "$data" --threads "$n" "${pt[@]}")
		echo "pytorch $n $(echo "$pt_out" | awk '/ms_per_iter/ {ms=$2} /peak_rss_mb/ {rss=$2} END {print ms, rss}')" | tee -a "$out"
	done
done
/usr/bin/python3 - "$out" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    who, n, ms, rss = line.split()
    rows.setdefault((who, int(n)), []).append((float(ms), float(rss)))
med = {k: (statistics.median(m for m, _ in v), statistics.median(r for _, r in v)) for k, v in rows.items()}
print("impl      threads  median ms  peak RSS MiB")
for (who, n), (ms, rss) in sorted(med.items()):
    print(f"{who:9} {n:7}  {ms:9.1f}  {rss:12.0f}")
best = lambda who: min(med[(who, n)][0] for n in (1, 2))
print(f"best against best: tapegrad {best('tapegrad'):.1f} ms, PyTorch {best('pytorch'):.1f} ms: {best('pytorch') / best('tapegrad'):.2f}x")
PY
