"""PyTorch's side of bench/v2.ts: torchvision 0.14's efficientnet_v2_s (or efficientnet_b0 for
the V1 margin) on CPU. `infer MODEL SIZE BATCH RUNS THREADS`: eval, no_grad, per-call ms.
`train SIZE BATCH RUNS THREADS`: V2-S forward, cross-entropy (smoothing 0.1), backward, SGD with
momentum, stochastic depth off as on our side. Prints one JSON line: {"times": [...], "peakMB": n}.
"""
import json
import resource
import sys
import time

import torch
import torch.nn.functional as F
import torchvision

WARMUP = 2


def timed(step, runs):
    times = []
    for i in range(WARMUP + runs):
        t = time.perf_counter()
        step()
        if i >= WARMUP:
            times.append((time.perf_counter() - t) * 1000)
    return times


def main():
    mode = sys.argv[1]
    torch.manual_seed(0)
    if mode == "infer":
        model_name, size, batch, runs, threads = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
        torch.set_num_threads(threads)
        model = getattr(torchvision.models, model_name)().eval()
        x = torch.randn(batch, 3, size, size)
        with torch.no_grad():
            times = timed(lambda: model(x), runs)
    else:
        size, batch, runs, threads = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
        torch.set_num_threads(threads)
        model = torchvision.models.efficientnet_v2_s().train()
        for m in model.modules():
            if isinstance(m, torchvision.ops.StochasticDepth):
                m.p = 0.0
        optimizer = torch.optim.SGD(model.parameters(), lr=1e-3, momentum=0.9)
        x = torch.randn(batch, 3, size, size)
        y = torch.randint(0, 1000, (batch,))

        def step():
            optimizer.zero_grad(set_to_none=True)
            F.cross_entropy(model(x), y, label_smoothing=0.1).backward()
            optimizer.step()

        times = timed(step, runs)
    print(json.dumps({"times": times, "peakMB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


if __name__ == "__main__":
    main()
