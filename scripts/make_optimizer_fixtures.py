"""Regenerates test/fixtures/train/optimizers.safetensors: parameter trajectories of
torch.optim (SGD with and without momentum / Nesterov / weight decay, Adam, AdamW), of
TF 1's RMSPropOptimizer written out directly, of gradient clipping (clip_grad_norm_) and of
an EMA of weights, over a few steps from synthetic parameters and gradients; and the
learning rates of torch's schedulers (warm-up + cosine, StepLR as the paper's staircase decay).

Run: /usr/bin/python3 scripts/make_optimizer_fixtures.py
"""
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(__file__))
from synthetic import synthetic, write_safetensors  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "train", "optimizers.safetensors")
SHAPES = {"a": [3, 4], "b": [5]}
STEPS = 5
LRS = [0.1, 0.08, 0.05, 0.05, 0.02]


def initial():
    return {k: synthetic(f"param.{k}", s, "conv", "weight") for k, s in SHAPES.items()}


def grad(step, key):
    return synthetic(f"grad.{step}.{key}", SHAPES[key], "conv", "weight", gain=30.0)


CASES = {
    "sgd": (torch.optim.SGD, dict(lr=LRS[0])),
    "sgd_momentum": (torch.optim.SGD, dict(lr=LRS[0], momentum=0.9, weight_decay=1e-3)),
    "sgd_nesterov": (torch.optim.SGD, dict(lr=LRS[0], momentum=0.9, nesterov=True, weight_decay=1e-3)),
    "adam": (torch.optim.Adam, dict(lr=LRS[0], weight_decay=1e-3)),
    "adamw": (torch.optim.AdamW, dict(lr=LRS[0], weight_decay=1e-2)),
}


def torch_trajectory(cls, kwargs, clip=None, ema_decay=None):
    params = {k: torch.nn.Parameter(v.clone()) for k, v in initial().items()}
    opt = cls(list(params.values()), **kwargs)
    ema = {k: v.detach().clone() for k, v in params.items()}
    out = {}
    for t in range(STEPS):
        for group in opt.param_groups:
            group["lr"] = LRS[t]
        for k, p in params.items():
            p.grad = grad(t, k).clone()
        if clip is not None:
            torch.nn.utils.clip_grad_norm_(list(params.values()), clip)
        opt.step()
        for k, p in params.items():
            out[f"{t}.{k}"] = p.detach().clone()
            if ema_decay is not None:
                ema[k].mul_(ema_decay).add_(p.detach(), alpha=1 - ema_decay)
                out[f"{t}.ema.{k}"] = ema[k].clone()
    return out


def rmsprop_tf_trajectory(decay=0.9, momentum=0.9, eps=1e-3, weight_decay=1e-3):
    """tf.compat.v1.train.RMSPropOptimizer's dense update, in float32:
    ms = decay*ms + (1-decay)*g^2 (ms starts at 1); mom = momentum*mom + lr*g/sqrt(ms+eps); p -= mom."""
    f = np.float32
    params = {k: v.numpy().astype(f) for k, v in initial().items()}
    ms = {k: np.ones_like(v) for k, v in params.items()}
    mom = {k: np.zeros_like(v) for k, v in params.items()}
    out = {}
    for t in range(STEPS):
        for k in params:
            g = grad(t, k).numpy().astype(f) + f(weight_decay) * params[k]
            ms[k] = f(decay) * ms[k] + f(1 - decay) * g * g
            mom[k] = f(momentum) * mom[k] + f(LRS[t]) * g / np.sqrt(ms[k] + f(eps))
            params[k] = params[k] - mom[k]
            out[f"{t}.{k}"] = torch.from_numpy(params[k].copy())
    return out


def learning_rates(opt, scheduler, steps):
    lrs = []
    for _ in range(steps):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        scheduler.step()
    return torch.tensor(lrs, dtype=torch.float64).float()


def schedules():
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=0.1)
    warm = torch.optim.lr_scheduler.LinearLR(opt, start_factor=0.1, total_iters=5)
    cos = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=20)
    out = {"schedule.warmup_cosine": learning_rates(opt, torch.optim.lr_scheduler.SequentialLR(opt, [warm, cos], milestones=[5]), 30)}
    opt = torch.optim.SGD([p], lr=0.256)
    # The paper's ×0.97 every 2.4 epochs, at 10 steps per epoch.
    out["schedule.exponential"] = learning_rates(opt, torch.optim.lr_scheduler.StepLR(opt, step_size=24, gamma=0.97), 100)
    return out


def main():
    out = {f"init.{k}": v for k, v in initial().items()}
    for t in range(STEPS):
        for k in SHAPES:
            out[f"grad.{t}.{k}"] = grad(t, k)
    for name, (cls, kwargs) in CASES.items():
        out.update({f"{name}.{k}": v for k, v in torch_trajectory(cls, kwargs).items()})
    out.update({f"sgd_clip.{k}": v for k, v in torch_trajectory(torch.optim.SGD, dict(lr=LRS[0], momentum=0.9), clip=0.5, ema_decay=0.9).items()})
    out.update({f"rmsprop_tf.{k}": v for k, v in rmsprop_tf_trajectory().items()})
    out.update(schedules())
    meta = {"lrs": json.dumps(LRS), "steps": str(STEPS), "cases": json.dumps({k: v[1] for k, v in CASES.items()})}
    write_safetensors(OUT, out, meta)
    print(OUT, os.path.getsize(OUT), "bytes")


if __name__ == "__main__":
    main()
