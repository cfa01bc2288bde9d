#!/usr/bin/python3
"""Regenerates test/fixtures/images/: small test images and the torchvision oracle.

Oracle: Debian's torchvision 0.14 + PIL 9.4 (apt: python3-torchvision, python3-pil). Source
photos: scikit-image's sample data (apt: python3-skimage; public domain / CC0, see LICENSES.md).
AVIF is written with ImageMagick (apt: imagemagick) because PIL 9.4 cannot. Tests never run
this script; they read what it writes. Run from the repository root:

    /usr/bin/python3 scripts/make_image_fixtures.py

Outputs, besides the images:
  oracle.json    one entry per (image, transform): what to apply and where its pixels are
  oracle.bin.gz  the PIL-resized, centre-cropped uint8 pixels [H, W, C] of every entry, concatenated,
                 each delta-coded (minus the left neighbour, then minus the row above, mod 256;
                 PNG's Sub and Up filters) so gzip packs the photos to under half their size.
                 Storing bytes before ToTensor/Normalize loses nothing: the script checks that
                 (crop / 255 - mean) / std equals torchvision's own float tensor to 1e-6.
"""
import gzip
import io
import json
import math
import pathlib
import subprocess

import numpy as np
import torch
from PIL import Image, ImageOps
from torchvision import transforms as T
from torchvision.models import EfficientNet_B0_Weights, EfficientNet_B1_Weights
from torchvision.transforms import functional as F

SKIMAGE = pathlib.Path("/usr/lib/python3/dist-packages/skimage/data")
OUT = pathlib.Path(__file__).resolve().parent.parent / "test" / "fixtures" / "images"
IMAGENET = ([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])
INTERP = {"bicubic": T.InterpolationMode.BICUBIC, "bilinear": T.InterpolationMode.BILINEAR,
          "nearest": T.InterpolationMode.NEAREST, "lanczos": T.InterpolationMode.LANCZOS}


def source(name, size=None):
    image = Image.open(SKIMAGE / name).convert("RGB")
    return image if size is None else image.resize(size, Image.LANCZOS)


def make_images():
    """Writes every fixture image; returns nothing, the files are the result."""
    OUT.mkdir(parents=True, exist_ok=True)
    # Photos, re-encoded small (ICC profiles are not carried over).
    source("astronaut.png", (300, 300)).save(OUT / "astronaut.jpg", quality=88)
    source("chelsea.png").save(OUT / "chelsea.jpg", quality=88)  # 451x300: downscaled by the presets
    source("coffee.png", (300, 200)).save(OUT / "coffee.jpg", quality=88)  # 300x200: upscaled to 256
    source("rocket.jpg").save(OUT / "rocket.jpg", quality=85)  # 640x427

    # Format and colour-mode coverage, 120x80 or so.
    cat = source("chelsea.png", (120, 80))
    alpha = Image.linear_gradient("L").resize((120, 80))
    rgba = cat.copy()
    rgba.putalpha(alpha)
    rgba.save(OUT / "chelsea-alpha.png")
    source("coffee.png", (120, 80)).convert("L").save(OUT / "coffee-grey.png")
    source("rocket.jpg", (120, 80)).convert("CMYK").save(OUT / "rocket-cmyk.jpg", quality=92)
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation 6: the stored pixels must be turned 90° clockwise to display
    cat.transpose(Image.ROTATE_90).save(OUT / "chelsea-exif6.jpg", quality=92, exif=exif.tobytes())
    astronaut = source("astronaut.png", (96, 96))
    second = ImageOps.invert(astronaut)  # a different second frame: only the first may be read
    astronaut.save(OUT / "astronaut.gif", save_all=True, append_images=[second], duration=100, loop=0)
    source("coffee.png", (120, 80)).save(OUT / "coffee.webp", quality=90)
    source("rocket.jpg", (120, 80)).save(OUT / "rocket.tiff", compression="tiff_lzw")
    png = io.BytesIO()
    astronaut.save(png, format="PNG")
    subprocess.run(["/usr/bin/convert", "png:-", "-quality", "80", str(OUT / "astronaut.avif")], input=png.getvalue(), check=True)

    # Files that must fail with a clear error.
    (OUT / "empty.jpg").write_bytes(b"")
    (OUT / "notes.jpg").write_text("These are notes, not a JPEG.\n")
    whole = (OUT / "coffee-grey.png").read_bytes()
    (OUT / "truncated.png").write_bytes(whole[: len(whole) // 2])


def pil_loader(path, channels, exif_transpose):
    """torchvision.datasets.folder.pil_loader, plus EXIF orientation where the test asks for it."""
    image = Image.open(OUT / path)
    if exif_transpose:
        image = ImageOps.exif_transpose(image)
    return image.convert("RGB" if channels == 3 else "L")


def oracle_entry(path, transform, label, channels=3, exif_transpose=False):
    """Runs `transform` (an ImageClassification or Compose(Resize, CenterCrop, ToTensor, Normalize))."""
    image = pil_loader(path, channels, exif_transpose)
    if isinstance(transform, T.Compose):
        resize, crop, _, normalize = transform.transforms
        resize_size, crop_size, interpolation = resize.size, crop.size, resize.interpolation
        mean, std = normalize.mean, normalize.std
    else:  # torchvision weights' ImageClassification
        resize_size, crop_size, interpolation = transform.resize_size, transform.crop_size, transform.interpolation
        mean, std = transform.mean, transform.std
    cropped = F.center_crop(F.resize(image, resize_size, interpolation), crop_size)
    pixels = np.asarray(cropped, dtype=np.uint8).reshape(cropped.size[1], cropped.size[0], channels)
    expected = transform(image)  # torchvision's own float tensor [C, H, W]
    rebuilt = (torch.from_numpy(pixels.copy()).permute(2, 0, 1).float() / 255 - torch.tensor(mean)[:, None, None]) / torch.tensor(std)[:, None, None]
    assert torch.allclose(rebuilt, expected, atol=1e-6), f"{path} {label}: bytes do not reproduce torchvision's tensor"
    size = resize_size[0] if isinstance(resize_size, (list, tuple)) else resize_size
    interp_name = next(k for k, v in INTERP.items() if v == interpolation)
    entry = {
        "file": path, "label": label, "channels": channels,
        "config": {"resize": size, "crop": list(crop_size) if len(crop_size) == 2 else [crop_size[0]] * 2,
                   "interpolation": interp_name, "mean": list(mean), "std": list(std)},
        "shape": list(pixels.shape),
        "channelSums": [float(expected[c].double().sum()) for c in range(channels)],
    }
    return entry, pixels


def delta_code(pixels):
    """[H, W, C] uint8 -> left differences, then differences of rows (wrapping mod 256)."""
    sub = pixels.copy()
    sub[:, 1:] = pixels[:, 1:] - pixels[:, :-1]
    up = sub.copy()
    up[1:] = sub[1:] - sub[:-1]
    return up.tobytes()


def compose(resize, crop, interpolation, mean=IMAGENET[0], std=IMAGENET[1]):
    return T.Compose([T.Resize(resize, interpolation=INTERP[interpolation]), T.CenterCrop(crop),
                      T.ToTensor(), T.Normalize(mean, std)])


def make_oracle():
    lukemelas_b0 = compose(224, 224, "bicubic")  # lukemelas examples/imagenet/main.py at image_size 224
    torchvision_b0 = EfficientNet_B0_Weights.IMAGENET1K_V1.transforms()  # 256 -> 224 bicubic
    torchvision_b1_v2 = EfficientNet_B1_Weights.IMAGENET1K_V2.transforms()  # 255 -> 240 bilinear
    timm_tf_b0_ap = compose(math.floor(224 / 0.875), 224, "bicubic", [0.5] * 3, [0.5] * 3)
    small = compose(64, 56, "bicubic")
    jobs = []
    for photo in ["astronaut.jpg", "chelsea.jpg", "coffee.jpg", "rocket.jpg"]:
        jobs += [(photo, lukemelas_b0, "preset lukemelas b0", {}), (photo, torchvision_b1_v2, "preset torchvision-v2 b1", {})]
    jobs += [
        ("chelsea.jpg", torchvision_b0, "preset torchvision b0", {}),
        ("rocket.jpg", timm_tf_b0_ap, "preset timm-tf-ap b0", {}),
        ("rocket.jpg", compose(40, 32, "bicubic"), "10x downscale bicubic", {}),
        ("rocket.jpg", compose(40, 32, "bilinear"), "10x downscale bilinear", {}),
        ("chelsea.jpg", compose(48, 40, "lanczos"), "lanczos", {}),
        ("chelsea.jpg", compose(48, 40, "nearest"), "nearest", {}),
        ("coffee.jpg", compose(150, [160, 240], "bicubic"), "crop larger than image (zero padding)", {}),
        ("chelsea.jpg", compose(64, 56, "bicubic", [0.449], [0.226]), "grey output", {"channels": 1}),
        ("chelsea-alpha.png", small, "alpha dropped", {}),
        ("coffee-grey.png", small, "grey to RGB", {}),
        ("coffee-grey.png", compose(64, 56, "bicubic", [0.449], [0.226]), "grey output", {"channels": 1}),
        ("rocket-cmyk.jpg", small, "CMYK to RGB", {}),
        ("chelsea-exif6.jpg", small, "EXIF orientation 6", {"exif_transpose": True}),
        ("astronaut.gif", small, "GIF first frame", {}),
        ("coffee.webp", small, "WebP", {}),
        ("rocket.tiff", small, "TIFF", {}),
    ]
    entries, blobs, offset = [], [], 0
    for path, transform, label, options in jobs:
        entry, pixels = oracle_entry(path, transform, label, **options)
        entry["offset"] = offset
        offset += pixels.size
        entries.append(entry)
        blobs.append(delta_code(pixels))
    (OUT / "oracle.json").write_text(json.dumps({
        "generator": "scripts/make_image_fixtures.py",
        "oracle": f"torchvision {__import__('torchvision').__version__}, PIL {Image.__version__}",
        "entries": entries}, indent=1) + "\n")
    (OUT / "oracle.bin.gz").write_bytes(gzip.compress(b"".join(blobs), compresslevel=9, mtime=0))


if __name__ == "__main__":
    make_images()
    make_oracle()
    total = sum(p.stat().st_size for p in OUT.iterdir())
    print(f"wrote {len(list(OUT.iterdir()))} files, {total / 1e6:.2f} MB, to {OUT}")
