"""PyTorch peer for the fine-tuning benchmark (Debian's torch 1.13 / torchvision 0.14).

throughput <folder> <threads> <head|full> <batch> <epochs>: torchvision ImageFolder + DataLoader
(2 workers) with RandomResizedCrop(224) + flip, b0 with a new head, Adam; prints the last
epoch's images per second as JSON (the first epoch warms up).

demo <train> <test> <threads> <seed> <epochs> <lr> <crop|none>: from scratch on the same folders
with the same network (scripts/reference_efficientnet.py, the reference's b0 at 32x32 grey,
torchvision's init, batch-norm momentum 0.1 after a first step that takes the batch statistics,
classifier from zero, dropout and drop connect 0.2): Adam at lr with cosine decay per step,
epochs of batch 32, RandomResizedCrop(32, scale 0.7-1) + flip (crop: the demo's recipe) or the
evaluation transform (none: finetune's defaults at 32 px); prints test accuracy and seconds.
"""
import json
import math
import os
import sys
import time

import torch
import torchvision
from torch import nn
from torchvision import datasets, transforms

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "scripts"))
MEAN, STD = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]


def throughput(folder, threads, mode, batch, epochs):
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    transform = transforms.Compose([
        transforms.RandomResizedCrop(224, interpolation=transforms.InterpolationMode.BICUBIC),
        transforms.RandomHorizontalFlip(), transforms.ToTensor(), transforms.Normalize(MEAN, STD)])
    data = datasets.ImageFolder(folder, transform)
    loader = torch.utils.data.DataLoader(data, batch_size=batch, shuffle=True, num_workers=2)
    model = torchvision.models.efficientnet_b0(num_classes=len(data.classes))
    if mode == "head":
        for p in model.features.parameters():
            p.requires_grad = False
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.Adam(params, lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    rate = 0.0
    for _ in range(epochs):
        model.train()
        if mode == "head":
            model.features.eval()  # frozen backbone: inference statistics
        start, seen = time.perf_counter(), 0
        for x, y in loader:
            optimizer.zero_grad()
            loss_fn(model(x), y).backward()
            optimizer.step()
            seen += len(y)
        rate = seen / (time.perf_counter() - start)
    print(json.dumps({"images_per_second": rate}))


def init_like_torchvision(model):
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            nn.init.kaiming_normal_(m.weight, mode="fan_out")
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.BatchNorm2d):
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)
            m.momentum = 0.1
        elif isinstance(m, nn.Linear):
            r = 1.0 / math.sqrt(m.out_features)
            nn.init.uniform_(m.weight, -r, r)
            nn.init.zeros_(m.bias)


def demo(train_dir, test_dir, threads, seed, epochs, lr, augment):
    from reference_efficientnet import EfficientNet
    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    start = time.perf_counter()
    grey = [transforms.Grayscale(1)]
    norm = [transforms.ToTensor(), transforms.Normalize([sum(MEAN) / 3], [sum(STD) / 3])]
    evaluation = [transforms.Resize(32, interpolation=transforms.InterpolationMode.BICUBIC), transforms.CenterCrop(32)]
    crop = [transforms.RandomResizedCrop(32, scale=(0.7, 1.0), interpolation=transforms.InterpolationMode.BICUBIC), transforms.RandomHorizontalFlip()]
    train = datasets.ImageFolder(train_dir, transforms.Compose(grey + (crop if augment == "crop" else evaluation) + norm))
    test = datasets.ImageFolder(test_dir, transforms.Compose(grey + evaluation + norm))
    loader = torch.utils.data.DataLoader(train, batch_size=32, shuffle=True, num_workers=2)
    model = EfficientNet("efficientnet-b0", num_classes=10, in_channels=1, image_size=32)
    init_like_torchvision(model)
    nn.init.zeros_(model._fc.weight)  # the demo's classifier starts at zero
    bns = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
    for bn in bns:
        bn.momentum = 1.0  # first step: running statistics := the first batch's (ours: freshStatistics)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, epochs * len(loader))
    loss_fn = nn.CrossEntropyLoss()
    for _ in range(epochs):
        model.train()
        for x, y in loader:
            optimizer.zero_grad()
            loss_fn(model(x), y).backward()
            optimizer.step()
            scheduler.step()
            for bn in bns:
                bn.momentum = 0.1
    train_seconds = time.perf_counter() - start
    model.eval()
    correct = 0
    with torch.no_grad():
        for x, y in torch.utils.data.DataLoader(test, batch_size=64):
            correct += (model(x).argmax(1) == y).sum().item()
    print(json.dumps({"accuracy": correct / len(test), "train_seconds": train_seconds, "seconds": time.perf_counter() - start}))


if __name__ == "__main__":
    if sys.argv[1] == "throughput":
        throughput(sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5]), int(sys.argv[6]))
    else:
        demo(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]), float(sys.argv[7]), sys.argv[8])
