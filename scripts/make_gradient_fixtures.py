"""Regenerates test/fixtures/train/gradients-*.safetensors: one training step's loss, logits,
parameter gradients and new batch-norm running statistics from PyTorch, for full-size
networks with synthetic weights (scripts/synthetic.py) at small images.

Large tensors are stored as strided samples (stride = ceil(numel / 64)) with the full
tensor's largest |value| and L2 norm, packed in state-dict order; keys are in the metadata.
Random masks (drop connect, dropout) are drawn here and stored, so the test feeds the same.
The step runs in float64 from the float32 weights, so the fixtures hold the exact gradients
(at 64 px, PyTorch's own float32 step is 3.8e-3 off on b2's worst-conditioned tensor, ours 1.3e-3).

Run: /usr/bin/python3 scripts/make_gradient_fixtures.py
"""
import json
import math
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(__file__))
from reference_efficientnet import BLOCKS, Conv2dStaticSamePadding, EfficientNet, PARAMS, round_repeats  # noqa: E402
from synthetic import fill_module, synthetic_images, write_safetensors  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "train")
SAMPLES = 64
GAIN = 3.0
LABELS = [3, 7, 11, 998, 250, 500, 640, 999]

CASES = [
    dict(name="b0-none-train", model="efficientnet-b0", size=96, freeze="none", bn="train", smoothing=0.1),
    dict(name="b0-none-frozen", model="efficientnet-b0", size=96, freeze="none", bn="frozen", smoothing=0.0),
    dict(name="b0-stages2-train", model="efficientnet-b0", size=96, freeze="stages:2", bn="train", smoothing=0.1),
    dict(name="b0-head-train", model="efficientnet-b0", size=96, freeze="head", bn="train", smoothing=0.0),
    dict(name="b0-none-train-masks", model="efficientnet-b0", size=96, freeze="none", bn="train", smoothing=0.1, masks=True),
    dict(name="b2-none-train", model="efficientnet-b2", size=96, freeze="none", bn="train", smoothing=0.1),
    dict(name="b2-stages3-frozen", model="efficientnet-b2", size=96, freeze="stages:3", bn="frozen", smoothing=0.1, masks=True),
    # 32 px: the last stages run on 2x2 and 1x1 maps, where 1x1 layers take the row form (GEMMs over N*H*W).
    dict(name="b0-none-train-32px", model="efficientnet-b0", size=32, batch=8, freeze="none", bn="train", smoothing=0.1, masks=True),
    # 72 px: strided layers on odd maps (9x9, 5x5), with TF-"same" padding and with torchvision's symmetric k//2.
    dict(name="b0-none-train-72px", model="efficientnet-b0", size=72, freeze="none", bn="train", smoothing=0.1),
    dict(name="b0-none-train-72px-symmetric", model="efficientnet-b0", size=72, freeze="none", bn="train", smoothing=0.1, padding="symmetric"),
]


def block_stages(name):
    depth = PARAMS[name][1]
    return [s for s, row in enumerate(BLOCKS) for _ in range(round_repeats(row[0], depth))]


def first_trainable_block(name, freeze):
    stages = block_stages(name)
    if freeze == "none":
        return 0
    if freeze == "head":
        return len(stages)
    n = int(freeze.split(":")[1])
    first_stage = len(BLOCKS) - n
    return next((i for i, s in enumerate(stages) if s >= first_stage), len(stages))


def block_forward(block, inputs, mask):
    """The reference block's forward (scripts/reference_efficientnet.py), restated so that drop
    connect takes the stored `mask` ([N,1,1,1] of 0/1, keep) instead of drawing torch.rand."""
    x = inputs
    if block.expand != 1:
        x = F.silu(block._bn0(block._expand_conv(x)))
    x = F.silu(block._bn1(block._depthwise_conv(x)))
    s = F.adaptive_avg_pool2d(x, 1)
    s = block._se_expand(F.silu(block._se_reduce(s)))
    x = torch.sigmoid(s) * x
    x = block._bn2(block._project_conv(x))
    if block.stride == 1 and block.cin == block.cout:
        if mask is not None:
            x = x / mask[1] * mask[0]
        x = x + inputs
    return x


def pack(tensors):
    samples, maxabs, norms = [], [], []
    for t in tensors:
        flat = t.detach().flatten()
        stride = max(1, math.ceil(flat.numel() / SAMPLES))
        samples.append(flat[::stride])
        maxabs.append(flat.abs().max())
        norms.append(flat.double().norm().float())
    return torch.cat(samples), torch.stack(maxabs), torch.stack(norms)


def run(case):
    name, size = case["model"], case["size"]
    batch = case.get("batch", 2)
    torch.manual_seed(1234)
    model = fill_module(EfficientNet(name, image_size=size), GAIN).double()
    if case.get("padding") == "symmetric":
        # k//2 on every side: the same output sizes as "same" (ceil(i/s)), other values.
        for m in model.modules():
            if isinstance(m, Conv2dStaticSamePadding):
                k = m.kernel_size[0]
                m.static_padding = torch.nn.ZeroPad2d(k // 2) if k > 1 else torch.nn.Identity()
    first = first_trainable_block(name, case["freeze"])
    trains_stem = case["freeze"] == "none"
    trains_head = case["freeze"] != "head"
    model.train()
    frozen_modules = []
    if not trains_stem:
        frozen_modules += [model._conv_stem, model._bn0]
    frozen_modules += list(model._blocks[:first])
    if not trains_head:
        frozen_modules += [model._conv_head, model._bn1]
    for m in frozen_modules:
        m.eval()
        for p in m.parameters():
            p.requires_grad_(False)
    if case["bn"] == "frozen":
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.eval()

    x = synthetic_images([batch, 3, size, size]).double()
    labels = torch.tensor(LABELS[:batch])
    masks = {}
    n_blocks = len(model._blocks)
    dc_rate_total = 0.2
    if case.get("masks"):
        for idx, block in enumerate(model._blocks):
            rate = dc_rate_total * idx / n_blocks
            if idx >= first and rate > 0 and block.stride == 1 and block.cin == block.cout:
                keep = 1 - rate
                binary = torch.floor(keep + torch.rand([batch, 1, 1, 1])).double()
                masks[idx] = (binary, keep)
        p = PARAMS[name][3]
        dropout_mask = (torch.rand([batch, model._fc.in_features]) >= p).float()
        dropout_scaled = (dropout_mask / (1 - p)).double()
    # Running statistics before the step (to find the updated ones).
    h = F.silu(model._bn0(model._conv_stem(x)))
    for idx, block in enumerate(model._blocks):
        h = block_forward(block, h, masks.get(idx))
    h = F.silu(model._bn1(model._conv_head(h)))
    pooled = F.adaptive_avg_pool2d(h, 1).flatten(1)
    if case.get("masks"):
        pooled = pooled * dropout_scaled
    logits = model._fc(pooled)
    loss = F.cross_entropy(logits, labels, label_smoothing=case["smoothing"])
    loss.backward()

    params = [(k, p) for k, p in model.named_parameters() if p.requires_grad]
    grads = [p.grad for _, p in params]
    bn_train = case["bn"] == "train"
    stats = []
    if bn_train:
        trainable_modules = {k.rsplit(".", 1)[0] for k, _ in params}
        for key, buf in model.state_dict().items():
            module, role = key.rsplit(".", 1)
            if role in ("running_mean", "running_var") and module in trainable_modules:
                stats.append((key, buf))
    out = {"loss": loss.detach().reshape(1), "logits": logits.detach()}
    out["grad.samples"], out["grad.maxabs"], out["grad.norm"] = pack(grads)
    if stats:
        out["stats.samples"], out["stats.maxabs"], _ = pack([b for _, b in stats])
    out = {k: v.float() for k, v in out.items()}
    for idx, (binary, keep) in masks.items():
        out[f"mask.drop_connect.{idx}"] = binary.float()
        out[f"keep.drop_connect.{idx}"] = torch.tensor([keep], dtype=torch.float32)
    if case.get("masks"):
        out["mask.dropout"] = dropout_scaled.float()
    meta = {
        "model": name, "size": str(size), "batch": str(batch), "freeze": case["freeze"], "bn": case["bn"],
        "smoothing": repr(case["smoothing"]), "gain": repr(GAIN), "padding": case.get("padding", "same"), "labels": json.dumps(LABELS[:batch]),
        "grad_keys": json.dumps([k for k, _ in params]), "stat_keys": json.dumps([k for k, _ in stats]),
    }
    path = os.path.join(OUT, f"gradients-{case['name']}.safetensors")
    write_safetensors(path, out, meta)
    print(f"{path}: loss {loss.item():.6f} logits max {logits.abs().max().item():.4g} "
          f"{len(params)} grads, largest {max(g.abs().max().item() for g in grads):.3g}, {len(stats)} stats, {os.path.getsize(path)} bytes")


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.set_num_threads(2)
    only = sys.argv[1:]
    for case in CASES:
        if not only or case["name"] in only:
            run(case)


if __name__ == "__main__":
    main()
