"""Regenerates test/fixtures/embeddings.safetensors: pooled features of torchvision's
efficientnet_b0 (synthetic weights, scripts/synthetic.py) for the sample photos, each
preprocessed by torchvision's own b0 evaluation transform (Resize 256 bicubic, CenterCrop 224,
ImageNet mean/std) from PIL. Our pipeline (sharp decode + our resampling) must agree.

Run: /usr/bin/python3 scripts/make_embedding_fixtures.py
"""
import os
import sys

import torch
import torchvision
from PIL import Image
from torchvision import transforms

sys.path.insert(0, os.path.dirname(__file__))
from make_forward_fixtures import pick_gain  # noqa: E402
from synthetic import fill_module, write_safetensors  # noqa: E402

ROOT = os.path.join(os.path.dirname(__file__), "..")
PHOTOS = ["astronaut.jpg", "chelsea.jpg", "coffee.jpg", "rocket.jpg"]


def main():
    torch.set_num_threads(2)
    gain = pick_gain(torchvision.models.efficientnet_b0)
    model = fill_module(torchvision.models.efficientnet_b0(), gain).eval()
    transform = transforms.Compose([
        transforms.Resize(256, interpolation=transforms.InterpolationMode.BICUBIC),
        transforms.CenterCrop(224),
        transforms.ToTensor(),
        transforms.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225]),
    ])
    batch = torch.stack([transform(Image.open(os.path.join(ROOT, "test", "fixtures", "images", p)).convert("RGB")) for p in PHOTOS])
    with torch.no_grad():
        pooled = model.avgpool(model.features(batch)).flatten(1)
    write_safetensors(os.path.join(ROOT, "test", "fixtures", "embeddings.safetensors"), {"pooled": pooled},
                      {"gain": repr(gain), "photos": ",".join(PHOTOS), "model": "efficientnet-b0", "family": "torchvision"})
    print("pooled", pooled.shape, "gain", gain)


if __name__ == "__main__":
    main()
