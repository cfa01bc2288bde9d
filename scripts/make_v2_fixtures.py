"""Regenerates test/fixtures/v2/: EfficientNetV2 against PyTorch with full-size synthetic weights
(scripts/synthetic.py) at small images, batch 1, outputs only.

- torchvision-v2-{s,m,l}-*.safetensors: Debian's torchvision 0.14 `efficientnet_v2_*`: logits,
  final features and every endpoint (the last map before each downsampling stage, the last
  stage, the head), large maps as every 17th element plus per-channel means.
- timm-v2-*.safetensors: scripts/timm_efficientnetv2.py (timm's tf_efficientnetv2 restated):
  logits, with the state-dict keys and parameter count in the metadata.
- gradients-v2-s.safetensors: one training step of V2-S (batch norm training, stochastic depth
  and dropout off) in float64: loss, logits, every gradient (packed as make_gradient_fixtures.py
  packs them) and the new running statistics.
- torchvision-state-dicts.json: see keys_case.

Run: /usr/bin/python3 scripts/make_v2_fixtures.py
"""
import json
import os
import sys

import torch
import torch.nn.functional as F
import torchvision

sys.path.insert(0, os.path.dirname(__file__))
from make_forward_fixtures import pick_gain  # noqa: E402
from make_gradient_fixtures import pack  # noqa: E402
from synthetic import fill_module, synthetic_images, write_safetensors  # noqa: E402
from timm_efficientnetv2 import EfficientNetV2  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "v2")
SAMPLE_STRIDE = 17
GAINS = [3.0 + 0.25 * i for i in range(13)]  # from 3.0: the V2 fixtures were made with this list
LABELS = [3, 998]


def summarise(prefix, t):
    return {f"{prefix}.sample": t.flatten()[::SAMPLE_STRIDE].clone(), f"{prefix}.channel_mean": t.mean(dim=(2, 3))}


def torchvision_case(variant, size):
    make = getattr(torchvision.models, f"efficientnet_v2_{variant}")
    gain = pick_gain(make, size, GAINS)
    model = fill_module(make(), gain).eval()
    stages = len(model.features) - 2  # features: stem, stages..., head
    maps = {}
    hooks = [model.features[i].register_forward_hook(lambda m, a, out, i=i: maps.__setitem__(i, out)) for i in range(1, stages + 2)]
    # Endpoints: a stage's output when the next stage downsamples (first conv stride 2), the last stage, the head.
    picks = [i for i in range(1, stages + 1) if i == stages or downsamples(model.features[i + 1])] + [stages + 1]
    x = synthetic_images([1, 3, size, size])
    with torch.no_grad():
        out = {"logits": model(x)}
    for h in hooks:
        h.remove()
    for n, i in enumerate(picks):
        out.update(summarise(f"reduction_{n + 1}", maps[i]))
    out.update(summarise("features", maps[stages + 1]))
    path = os.path.join(OUT, f"torchvision-v2-{variant}-{size}x{size}.safetensors")
    write_safetensors(path, out, {"gain": repr(gain), "family": "torchvision", "model": f"efficientnet-v2-{variant}"})
    print(f"{path}: logits max |{out['logits'].abs().max().item():.4g}|, {len(picks)} endpoints")


def downsamples(stage):
    first = stage[0]
    convs = [m for m in first.modules() if isinstance(m, torch.nn.Conv2d)]
    return max(c.stride[0] for c in convs) == 2


def timm_case(name, size):
    gain = pick_gain(lambda: EfficientNetV2(name), size, GAINS)
    model = fill_module(EfficientNetV2(name), gain).eval()
    x = synthetic_images([1, 3, size, size])
    with torch.no_grad():
        logits = model(x)
    params = sum(p.numel() for p in model.parameters())
    path = os.path.join(OUT, f"timm-{name}-{size}x{size}.safetensors")
    write_safetensors(path, {"logits": logits}, {
        "gain": repr(gain), "family": "timm", "model": name, "parameters": str(params),
        "keys": json.dumps(list(model.state_dict().keys())),
    })
    print(f"{path}: {params} parameters, logits max |{logits.abs().max().item():.4g}|")


def gradient_case(size=64, batch=2, smoothing=0.1, gain=3.0):
    torch.manual_seed(1234)
    model = fill_module(torchvision.models.efficientnet_v2_s(), gain).double().train()
    for m in model.modules():
        if isinstance(m, torchvision.ops.StochasticDepth):
            m.p = 0.0
    model.classifier[0].p = 0.0
    x = synthetic_images([batch, 3, size, size]).double()
    logits = model(x)
    loss = F.cross_entropy(logits, torch.tensor(LABELS[:batch]), label_smoothing=smoothing)
    loss.backward()
    params = [(k, p) for k, p in model.named_parameters()]
    stats = [(k, b) for k, b in model.state_dict().items() if k.rsplit(".", 1)[1] in ("running_mean", "running_var")]
    out = {"loss": loss.detach().reshape(1), "logits": logits.detach()}
    out["grad.samples"], out["grad.maxabs"], out["grad.norm"] = pack([p.grad for _, p in params])
    out["stats.samples"], out["stats.maxabs"], _ = pack([b for _, b in stats])
    out = {k: v.float() for k, v in out.items()}
    meta = {
        "model": "efficientnet-v2-s", "size": str(size), "batch": str(batch), "freeze": "none", "bn": "train",
        "smoothing": repr(smoothing), "gain": repr(gain), "labels": json.dumps(LABELS[:batch]),
        "grad_keys": json.dumps([k for k, _ in params]), "stat_keys": json.dumps([k for k, _ in stats]),
    }
    path = os.path.join(OUT, "gradients-v2-s.safetensors")
    write_safetensors(path, out, meta)
    print(f"{path}: loss {loss.item():.6f}, {len(params)} grads, {os.path.getsize(path)} bytes")


def keys_case():
    """torchvision's own state-dict layout for S, M and L (key, dtype, shape in order): a real
    .pth of V2 is 80-470 MB, beyond the fixture budget, and its pickle layout is V1's."""
    layout = {}
    for v in "sml":
        sd = getattr(torchvision.models, f"efficientnet_v2_{v}")().state_dict()
        layout[f"efficientnet-v2-{v}"] = [[k, str(t.dtype).replace("torch.", ""), list(t.shape)] for k, t in sd.items()]
    path = os.path.join(OUT, "torchvision-state-dicts.json")
    with open(path, "w") as f:
        json.dump(layout, f, separators=(",", ":"))
    print(f"{path}: {os.path.getsize(path)} bytes")


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.set_num_threads(2)
    only = sys.argv[1:]
    jobs = {
        "s": lambda: torchvision_case("s", 128), "m": lambda: torchvision_case("m", 96), "l": lambda: torchvision_case("l", 96),
        "timm-b0": lambda: timm_case("tf_efficientnetv2_b0", 96), "timm-b3": lambda: timm_case("tf_efficientnetv2_b3", 96),
        "timm-s": lambda: timm_case("tf_efficientnetv2_s", 64), "grad": gradient_case, "keys": keys_case,
    }
    for name, job in jobs.items():
        if not only or name in only:
            job()


if __name__ == "__main__":
    main()
