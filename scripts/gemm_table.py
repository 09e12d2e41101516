"""Medians of `bench gemm` JSON lines per (n, trans, threads, impl), as a
Markdown table of tapegrad against OpenBLAS and gonum.
usage: gemm_table.py FILE"""
import collections, json, statistics, sys

runs = collections.defaultdict(list)
for line in open(sys.argv[1]):
    if line.startswith("{"):
        r = json.loads(line)
        runs[(r["n"], r["trans"], r["threads"], r["impl"])].append(r["gflops"])
med = {k: statistics.median(v) for k, v in runs.items()}
print("| n | trans | threads | tapegrad (GFLOP/s) | OpenBLAS | gonum | tapegrad / OpenBLAS | tapegrad / gonum |")
print("|---|---|---|---|---|---|---|---|")
for (n, trans, threads, impl) in sorted(k for k in med if k[3] == "avx2"):
    ours = med[(n, trans, threads, impl)]
    ob = med.get((n, trans, threads, "openblas"))
    gn = med.get((n, trans, threads, "gonum"))
    fmt = lambda x: f"{x:.1f}" if x else "–"
    ratio = lambda x: f"{ours / x:.2f}×" if x else "–"
    print(f"| {n} | {trans} | {threads} | {ours:.1f} | {fmt(ob)} | {fmt(gn)} | {ratio(ob)} | {ratio(gn)} |")
print(f"\nmedians of {max(len(v) for v in runs.values())} interleaved rounds")
