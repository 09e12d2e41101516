"""Which of equal scores torch.topk picks on the CPU (PyTorch 1.13), for
TestTopkTies. usage: /usr/bin/python3 gen_topk_ties.py topk_ties.json"""
import json, sys
import torch

g = torch.Generator().manual_seed(7)
cases = []
for n in list(range(1, 40)) + [63, 64, 65, 100, 129, 200, 700]:
    for largest in (False, True):
        levels = int(torch.randint(1, 5, (1,), generator=g))
        x = torch.randint(0, levels, (n,), generator=g).to(torch.float32)
        for k in sorted({1, max(1, n // 64), n // 3 + 1, n // 2 + 1, n}):
            idx = torch.topk(x, k, largest=largest).indices
            cases.append({"x": x.to(torch.int64).tolist(), "k": k, "largest": largest, "indices": sorted(idx.tolist())})  # x holds small integers: many ties
json.dump({"source": "torch " + torch.__version__ + " torch.topk on the CPU", "cases": cases}, open(sys.argv[1], "w"))
print(len(cases), "cases")
