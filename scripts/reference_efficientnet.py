"""A compact PyTorch re-statement of lukemelas/EfficientNet-PyTorch's EfficientNet (the
reference): static TF-"same" padding computed from the configured image size, MBConv blocks
with squeeze-and-excitation and swish, the reference's module names and extract_endpoints.
Module names, types and constructor arguments follow lukemelas 0.7.1 so that print(model)
prints what `print(EfficientNet.from_name(name))` prints there: Conv2dStaticSamePadding with a
ZeroPad2d or Identity child, MemoryEfficientSwish, `_avg_pooling`, momentum 1 - 0.99, and the
first block of each stage built with the block string's stride list ([s], printed [s, s]).
Written from the published description and parameters; used only as the oracle for fixtures.
"""
import math

import torch
from torch import nn
from torch.nn import functional as F

PARAMS = {  # width, depth, resolution, dropout
    "efficientnet-b0": (1.0, 1.0, 224, 0.2), "efficientnet-b1": (1.0, 1.1, 240, 0.2),
    "efficientnet-b2": (1.1, 1.2, 260, 0.3), "efficientnet-b3": (1.2, 1.4, 300, 0.3),
    "efficientnet-b4": (1.4, 1.8, 380, 0.4), "efficientnet-b5": (1.6, 2.2, 456, 0.4),
    "efficientnet-b6": (1.8, 2.6, 528, 0.5), "efficientnet-b7": (2.0, 3.1, 600, 0.5),
    "efficientnet-b8": (2.2, 3.6, 672, 0.5), "efficientnet-l2": (4.3, 5.3, 800, 0.5),
}
# repeats, kernel, stride, expand, in, out, se ratio
BLOCKS = [(1, 3, 1, 1, 32, 16, 0.25), (2, 3, 2, 6, 16, 24, 0.25), (2, 5, 2, 6, 24, 40, 0.25),
          (3, 3, 2, 6, 40, 80, 0.25), (3, 5, 1, 6, 80, 112, 0.25), (4, 5, 2, 6, 112, 192, 0.25),
          (1, 3, 1, 6, 192, 320, 0.25)]
BN_MOMENTUM, BN_EPS = 1 - 0.99, 1e-3  # the reference converts TF's 0.99 this way: 0.010000000000000009


def round_filters(filters, width, divisor=8):
    if not width:
        return filters
    filters *= width
    new = max(divisor, int(filters + divisor / 2) // divisor * divisor)
    if new < 0.9 * filters:
        new += divisor
    return int(new)


def round_repeats(repeats, depth):
    return repeats if not depth else int(math.ceil(depth * repeats))


def out_size(size, stride):
    return [int(math.ceil(size[0] / stride)), int(math.ceil(size[1] / stride))]


class Conv2dStaticSamePadding(nn.Conv2d):
    """The padding is fixed from the image size given at construction. A stride given as a
    one-element list (the block strings') becomes a two-element list, as in the reference."""

    def __init__(self, cin, cout, k, stride=1, groups=1, bias=False, image_size=(1, 1)):
        super().__init__(cin, cout, k, stride, groups=groups, bias=bias)
        self.stride = self.stride if len(self.stride) == 2 else [self.stride[0]] * 2
        ih, iw = image_size
        s = self.stride[0]
        oh, ow = math.ceil(ih / s), math.ceil(iw / s)
        ph = max((oh - 1) * s + (k - 1) + 1 - ih, 0)
        pw = max((ow - 1) * s + (k - 1) + 1 - iw, 0)
        self.static_padding = nn.ZeroPad2d((pw // 2, pw - pw // 2, ph // 2, ph - ph // 2)) if ph or pw else nn.Identity()

    def forward(self, x):
        return F.conv2d(self.static_padding(x), self.weight, self.bias, self.stride, 0, 1, self.groups)


SameConv = Conv2dStaticSamePadding


class MemoryEfficientSwish(nn.Module):
    """x * sigmoid(x); the reference's custom-autograd version computes the same values."""

    def forward(self, x):
        return F.silu(x)


class MBConvBlock(nn.Module):
    def __init__(self, k, stride, expand, cin, cout, se_ratio, image_size):
        super().__init__()
        self.expand, self.cin, self.cout = expand, cin, cout
        self.stride = stride[0] if isinstance(stride, list) else stride
        mid = cin * expand
        if expand != 1:
            self._expand_conv = SameConv(cin, mid, 1, image_size=image_size)
            self._bn0 = nn.BatchNorm2d(mid, eps=BN_EPS, momentum=BN_MOMENTUM)
        self._depthwise_conv = SameConv(mid, mid, k, stride, groups=mid, image_size=image_size)
        self._bn1 = nn.BatchNorm2d(mid, eps=BN_EPS, momentum=BN_MOMENTUM)
        image_size = out_size(image_size, self.stride)
        squeezed = max(1, int(cin * se_ratio))
        self._se_reduce = SameConv(mid, squeezed, 1, bias=True)
        self._se_expand = SameConv(squeezed, mid, 1, bias=True)
        self._project_conv = SameConv(mid, cout, 1, image_size=image_size)
        self._bn2 = nn.BatchNorm2d(cout, eps=BN_EPS, momentum=BN_MOMENTUM)
        self._swish = MemoryEfficientSwish()

    def forward(self, inputs, drop_connect_rate=None):
        x = inputs
        if self.expand != 1:
            x = F.silu(self._bn0(self._expand_conv(x)))
        x = F.silu(self._bn1(self._depthwise_conv(x)))
        s = F.adaptive_avg_pool2d(x, 1)
        s = self._se_expand(F.silu(self._se_reduce(s)))
        x = torch.sigmoid(s) * x
        x = self._bn2(self._project_conv(x))
        if self.stride == 1 and self.cin == self.cout:
            if drop_connect_rate and self.training:
                keep = 1 - drop_connect_rate
                mask = torch.floor(keep + torch.rand([x.shape[0], 1, 1, 1], dtype=x.dtype))
                x = x / keep * mask
            x = x + inputs
        return x


class EfficientNet(nn.Module):
    def __init__(self, name, num_classes=1000, in_channels=3, image_size=None, drop_connect_rate=0.2):
        super().__init__()
        width, depth, resolution, dropout = PARAMS[name]
        image_size = image_size or resolution
        image_size = [image_size, image_size] if isinstance(image_size, int) else list(image_size)
        self.drop_connect_rate = drop_connect_rate
        stem = round_filters(32, width)
        self._conv_stem = SameConv(in_channels, stem, 3, 2, image_size=image_size)
        self._bn0 = nn.BatchNorm2d(stem, eps=BN_EPS, momentum=BN_MOMENTUM)
        image_size = out_size(image_size, 2)
        blocks = []
        for repeats, k, s, e, cin, cout, se in BLOCKS:
            cin, cout, repeats = round_filters(cin, width), round_filters(cout, width), round_repeats(repeats, depth)
            blocks.append(MBConvBlock(k, [s], e, cin, cout, se, image_size))
            image_size = out_size(image_size, s)
            for _ in range(repeats - 1):
                blocks.append(MBConvBlock(k, 1, e, cout, cout, se, image_size))
        self._blocks = nn.ModuleList(blocks)
        head = round_filters(1280, width)
        self._conv_head = SameConv(cout, head, 1, image_size=image_size)
        self._bn1 = nn.BatchNorm2d(head, eps=BN_EPS, momentum=BN_MOMENTUM)
        self._avg_pooling = nn.AdaptiveAvgPool2d(1)
        self._dropout = nn.Dropout(dropout)
        self._fc = nn.Linear(head, num_classes)
        self._swish = MemoryEfficientSwish()

    def extract_endpoints(self, inputs):
        endpoints = {}
        x = F.silu(self._bn0(self._conv_stem(inputs)))
        prev_x = x
        for idx, block in enumerate(self._blocks):
            rate = self.drop_connect_rate * float(idx) / len(self._blocks) if self.drop_connect_rate else None
            x = block(x, drop_connect_rate=rate)
            if prev_x.size(2) > x.size(2):
                endpoints["reduction_{}".format(len(endpoints) + 1)] = prev_x
            elif idx == len(self._blocks) - 1:
                endpoints["reduction_{}".format(len(endpoints) + 1)] = x
            prev_x = x
        x = F.silu(self._bn1(self._conv_head(x)))
        endpoints["reduction_{}".format(len(endpoints) + 1)] = x
        return endpoints

    def extract_features(self, inputs):
        x = F.silu(self._bn0(self._conv_stem(inputs)))
        for idx, block in enumerate(self._blocks):
            rate = self.drop_connect_rate * float(idx) / len(self._blocks) if self.drop_connect_rate else None
            x = block(x, drop_connect_rate=rate)
        return F.silu(self._bn1(self._conv_head(x)))

    def forward(self, inputs):
        x = self.extract_features(inputs)
        x = self._avg_pooling(x).flatten(start_dim=1)
        return self._fc(self._dropout(x))
