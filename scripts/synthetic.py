"""Deterministic synthetic weights, bit-identical to src/weights/synthetic.ts.

Every value is a function of the tensor's key and the element index: a Weyl sequence
through murmur3's finaliser in 32-bit integer arithmetic, one float64 transform, one
rounding to float32.
"""
import math

import numpy as np
import torch

MASK = np.uint64(0xFFFFFFFF)


def fnv1a32(text):
    h = 0x811C9DC5
    for byte in text.encode("utf-8"):
        h ^= byte
        h = (h * 0x01000193) & 0xFFFFFFFF
    return h


def uniform(key, count):
    i = np.arange(count, dtype=np.uint64)
    x = (i * np.uint64(0x9E3779B1) + np.uint64(fnv1a32(key))) & MASK
    x ^= x >> np.uint64(16)
    x = (x * np.uint64(0x85EBCA6B)) & MASK
    x ^= x >> np.uint64(13)
    x = (x * np.uint64(0xC2B2AE35)) & MASK
    x ^= x >> np.uint64(16)
    return x.astype(np.float64) / 4294967296.0


def synthetic(key, shape, kind, role, gain=3.0):
    """kind: conv | bn | linear | input; role: weight | bias | running_mean | running_var | num_batches_tracked | input.
    Weights are uniform with variance gain / fan-in."""
    count = int(np.prod(shape)) if len(shape) else 1
    if role == "num_batches_tracked":
        return torch.zeros(shape, dtype=torch.int64)
    u = uniform(key, count)
    if role == "input":
        v = (u * 2 - 1) * 2
    elif kind == "bn":
        v = 0.5 + u if role in ("weight", "running_var") else (u * 2 - 1) * 0.01
    elif role == "weight":
        v = (u * 2 - 1) * math.sqrt(gain / (count / shape[0]))
    else:
        v = (u * 2 - 1) * 0.1
    return torch.from_numpy(v.astype(np.float32).reshape(shape))


def synthetic_images(shape):
    """A batch [N, C, H, W] of smooth waves (different per image and channel) plus mild noise,
    so that outputs depend on the image and not only on the weights."""
    n_, c_, h_, w_ = shape
    u = uniform("input", n_ * c_ * h_ * w_).reshape(shape)
    hh = np.arange(h_, dtype=np.float64).reshape(h_, 1)
    ww = np.arange(w_, dtype=np.float64).reshape(1, w_)
    out = np.empty(shape, dtype=np.float32)
    for n in range(n_):
        for c in range(c_):
            fh, fw, phase = 1 + (n + c) % 3, 1 + (2 * n + c) % 4, float(n + c)
            wave = np.sin(2 * np.pi * (fh * hh / h_ + fw * ww / w_) + phase)
            out[n, c] = (1.5 * wave + (u[n, c] * 2 - 1) * 0.5).astype(np.float32)
    return torch.from_numpy(out)


def fill_module(model, gain=3.0):
    """Overwrites every parameter and buffer of `model` with its synthetic value, keyed by state-dict name."""
    kinds = {}
    for name, module in model.named_modules():
        if isinstance(module, torch.nn.Conv2d):
            kinds[name] = "conv"
        elif isinstance(module, torch.nn.BatchNorm2d):
            kinds[name] = "bn"
        elif isinstance(module, torch.nn.Linear):
            kinds[name] = "linear"
    state = {}
    for key, value in model.state_dict().items():
        module, role = key.rsplit(".", 1)
        state[key] = synthetic(key, list(value.shape), kinds[module], role, gain)
    model.load_state_dict(state)
    return model


def write_safetensors(path, tensors, metadata=None):
    """A minimal safetensors writer (F32 / I64), so the scripts need nothing beyond torch."""
    import json
    import struct

    header, chunks, offset = ({"__metadata__": metadata} if metadata else {}), [], 0
    for name, t in tensors.items():
        t = t.detach().contiguous()
        dtype = {torch.float32: "F32", torch.int64: "I64"}[t.dtype]
        data = t.numpy().tobytes()
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        chunks.append(data)
    raw = json.dumps(header).encode()
    raw += b" " * ((8 - len(raw) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(raw)))
        f.write(raw)
        for c in chunks:
            f.write(c)
