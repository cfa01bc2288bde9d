#!/usr/bin/python3
"""Writes src/data/imagenetClasses.ts: the 1000 ImageNet-1k class names, index order.

Taken from torchvision's `_meta._IMAGENET_CATEGORIES` (the names its weights report), read from
Debian's python3-torchvision so nothing is downloaded. A TypeScript module rather than a data
file, so that every platform (Node, a browser bundle) gets it without reading files. Run from
the repository root:

    /usr/bin/python3 scripts/make_imagenet_classes.py
"""
import json
import pathlib

from torchvision.models._meta import _IMAGENET_CATEGORIES

assert len(_IMAGENET_CATEGORIES) == 1000, len(_IMAGENET_CATEGORIES)
out = pathlib.Path(__file__).resolve().parent.parent / "src" / "data" / "imagenetClasses.ts"
names = ",\n".join("  " + json.dumps(name, ensure_ascii=False) for name in _IMAGENET_CATEGORIES)
out.write_text(
    "/** The 1000 ImageNet-1k class names in logit order (torchvision's; written by scripts/make_imagenet_classes.py). */\n"
    f"export const IMAGENET_CLASSES: readonly string[] = [\n{names},\n];\n",
    encoding="utf-8",
)
print(f"wrote {out} ({len(_IMAGENET_CATEGORIES)} names)")
