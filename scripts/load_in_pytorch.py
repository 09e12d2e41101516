"""Load a tapegrad float32 model file into ../shared/ref/ref_gpt.py's GPT with
PyTorch (strict: every name and shape must match) and print its loss on the
first bytes of a text, beside what tapegrad computes for the same ids.

usage: /usr/bin/python3 scripts/load_in_pytorch.py MODEL.safetensors TEXT
  MODEL: `tapegrad export --format safetensors` (or any float32 checkpoint)
Reads safetensors with the standard library and numpy (no safetensors package).
"""
import json, struct, sys
import numpy as np
import torch

sys.path.insert(0, __file__.rsplit("/", 2)[0] + "/../shared/ref")
from ref_gpt import GPT


def read_safetensors(path):
    raw = open(path, "rb").read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n])
    meta = header.pop("__metadata__", {})
    body = raw[8 + n :]
    tensors = {}
    for name, t in header.items():
        if t["dtype"] != "F32":
            raise SystemExit(f"{name} is {t['dtype']}: export the float32 model first")
        a, b = t["data_offsets"]
        tensors[name] = torch.from_numpy(np.frombuffer(body[a:b], dtype="<f4").reshape(t["shape"]).copy())
    return tensors, meta


tensors, meta = read_safetensors(sys.argv[1])
cfg = json.loads(meta["config"])["model"]
tok = json.loads(meta["tokenizer"])
m = GPT(cfg["vocab_size"], cfg["block_size"], cfg["n_layer"], cfg["n_head"], cfg["n_embd"], rope=cfg["rope"])
m.load_state_dict({k: v for k, v in tensors.items() if not k.startswith("optim.")}, strict=True)
m.eval()
chars = tok.get("chars") or tok.get("vocab")
stoi = {c: i for i, c in enumerate(chars)}
text = open(sys.argv[2], encoding="utf-8").read()
T = cfg["block_size"]
ids = torch.tensor([[stoi[c] for c in text[: T + 1]]])
with torch.no_grad():
    _, loss = m(ids[:, :T], ids[:, 1:])
print(f"pytorch loss {loss.item():.6f} on the first {T} tokens ({sum(v.numel() for v in m.parameters())} parameters loaded, strict)")
