"""PyTorch CPU peer for the inference benchmark: torchvision's efficientnet_b0 (same compute as
ours), eval mode, no_grad, 2 threads; prints the median latency per batch size as JSON."""
import json
import statistics
import sys
import time

import torch
import torchvision

torch.set_num_threads(int(sys.argv[1]) if len(sys.argv) > 1 else 2)
rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 20
model = torchvision.models.efficientnet_b0().eval()
result = {}
with torch.no_grad():
    for batch in (1, 8):
        x = torch.randn(batch, 3, 224, 224)
        for _ in range(3):
            model(x)
        times = []
        for _ in range(rounds):
            start = time.perf_counter()
            model(x)
            times.append((time.perf_counter() - start) * 1000)
        result[str(batch)] = statistics.median(times)
print(json.dumps(result))
