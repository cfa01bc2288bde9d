"""PyTorch + PIL peer for the image benchmark: torchvision's b0 transform and model over a folder
of JPEGs, batch 8, 2 threads, decoding in the same process (as a plain script would); prints
images per second as JSON."""
import json
import os
import sys
import time

import torch
import torchvision
from PIL import Image
from torchvision import transforms

folder, threads = sys.argv[1], int(sys.argv[2])
torch.set_num_threads(threads)
files = sorted(os.path.join(folder, f) for f in os.listdir(folder))
model = torchvision.models.efficientnet_b0().eval()
transform = transforms.Compose([
    transforms.Resize(256, interpolation=transforms.InterpolationMode.BICUBIC),
    transforms.CenterCrop(224), transforms.ToTensor(),
    transforms.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225]),
])
with torch.no_grad():
    model(torch.zeros(8, 3, 224, 224))
    start = time.perf_counter()
    for i in range(0, len(files), 8):
        batch = torch.stack([transform(Image.open(f).convert("RGB")) for f in files[i:i + 8]])
        model(batch)
    elapsed = time.perf_counter() - start
print(json.dumps({"images_per_second": len(files) / elapsed}))
