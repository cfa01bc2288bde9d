"""Regenerates test/fixtures/forward/: logits, features and endpoints of full-size networks
with synthetic weights (scripts/synthetic.py), from the reference re-statement ("same"
padding, reference key names) and from Debian's torchvision ("symmetric" padding).

Run: /usr/bin/python3 scripts/make_forward_fixtures.py
"""
import os
import sys

import torch
import torchvision

sys.path.insert(0, os.path.dirname(__file__))
from reference_efficientnet import EfficientNet, PARAMS  # noqa: E402
from synthetic import fill_module, synthetic_images, write_safetensors  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "forward")
SAMPLE_STRIDE = 17  # large maps are stored as every 17th element plus per-channel means


def summarise(prefix, t):
    return {f"{prefix}.sample": t.flatten()[::SAMPLE_STRIDE].clone(), f"{prefix}.channel_mean": t.mean(dim=(2, 3))}


GAINS = [3.5 + 0.25 * i for i in range(11)]


def pick_gain(make_model, size=224, gains=GAINS):
    """Random deep networks sit between vanishing and exploding signals; pick the weight gain
    at which the logits depend clearly on the image (and stay finite), so that a wrong layer
    anywhere changes them."""
    x = synthetic_images([2, 3, size, size])
    for gain in gains:
        with torch.no_grad():
            logits = fill_module(make_model(), gain).eval()(x)
        peak = logits.abs().max().item()
        if (logits[0] - logits[1]).abs().max().item() > 0.05 * peak and peak < 1e3:
            return gain
    raise RuntimeError("no gain gives an image-dependent, finite output")


def case(family, name, model, size, batch, gain, with_maps=False):
    x = synthetic_images([batch, 3, size[0], size[1]])
    model.eval()
    out = {}
    with torch.no_grad():
        out["logits"] = model(x)
        if with_maps:
            if family == "lukemelas":
                for k, v in model.extract_endpoints(x).items():
                    out.update(summarise(k, v))
                out.update(summarise("features", model.extract_features(x)))
            else:
                out.update(summarise("features", model.features(x)))
    path = os.path.join(OUT, f"{family}-{name.split('-')[1]}-{size[0]}x{size[1]}.safetensors")
    write_safetensors(path, out, {"gain": repr(gain), "family": family, "model": name})
    scale = out["logits"].abs().max().item()
    spread = (out["logits"][0] - out["logits"][-1]).abs().max().item() if batch > 1 else float("nan")
    print(f"{path}: logits max |{scale:.4g}| std {out['logits'].std().item():.4g} image-to-image {spread:.4g}")


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.set_num_threads(2)
    only = sys.argv[1:]
    for i in range(8):
        name = f"efficientnet-b{i}"
        if only and name not in only:
            continue
        res = PARAMS[name][2]
        b0 = i == 0
        tv_class = getattr(torchvision.models, f"efficientnet_b{i}")
        gain = pick_gain(lambda: EfficientNet(name, image_size=224))
        tv_gain = pick_gain(tv_class)
        case("lukemelas", name, fill_module(EfficientNet(name), gain), (res, res), 2 if b0 else 1, gain, with_maps=b0)
        tv = fill_module(tv_class(), tv_gain)
        case("torchvision", name, tv, (res, res), 2 if b0 else 1, tv_gain, with_maps=b0)
        if b0:
            for size in [(256, 256), (512, 512), (240, 320)]:
                case("lukemelas", name, fill_module(EfficientNet(name, image_size=size), gain), size, 2, gain)
            case("torchvision", name, tv, (240, 320), 2, tv_gain)


if __name__ == "__main__":
    main()
