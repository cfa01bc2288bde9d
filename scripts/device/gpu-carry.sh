#!/usr/bin/env bash
# Assembles, from this checkout, what scripts/device/gpu-bench.sh needs to run bench/gpu.ts on a
# bare GPU machine that has no Node and no network: Node itself (xz), the compiled benchmark and
# library (dist/src, dist/bench, dist/test/support), the node_modules it loads (onnxruntime-web's
# WebGPU bundle and Node build with their .wasm, the `webgpu` package's linux-x64 dawn.node, and
# the core's pure-JS dependencies; not onnxruntime-node or sharp), bench/torch_gpu.py with the
# reference network it imports, and a Vulkan loader with the libraries NVIDIA's driver may want.
# Prints the folder's size: a device call carries at most 64 MiB with the repository.
#
#   scripts/device/gpu-carry.sh /path/to/repo/.gpu      (a folder the repository's git ignores)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
dest=${1:?usage: gpu-carry.sh DEST (a folder that .git/info/exclude ignores, e.g. <repo>/.gpu)}
node_bin=${NODE:-$(command -v node)}
cd "$root"
[ -f node_modules/webgpu/dist/linux-x64/dawn.node ] || { echo "node_modules/webgpu is missing: npm ci (it is a dev dependency)" >&2; exit 1; }
npx tsc -p .

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
app=$stage/app
mkdir -p "$app/dist/test" "$app/node_modules/onnxruntime-web/dist" "$app/node_modules/webgpu/dist/linux-x64" "$app/bench" "$app/scripts" "$stage/lib"
cp -r dist/src dist/bench "$app/dist/"
cp -r dist/test/support "$app/dist/test/"
find "$app/dist" \( -name '*.map' -o -name '*.d.ts' \) -delete
cp package.json "$app/"
web=node_modules/onnxruntime-web
cp $web/package.json "$app/$web/"
# The browser build's WebGPU bundle and its wasm (what the library runs), and the Node build's threaded wasm (the CPU peer).
cp $web/dist/ort.webgpu.bundle.min.mjs $web/dist/ort-wasm-simd-threaded.asyncify.{mjs,wasm} \
   $web/dist/ort.node.min.mjs $web/dist/ort-wasm-simd-threaded.{mjs,wasm} "$app/$web/dist/"
cp node_modules/webgpu/{package.json,index.js} "$app/node_modules/webgpu/"
cp node_modules/webgpu/dist/linux-x64/dawn.node "$app/node_modules/webgpu/dist/linux-x64/"
# The core's pure-JS dependencies (the Node platform's native ones stay behind: the benchmark runs the browser's).
for dep in fflate pathe protobufjs long onnxruntime-common; do cp -r node_modules/$dep "$app/node_modules/"; done
cp bench/torch_gpu.py "$app/bench/"
cp scripts/reference_efficientnet.py "$app/scripts/"

# Dawn opens libvulkan.so.1, and NVIDIA's Vulkan driver may want GL dispatch and X11 client
# libraries; a bare GPU machine's image may lack them: Debian's packages, unpacked (no scripts run).
(cd "$stage" && apt-get download libvulkan1 libglvnd0 libglx0 libgl1 libegl1 libx11-6 libxext6 libxcb1 libxau6 libxdmcp6 libbsd0 libmd0 >/dev/null 2>&1 \
  && for deb in *.deb; do dpkg -x "$deb" deb; done && rm ./*.deb) || { echo "apt-get download of the Vulkan loader failed" >&2; exit 1; }
cp -P "$stage"/deb/usr/lib/x86_64-linux-gnu/*.so* "$stage/lib/"
rm -rf "$stage/deb"

mkdir -p "$dest"
rm -f "$dest"/{app.tar.xz,gpu-bench.sh}
[ "$dest/node.xz" -nt "$node_bin" ] || xz -T0 -6 -c "$node_bin" > "$dest/node.xz"   # slow: kept from an earlier run
tar -C "$stage" -cf - app lib | xz -T0 -6 > "$dest/app.tar.xz"
cp scripts/device/gpu-bench.sh "$dest/"
du -b "$dest"/* | awk '{ total += $1; printf "%8.1f MiB  %s\n", $1 / 1048576, $2 } END { printf "%8.1f MiB  total\n", total / 1048576 }'
