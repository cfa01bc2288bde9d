"""Regenerates test/fixtures/moduleTree/: what PyTorch prints for the reference (the
lukemelas 0.7.1 re-statement in reference_efficientnet.py, `print(EfficientNet.from_name(name))`)
and for Debian's torchvision 0.14 (`print(efficientnet_b0())`). net.toString() must match them
line for line.

Run: /usr/bin/python3 scripts/make_module_tree_fixtures.py
"""
import os
import sys

import torchvision

sys.path.insert(0, os.path.dirname(__file__))
from reference_efficientnet import EfficientNet  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "moduleTree")


def write(name, module):
    with open(os.path.join(OUT, name), "w") as f:
        f.write(str(module) + "\n")


os.makedirs(OUT, exist_ok=True)
write("lukemelas-b0.txt", EfficientNet("efficientnet-b0"))
# Odd padding splits (TF pads more at the bottom/right) and a custom class count and size.
write("lukemelas-b2-10classes-255.txt", EfficientNet("efficientnet-b2", num_classes=10, image_size=255))
write("torchvision-b0.txt", torchvision.models.efficientnet_b0())
# b5: TF batch-norm settings (eps 1e-3, momentum 0.01) inside torchvision's structure.
write("torchvision-b5.txt", torchvision.models.efficientnet_b5())
# EfficientNetV2-S: Fused-MBConv stages, batch-norm eps 1e-3 with PyTorch's momentum.
write("torchvision-v2-s.txt", torchvision.models.efficientnet_v2_s())
