"""A small restatement of timm's `tf_efficientnetv2_*` (timm is not installable here): its
stage strings, channel rounding (`round_channels`, with round_limit 0 for the B variants), TF
"same" padding, batch-norm epsilon 1e-3 and module names (`conv_stem`, `bn1`,
`blocks.{stage}.{index}.conv_exp` ...), so that the key names, parameter counts and logits of
our timm-family V2 can be checked. Only what the tf_ V2 models use is restated.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

# (block type, repeats, kernel, stride, expansion, out channels, SE ratio of the block input)
BASE = [("cn", 1, 3, 1, 1, 16, 0), ("er", 2, 3, 2, 4, 32, 0), ("er", 2, 3, 2, 4, 48, 0),
        ("ir", 3, 3, 2, 4, 96, 0.25), ("ir", 5, 3, 1, 6, 112, 0.25), ("ir", 8, 3, 2, 6, 192, 0.25)]
S = [("cn", 2, 3, 1, 1, 24, 0), ("er", 4, 3, 2, 4, 48, 0), ("er", 4, 3, 2, 4, 64, 0),
     ("ir", 6, 3, 2, 4, 128, 0.25), ("ir", 9, 3, 1, 6, 160, 0.25), ("ir", 15, 3, 2, 6, 256, 0.25)]
M = [("cn", 3, 3, 1, 1, 24, 0), ("er", 5, 3, 2, 4, 48, 0), ("er", 5, 3, 2, 4, 80, 0),
     ("ir", 7, 3, 2, 4, 160, 0.25), ("ir", 14, 3, 1, 6, 176, 0.25), ("ir", 18, 3, 2, 6, 304, 0.25),
     ("ir", 5, 3, 1, 6, 512, 0.25)]
L = [("cn", 4, 3, 1, 1, 32, 0), ("er", 7, 3, 2, 4, 64, 0), ("er", 7, 3, 2, 4, 96, 0),
     ("ir", 10, 3, 2, 4, 192, 0.25), ("ir", 19, 3, 1, 6, 224, 0.25), ("ir", 25, 3, 2, 6, 384, 0.25),
     ("ir", 7, 3, 1, 6, 640, 0.25)]
XL = [("cn", 4, 3, 1, 1, 32, 0), ("er", 8, 3, 2, 4, 64, 0), ("er", 8, 3, 2, 4, 96, 0),
      ("ir", 16, 3, 2, 4, 192, 0.25), ("ir", 24, 3, 1, 6, 256, 0.25), ("ir", 32, 3, 2, 6, 512, 0.25),
      ("ir", 8, 3, 1, 6, 640, 0.25)]

# name: (stages, width, depth, stem, round_limit)
MODELS = {
    "tf_efficientnetv2_b0": (BASE, 1.0, 1.0, 32, 0.0),
    "tf_efficientnetv2_b1": (BASE, 1.0, 1.1, 32, 0.0),
    "tf_efficientnetv2_b2": (BASE, 1.1, 1.2, 32, 0.0),
    "tf_efficientnetv2_b3": (BASE, 1.2, 1.4, 32, 0.0),
    "tf_efficientnetv2_s": (S, 1.0, 1.0, 24, 0.9),
    "tf_efficientnetv2_m": (M, 1.0, 1.0, 24, 0.9),
    "tf_efficientnetv2_l": (L, 1.0, 1.0, 32, 0.9),
    "tf_efficientnetv2_xl": (XL, 1.0, 1.0, 32, 0.9),
}


def round_channels(c, width, round_limit, divisor=8):
    v = c * width
    new = max(divisor, int(v + divisor / 2) // divisor * divisor)
    return new + divisor if new < round_limit * v else new


class SameConv(nn.Conv2d):
    """TF "same": pad total max((ceil(i/s)-1)*s + k - i, 0), the odd pixel after."""

    def forward(self, x):
        pads = []
        for i, k, s in zip(x.shape[-2:][::-1], self.kernel_size[::-1], self.stride[::-1]):
            total = max((math.ceil(i / s) - 1) * s + k - i, 0)
            pads += [total // 2, total - total // 2]
        return F.conv2d(F.pad(x, pads), self.weight, self.bias, self.stride, 0, 1, self.groups)


def conv(cin, cout, k, s=1, groups=1, bias=False):
    return SameConv(cin, cout, k, s, groups=groups, bias=bias)


def bn(c):
    return nn.BatchNorm2d(c, eps=1e-3)


class ConvBnAct(nn.Module):  # timm "cn"
    def __init__(self, cin, cout, k, s):
        super().__init__()
        self.conv, self.bn1 = conv(cin, cout, k, s), bn(cout)
        self.skip = s == 1 and cin == cout

    def forward(self, x):
        y = F.silu(self.bn1(self.conv(x)))
        return y + x if self.skip else y


class EdgeResidual(nn.Module):  # timm "er"
    def __init__(self, cin, cout, k, s, e):
        super().__init__()
        mid = cin * e
        self.conv_exp, self.bn1 = conv(cin, mid, k, s), bn(mid)
        self.conv_pwl, self.bn2 = conv(mid, cout, 1), bn(cout)
        self.skip = s == 1 and cin == cout

    def forward(self, x):
        y = self.bn2(self.conv_pwl(F.silu(self.bn1(self.conv_exp(x)))))
        return y + x if self.skip else y


class SqueezeExcite(nn.Module):
    def __init__(self, c, rd):
        super().__init__()
        self.conv_reduce, self.conv_expand = nn.Conv2d(c, rd, 1), nn.Conv2d(rd, c, 1)

    def forward(self, x):
        s = self.conv_expand(F.silu(self.conv_reduce(x.mean((2, 3), keepdim=True))))
        return x * torch.sigmoid(s)


class InvertedResidual(nn.Module):  # timm "ir"
    def __init__(self, cin, cout, k, s, e, se):
        super().__init__()
        mid = cin * e
        self.conv_pw, self.bn1 = conv(cin, mid, 1), bn(mid)
        self.conv_dw, self.bn2 = conv(mid, mid, k, s, groups=mid), bn(mid)
        # timm: rd_ratio = se / e of the expanded channels, rounded: the block input's quarter.
        self.se = SqueezeExcite(mid, round(mid * se / e))
        self.conv_pwl, self.bn3 = conv(mid, cout, 1), bn(cout)
        self.skip = s == 1 and cin == cout

    def forward(self, x):
        y = F.silu(self.bn1(self.conv_pw(x)))
        y = self.se(F.silu(self.bn2(self.conv_dw(y))))
        y = self.bn3(self.conv_pwl(y))
        return y + x if self.skip else y


class EfficientNetV2(nn.Module):
    def __init__(self, name, num_classes=1000):
        super().__init__()
        stages, width, depth, stem, limit = MODELS[name]
        ch = lambda c: round_channels(c, width, limit)  # noqa: E731
        cin = ch(stem)
        self.conv_stem, self.bn1 = conv(3, cin, 3, 2), bn(cin)
        blocks = []
        for kind, r, k, s, e, c, se in stages:
            cout, stage = ch(c), []
            for i in range(math.ceil(r * depth)):
                stride = s if i == 0 else 1
                if kind == "cn":
                    stage.append(ConvBnAct(cin, cout, k, stride))
                elif kind == "er":
                    stage.append(EdgeResidual(cin, cout, k, stride, e))
                else:
                    stage.append(InvertedResidual(cin, cout, k, stride, e, se))
                cin = cout
            blocks.append(nn.Sequential(*stage))
        self.blocks = nn.Sequential(*blocks)
        features = ch(1280)
        self.conv_head, self.bn2 = conv(cin, features, 1), bn(features)
        self.classifier = nn.Linear(features, num_classes)

    def forward_features(self, x):
        x = F.silu(self.bn1(self.conv_stem(x)))
        return F.silu(self.bn2(self.conv_head(self.blocks(x))))

    def forward(self, x):
        return self.classifier(self.forward_features(x).mean((2, 3)))
