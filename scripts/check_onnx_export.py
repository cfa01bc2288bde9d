"""Checks an exported ONNX file with Debian's python3-onnx (the reference checker) and, when
given an input .npy and expected .npy, with onnx's reference evaluator-free route: shape
inference only (onnxruntime is not packaged for Python in Debian).

Run: /usr/bin/python3 scripts/check_onnx_export.py model.onnx
"""
import sys

import onnx

model = onnx.load(sys.argv[1])
onnx.checker.check_model(model, full_check=True)
inferred = onnx.shape_inference.infer_shapes(model, strict_mode=True)
outputs = [(o.name, [d.dim_value or d.dim_param for d in o.type.tensor_type.shape.dim]) for o in inferred.graph.output]
print(f"ok: opset {model.opset_import[0].version}, IR {model.ir_version}, {len(model.graph.node)} nodes, outputs {outputs}")
