"""PyTorch on CUDA, for scale beside bench/gpu.ts where a machine has both: b0 inference
(torchvision's efficientnet_b0, eval, no_grad) at 224 px, batch 1 and 8, in float32 and in
float16 (model.half()), each timed call ending with the logits copied to the host; and b0's
training step (the reference network of scripts/, cross-entropy, backward, SGD, as
bench/train_torch.py) at 32 px batch 32 and 224 px batch 8, ending with a synchronize.
Eager mode, cuDNN's default algorithms (autotuning every shape took longer than the run). Prints one JSON line per figure (median ms).

Run: python3 bench/torch_gpu.py [RUNS]
"""
import json
import os
import statistics
import sys
import time

import torch
import torch.nn.functional as F
import torchvision

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "scripts"))
from reference_efficientnet import EfficientNet  # noqa: E402


def median_ms(fn, runs, warmup=3):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def inference(runs):
    model = torchvision.models.efficientnet_b0().cuda().eval()
    for dtype in (torch.float32, torch.float16):
        model = model.to(dtype)
        for batch in (1, 8):
            x = torch.randn(batch, 3, 224, 224, device="cuda", dtype=dtype)
            with torch.no_grad():
                ms = median_ms(lambda: model(x).float().cpu(), runs)
            print(json.dumps({"torch": "inference", "dtype": str(dtype).split(".")[1], "batch": batch, "ms": ms}), flush=True)


def training(runs):
    for size, batch in ((32, 32), (224, 8)):
        torch.manual_seed(0)
        model = EfficientNet("efficientnet-b0", image_size=size).cuda().train()
        model.drop_connect_rate = None
        optimizer = torch.optim.SGD(model.parameters(), lr=1e-3, momentum=0.9)
        x = torch.randn(batch, 3, size, size, device="cuda")
        y = torch.randint(0, 1000, (batch,), device="cuda")

        def step():
            optimizer.zero_grad(set_to_none=True)
            F.cross_entropy(model(x), y, label_smoothing=0.1).backward()
            optimizer.step()
            torch.cuda.synchronize()

        print(json.dumps({"torch": "train", "size": size, "batch": batch, "ms": median_ms(step, runs)}), flush=True)


def main():
    if not torch.cuda.is_available():
        print("skipped: no CUDA device for PyTorch")
        return
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    print(json.dumps({"torch": torch.__version__, "device": torch.cuda.get_device_name(0)}), flush=True)
    inference(runs)
    training(runs)


if __name__ == "__main__":
    main()
