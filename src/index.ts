/**
 * efficientnet-ts: the EfficientNet family for Node.js. The architecture as data, PyTorch
 * checkpoints in and out, inference and training on onnxruntime.
 */
import './node/register.js'; // Node is the platform: files, sharp, onnxruntime-node, zlib

export * from './api/index.js';
// Node only: the download cache on disk, and file and glob expansion.
export { fetchPretrained } from './node/download.js';
export { listImages } from './node/walk.js';
