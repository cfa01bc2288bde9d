"""PyTorch's side of bench/train.ts: one b0 training step (forward, cross-entropy, backward,
SGD update) at the given batch and size, with the same freeze choices, after a warm-up.
Prints one JSON line: per-step milliseconds and peak resident memory.

Run: /usr/bin/python3 bench/train_torch.py FREEZE BATCH SIZE STEPS THREADS
"""
import json
import os
import resource
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "scripts"))
from reference_efficientnet import BLOCKS, EfficientNet, PARAMS, round_repeats  # noqa: E402


def main():
    freeze, batch, size, steps, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = EfficientNet("efficientnet-b0", image_size=size).train()
    stages = [s for s, row in enumerate(BLOCKS) for _ in range(round_repeats(row[0], PARAMS["efficientnet-b0"][1]))]
    frozen = []
    if freeze != "none":
        first = len(stages) if freeze == "head" else next(i for i, s in enumerate(stages) if s >= len(BLOCKS) - int(freeze.split(":")[1]))
        frozen = [model._conv_stem, model._bn0, *model._blocks[:first]]
        if freeze == "head":
            frozen += [model._conv_head, model._bn1]
    for m in frozen:
        m.eval()
        for p in m.parameters():
            p.requires_grad_(False)
    model.drop_connect_rate = None  # masks off, as on our side
    optimizer = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=1e-3, momentum=0.9)
    x = torch.randn(batch, 3, size, size)
    y = torch.randint(0, 1000, (batch,))
    times = []
    for i in range(steps + 2):
        t = time.perf_counter()
        optimizer.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x), y, label_smoothing=0.1)
        loss.backward()
        optimizer.step()
        if i >= 2:
            times.append((time.perf_counter() - t) * 1000)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"freeze": freeze, "times": times, "peakMB": peak, "torch": torch.__version__}))


if __name__ == "__main__":
    main()
