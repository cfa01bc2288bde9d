#!/usr/bin/env bash
# Runs bench/gpu.ts (and bench/torch_gpu.py, for scale) on a bare GPU machine from the folder
# that scripts/device/gpu-carry.sh assembled: unpacks Node and the app under $GPU_WORK, points
# Dawn at the NVIDIA Vulkan driver, then runs each part under its own time limit, so that a hang
# in one still leaves the others' figures. Everything goes to stdout; the caller keeps the log:
#
#   set -o pipefail; bash .gpu/gpu-bench.sh 2>&1 | tee $OUT/log
#
# Locally on SwiftShader (small rounds), as a dry run of the same files:
#   VK_DRIVER_FILES=/usr/lib/chromium/vk_swiftshader_icd.json GPU_SIZE=64 GPU_ROUNDS=1 GPU_RUNS=1 GPU_TRAIN=32x4 bash .gpu/gpu-bench.sh
# GPU_PARTS (e.g. "train b3") runs only those parts; T_<PART> sets a part's limit in seconds.
set -u
carry=$(cd "$(dirname "$0")" && pwd)
work=${GPU_WORK:-/tmp/gpu-bench}
rm -rf "$work" && mkdir -p "$work/bin"
xz -dc "$carry/node.xz" > "$work/bin/node" && chmod +x "$work/bin/node"
tar -C "$work" -xJf "$carry/app.tar.xz"
export PATH="$work/bin:$PATH"
export LD_LIBRARY_PATH="$work/lib:/usr/local/nvidia/lib64:/usr/local/nvidia/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
nvidia_icd=$(ls /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd*.json /usr/share/vulkan/icd.d/nvidia_icd*.json /etc/vulkan/icd.d/nvidia_icd*.json 2>/dev/null | head -1)
export VK_DRIVER_FILES=${VK_DRIVER_FILES:-$nvidia_icd}
export VK_ICD_FILENAMES=$VK_DRIVER_FILES   # the older loaders' name for it
# Dawn hides shader-f16 on NVIDIA's Vulkan driver unless this toggle is on (Chrome leaves it off).
export DAWN_FLAGS=${DAWN_FLAGS-enable-dawn-features=vulkan_enable_f16_on_nvidia}

echo "== machine: $(date -u +%FT%TZ), node $(node --version), $(nproc) cores, Vulkan driver file '${VK_DRIVER_FILES}', Dawn flags '${DAWN_FLAGS}'"
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv
if [ -n "$VK_DRIVER_FILES" ]; then cat "$VK_DRIVER_FILES"; echo; else
  echo "no NVIDIA Vulkan driver file where expected; found:"; find /usr /etc -name '*icd*.json' 2>/dev/null | head; fi

# part NAME SECONDS COMMAND...: one part under its limit (timeout ends the whole process group).
part() {
  local name=$1 limit=$2; shift 2
  if [ -n "${GPU_PARTS:-}" ] && [[ " $GPU_PARTS " != *" $name "* ]]; then return; fi
  echo "== $name (limit ${limit} s)"
  local start=$SECONDS
  timeout -k 5 "$limit" "$@"
  echo "== $name: exit $?, $((SECONDS - start)) s"
}
cd "$work/app"
part probe "${T_PROBE:-40}" node dist/bench/gpu.js probe | tee "$work/probe.log"
if grep -q '^skipped' "$work/probe.log"; then
  # No adapter: what the Vulkan loader saw, and what the driver's library lacks.
  VK_LOADER_DEBUG=error,warn,driver timeout 30 node dist/bench/gpuSide.js probe 2>&1 | tail -40
  icd_lib=$(sed -n 's/.*"library_path": *"\([^"]*\)".*/\1/p' "${VK_DRIVER_FILES:-/dev/null}" 2>/dev/null)
  [ -n "$icd_lib" ] && for d in ${LD_LIBRARY_PATH//:/ }; do [ -e "$d/$icd_lib" ] && ldd "$d/$icd_lib" | grep 'not found'; done
fi
part inference "${T_INFERENCE:-170}" node dist/bench/gpu.js inference
if python3 -c 'import torch, torchvision' 2>/dev/null; then
  part torch "${T_TORCH:-45}" python3 bench/torch_gpu.py "${GPU_RUNS:-20}"
else
  echo "== torch: skipped (python3 has no torch or torchvision)"
fi
part train "${T_TRAIN:-110}" node dist/bench/gpu.js train
part b3 "${T_B3:-90}" node dist/bench/gpu.js b3
