"""Masks of torch.nn.utils.prune (PyTorch 1.13, CPU) on tensors of small
integers, so that ties decide, for TestPruneTies.
usage: /usr/bin/python3 gen_prune_ties.py prune_ties.json"""
import json, sys
import torch
import torch.nn.utils.prune as prune

g = torch.Generator().manual_seed(11)


class Holder(torch.nn.Module):
    def __init__(self, w):
        super().__init__()
        self.weight = torch.nn.Parameter(w.clone())


def ints(shape):
    return (torch.randint(-3, 4, shape, generator=g)).to(torch.float32)


# An int amount is a count, a float a fraction (JSON keeps the difference: 1 vs 1.0).
cases = []
for shape in [(4, 6), (8, 3), (3, 4, 5), (70, 2), (1, 9)]:
    for steps in ([("l1", 0.5), ("l1", 0.5)], [("l1", 0.3), ("ln", 0.5, 2, 0)], [("ln", 0.4, 1, -1), ("ln", 0.5, float("inf"), 0)],
                  [("ln", 0.5, 2, 1), ("l1", 3)], [("ln", 1, 0, 0)]):
        w = ints(shape)
        m = Holder(w)
        masks = []
        for s in steps:
            if s[0] == "l1":
                prune.l1_unstructured(m, "weight", s[1])
            else:
                prune.ln_structured(m, "weight", s[1], n=s[2], dim=s[3])
            masks.append(m.weight_mask.flatten().tolist())
        cases.append({"shape": list(shape), "weight": w.flatten().tolist(), "steps": [[("inf" if v == float("inf") else v) for v in s] for s in steps], "masks": masks})
for shapes in [[(3, 4), (2, 2), (5,)], [(10, 10), (4, 4)]]:
    for amounts in ([0.5, 0.5], [0.25, 3]):
        ms = [Holder(ints(s)) for s in shapes]
        ws = [m.weight.detach().flatten().tolist() for m in ms]
        masks = []
        for a in amounts:
            prune.global_unstructured([(m, "weight") for m in ms], pruning_method=prune.L1Unstructured, amount=a)
            masks.append([m.weight_mask.flatten().tolist() for m in ms])
        cases.append({"global": True, "shapes": [list(s) for s in shapes], "weights": ws, "amounts": amounts, "masks": masks})
json.dump({"source": "torch " + torch.__version__ + " torch.nn.utils.prune on the CPU", "cases": cases}, open(sys.argv[1], "w"), allow_nan=False)
print(len(cases), "cases")
