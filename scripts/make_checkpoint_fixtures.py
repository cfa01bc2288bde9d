#!/usr/bin/python3
"""Oracle for the checkpoint readers and writer: torch 1.13 (Debian's /usr/bin/python3).

    /usr/bin/python3 scripts/make_checkpoint_fixtures.py           # regenerate test/fixtures/checkpoints/
    /usr/bin/python3 scripts/make_checkpoint_fixtures.py --check   # verify written-by-ts.pth

Writes small state dicts (real lukemelas / torchvision / timm key names, a few tiny tensors)
with torch.save in both the zip format and the legacy one (_use_new_zipfile_serialization=False),
plus expected.json with every tensor's dtype, shape and values as torch reads them back.

The writer round trip: `UPDATE_FIXTURES=1 npm test` makes our TypeScript writer rewrite
test/fixtures/checkpoints/written-by-ts.pth (from lukemelas-zip.pth as our reader loads it);
`--check` then proves torch loads that file with weights_only=True and gets the same values.
The tests never run Python: they compare the committed file byte for byte with the writer's output.
"""
import argparse
import collections
import json
import os
import sys

import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'checkpoints')


def seeded(shape, generator):
    return torch.randn(*shape, generator=generator)


def lukemelas_state_dict():
    """A stem, one depthwise block and the classifier, in lukemelas names; some tensors are views."""
    g = torch.Generator().manual_seed(0)
    sd = collections.OrderedDict()
    sd['_conv_stem.weight'] = seeded((4, 3, 3, 3), g)
    for role in ('weight', 'bias', 'running_mean'):
        sd[f'_bn0.{role}'] = seeded((4,), g)
    sd['_bn0.running_var'] = seeded((4,), g).abs() + 0.5
    sd['_bn0.num_batches_tracked'] = torch.tensor(7, dtype=torch.int64)
    sd['_blocks.0._depthwise_conv.weight'] = seeded((4, 1, 3, 3), g)
    # Shared storage: both SE convolutions' biases are slices (with offsets) of one buffer.
    shared = seeded((10,), g)
    sd['_blocks.0._se_reduce.bias'] = shared[0:2]
    sd['_blocks.0._se_expand.bias'] = shared[2:6]
    sd['_blocks.0._se_reduce.weight'] = seeded((2, 4, 1, 1), g)
    sd['_blocks.0._se_expand.weight'] = seeded((4, 2, 1, 1), g)
    # A transposed (non-contiguous) view, as a model that ties or transposes weights would save.
    sd['_fc.weight'] = seeded((4, 5), g).t()
    sd['_fc.bias'] = seeded((8,), g)[3:8]  # offset 3 into its storage
    return sd


def torchvision_state_dict():
    g = torch.Generator().manual_seed(1)
    sd = collections.OrderedDict()
    sd['features.0.0.weight'] = seeded((4, 3, 3, 3), g)
    for role in ('weight', 'bias', 'running_mean', 'running_var'):
        sd[f'features.0.1.{role}'] = seeded((4,), g)
    sd['features.0.1.num_batches_tracked'] = torch.tensor(11, dtype=torch.int64)
    sd['classifier.1.weight'] = seeded((3, 4), g)
    sd['classifier.1.bias'] = seeded((3,), g)
    return sd


def timm_state_dict():
    g = torch.Generator().manual_seed(2)
    sd = collections.OrderedDict()
    sd['conv_stem.weight'] = seeded((4, 3, 3, 3), g)
    for role in ('weight', 'bias', 'running_mean', 'running_var'):
        sd[f'bn1.{role}'] = seeded((4,), g)
    sd['blocks.0.0.conv_dw.weight'] = seeded((4, 1, 3, 3), g)
    sd['classifier.weight'] = seeded((3, 4), g)
    sd['classifier.bias'] = seeded((3,), g)
    return sd


def cast(sd, dtype):
    return collections.OrderedDict((k, v.to(dtype) if v.is_floating_point() else v) for k, v in sd.items())


def describe(value):
    """The expected tensors of a loaded checkpoint: what our reader must return (floats as float32)."""
    out = {}
    for key, tensor in value.items():
        if tensor.is_floating_point():
            values = tensor.to(torch.float32).flatten().tolist()
            out[key] = {'dtype': 'float32', 'shape': list(tensor.shape), 'values': values}
        else:
            out[key] = {'dtype': 'int64', 'shape': list(tensor.shape), 'values': [str(v) for v in tensor.flatten().tolist()]}
    return out


def generate():
    os.makedirs(OUT, exist_ok=True)
    luke = lukemelas_state_dict()
    files = {
        # name: (object to save, save kwargs, the state dict the reader should find)
        'lukemelas-zip.pth': (luke, {}, luke),
        'lukemelas-legacy.pth': (luke, {'_use_new_zipfile_serialization': False}, luke),
        'lukemelas-protocol4.pth': (luke, {'pickle_protocol': 4}, luke),
        'torchvision-fp16.pth': (cast(torchvision_state_dict(), torch.float16), {}, cast(torchvision_state_dict(), torch.float16)),
        'torchvision-fp16-legacy.pth': (cast(torchvision_state_dict(), torch.float16), {'_use_new_zipfile_serialization': False}, cast(torchvision_state_dict(), torch.float16)),
        'timm-bf16.pth': (cast(timm_state_dict(), torch.bfloat16), {}, cast(timm_state_dict(), torch.bfloat16)),
        'timm-fp64.pth': (cast(timm_state_dict(), torch.float64), {}, cast(timm_state_dict(), torch.float64)),
        'wrapped.pth': ({'state_dict': timm_state_dict(), 'epoch': 3}, {}, timm_state_dict()),
        'module-prefixed.pth': (collections.OrderedDict(('module.' + k, v) for k, v in torchvision_state_dict().items()), {}, torchvision_state_dict()),
        # A timm training checkpoint: plain and EMA weights, an argparse.Namespace, a float metric.
        'timm-train.pth': ({
            'epoch': 12, 'arch': 'tf_efficientnet_b0', 'state_dict': timm_state_dict(),
            'state_dict_ema': collections.OrderedDict((k, v * 0.5) for k, v in timm_state_dict().items()),
            'args': argparse.Namespace(lr=0.1, model='tf_efficientnet_b0', amp=True), 'metric': 77.5,
        }, {}, timm_state_dict()),
        # Parameters (torch._utils._rebuild_parameter), as a pickled module's tensors are.
        'parameters.pth': (collections.OrderedDict((k, torch.nn.Parameter(v)) for k, v in torchvision_state_dict().items() if v.is_floating_point()),
                           {}, collections.OrderedDict((k, v) for k, v in torchvision_state_dict().items() if v.is_floating_point())),
    }
    expected = {}
    for name, (obj, kwargs, reference) in files.items():
        path = os.path.join(OUT, name)
        torch.save(obj, path, **kwargs)
        loaded = torch.load(path)
        inner = loaded['state_dict'] if isinstance(loaded, dict) and 'state_dict' in loaded else loaded
        # The oracle: torch's own reading of the file, which must equal what was saved.
        for key, tensor in reference.items():
            got = inner[key if key in inner else 'module.' + key]
            assert torch.equal(got, tensor), (name, key)
        expected[name] = describe(reference)
    ema = files['timm-train.pth'][0]['state_dict_ema']
    expected['timm-train.pth#ema'] = describe(ema)
    with open(os.path.join(OUT, 'expected.json'), 'w') as f:
        json.dump(expected, f, indent=None, separators=(',', ':'))
        f.write('\n')
    print(f'wrote {len(files)} checkpoints and expected.json to {os.path.normpath(OUT)}')


def check():
    """torch must load our writer's file with weights_only=True and find lukemelas-zip.pth's values."""
    path = os.path.join(OUT, 'written-by-ts.pth')
    written = torch.load(path, weights_only=True)
    plain = torch.load(path)
    reference = torch.load(os.path.join(OUT, 'lukemelas-zip.pth'))
    assert list(written.keys()) == list(reference.keys()), (list(written.keys()), list(reference.keys()))
    for key, tensor in reference.items():
        assert written[key].dtype == tensor.dtype, (key, written[key].dtype, tensor.dtype)
        assert torch.equal(written[key], tensor), key
        assert torch.equal(plain[key], tensor), key
    print(f'ok: torch {torch.__version__} loads {os.path.normpath(path)} with weights_only=True ({len(written)} tensors match)')


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--check', action='store_true', help='verify written-by-ts.pth instead of regenerating')
    if parser.parse_args().check:
        check()
    else:
        generate()
    sys.exit(0)
