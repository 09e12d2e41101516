# minbpe's training (karpathy/minbpe: base.py get_stats/merge, basic.py and
# regex.py train, base.py save), transcribed to check Train on other corpora
# and vocabulary sizes and to time minbpe's algorithm where minbpe itself
# cannot be installed. It writes the golden .model files byte for byte.
# Needs the `regex` module for the split patterns.
# usage: python3 minbpe_train.py TEXT basic|gpt4|gpt2 VOCAB OUT.model [CHARS]
import sys
import regex as re

GPT2 = r"""'(?:[sdmt]|ll|ve|re)| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""
GPT4 = r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]++[\r\n]*|\s*[\r\n]|\s+(?!\S)|\s+"""


def get_stats(ids, counts):
    for pair in zip(ids, ids[1:]):
        counts[pair] = counts.get(pair, 0) + 1


def merge(ids, pair, idx):
    out, i = [], 0
    while i < len(ids):
        if ids[i] == pair[0] and i < len(ids) - 1 and ids[i + 1] == pair[1]:
            out.append(idx)
            i += 2
        else:
            out.append(ids[i])
            i += 1
    return out


def train(text, vocab_size, pattern):
    if pattern == "":
        ids = [list(text.encode("utf-8"))]
    else:
        ids = [list(ch.encode("utf-8")) for ch in re.findall(re.compile(pattern), text)]
    merges = {}
    for i in range(vocab_size - 256):
        stats = {}
        for chunk in ids:
            get_stats(chunk, stats)
        pair = max(stats, key=stats.get)
        ids = [merge(chunk, pair, 256 + i) for chunk in ids]
        merges[pair] = 256 + i
    return merges


def main():
    path, kind, vocab, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    text = open(path, encoding="utf-8").read()
    if len(sys.argv) > 5:
        text = text[: int(sys.argv[5])]
    pattern = {"basic": "", "gpt4": GPT4, "gpt2": GPT2}[kind]
    merges = train(text, vocab, pattern)
    with open(out, "w") as f:
        f.write("minbpe v1\n")
        f.write(f"{pattern}\n")
        f.write("0\n")
        for a, b in merges:
            f.write(f"{a} {b}\n")


if __name__ == "__main__":
    main()
