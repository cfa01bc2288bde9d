#!/usr/bin/python3
"""Writes assets/imagenet-classes.json: the 1000 ImageNet-1k class names, index order.

Taken from torchvision's `_meta._IMAGENET_CATEGORIES` (the names its weights report), read from
Debian's python3-torchvision so nothing is downloaded. Run from the repository root:

    /usr/bin/python3 scripts/make_imagenet_classes.py
"""
import json
import pathlib

from torchvision.models._meta import _IMAGENET_CATEGORIES

assert len(_IMAGENET_CATEGORIES) == 1000, len(_IMAGENET_CATEGORIES)
out = pathlib.Path(__file__).resolve().parent.parent / "assets" / "imagenet-classes.json"
out.write_text(json.dumps(list(_IMAGENET_CATEGORIES), indent=0, ensure_ascii=False) + "\n", encoding="utf-8")
print(f"wrote {out} ({len(_IMAGENET_CATEGORIES)} names)")
