#!/usr/bin/python3
"""Regenerates test/fixtures/images/squash-oracle.{json,bin.gz}: timm's "squash" evaluation resize.

timm (transforms_factory.transforms_imagenet_eval, crop_mode='squash', used by tf_efficientnetv2
M/L/XL) resizes both sides to floor(size / crop_pct), dropping the aspect ratio, then centre-crops
`size`. That is torchvision's Resize((s, s)) + CenterCrop, which this script runs on the committed
photos with Debian's torchvision 0.14 + PIL 9.4 (timm itself is not installable here). Tests never
run this script; they read what it writes. Run from the repository root:

    /usr/bin/python3 scripts/make_squash_fixtures.py

Outputs: squash-oracle.json (one entry per case: file, config, shape [H, W, C], offset) and
squash-oracle.bin.gz (the PIL-resized, centre-cropped uint8 pixels [H, W, C], concatenated).
"""
import gzip
import json
import math
import pathlib

import numpy as np
import torch
from PIL import Image
from torchvision import transforms as T
from torchvision.transforms import functional as F

OUT = pathlib.Path(__file__).resolve().parent.parent / "test" / "fixtures" / "images"
INTERP = {"bicubic": T.InterpolationMode.BICUBIC, "bilinear": T.InterpolationMode.BILINEAR}
HALF = [0.5, 0.5, 0.5]


def case(path, size, crop_pct, interpolation):
    image = Image.open(OUT / path).convert("RGB")
    scale = math.floor(size / crop_pct)
    resized = F.resize(image, [scale, scale], INTERP[interpolation])  # both sides: the squash
    cropped = F.center_crop(resized, [size, size])
    pixels = np.asarray(cropped, dtype=np.uint8)
    full = T.Compose([T.Resize((scale, scale), interpolation=INTERP[interpolation]), T.CenterCrop(size), T.ToTensor(), T.Normalize(HALF, HALF)])(image)
    rebuilt = (torch.from_numpy(pixels.copy()).permute(2, 0, 1).float() / 255 - 0.5) / 0.5
    assert torch.allclose(rebuilt, full, atol=1e-6), f"{path}: bytes do not reproduce torchvision's tensor"
    config = {"resize": scale, "crop": [size, size], "resizeMode": "squash", "interpolation": interpolation, "mean": HALF, "std": HALF}
    return {"file": path, "label": f"squash {scale} -> {size} {interpolation}", "config": config, "shape": list(pixels.shape)}, pixels


def main():
    jobs = [
        ("chelsea.jpg", 64, 1.0, "bicubic"),   # 451x300 -> 64x64: tf_efficientnetv2_m/l/xl's crop_pct 1.0
        ("rocket.jpg", 48, 1.0, "bicubic"),    # 640x427, landscape, strong downscale
        ("coffee.jpg", 64, 0.9, "bicubic"),    # 300x200 -> 71x71, then a 64 crop (crop_pct 0.9)
        ("astronaut.jpg", 40, 0.9, "bilinear"),  # square input: squash equals the shorter-side resize
    ]
    entries, blobs, offset = [], [], 0
    for job in jobs:
        entry, pixels = case(*job)
        entry["offset"] = offset
        offset += pixels.size
        entries.append(entry)
        blobs.append(pixels.tobytes())
    (OUT / "squash-oracle.json").write_text(json.dumps({
        "generator": "scripts/make_squash_fixtures.py",
        "oracle": f"torchvision {__import__('torchvision').__version__}, PIL {Image.__version__}",
        "entries": entries}, indent=1) + "\n")
    (OUT / "squash-oracle.bin.gz").write_bytes(gzip.compress(b"".join(blobs), compresslevel=9, mtime=0))
    print(f"wrote {len(entries)} cases, {offset} bytes of pixels")


if __name__ == "__main__":
    main()
