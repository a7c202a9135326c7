#!/usr/bin/env bash
# The WebGPU training bench on a GPU machine without npm or network, from what
# `bash bench/gpu/pack.sh` put in .gpu/ (carried beside the repository's files):
#
#   bash bench/gpu/run.sh          # from the repository root; STEPS=20 WARMUP=3 by default
#
# Installs the Vulkan loader and libglvnd from .gpu/debs when ldconfig has no libvulkan.so.1,
# points Vulkan and EGL at the NVIDIA driver's files under /usr/local/nvidia when the system has
# none, prints the GPUs and the adapter Dawn sees, then runs
#   bench train --backends webgpu,wasm --methods simclr --encoders cnn
# (wasm with one XNNPACK thread per core, PRETEXT_WASM_THREADS, as the CPU baseline of the same run;
# the PyTorch CUDA and CPU figures come with it when python3 imports torch). Everything is also
# written to $OUT/gpu-check.log when $OUT is set.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
gpu=$root/.gpu
STEPS=${STEPS:-20}
WARMUP=${WARMUP:-3}
BENCH_TIMEOUT=${BENCH_TIMEOUT:-420}
log=/dev/null
if [[ -n ${OUT:-} ]]; then
  mkdir -p "$OUT"
  log=$OUT/gpu-check.log
fi

die() { echo "run.sh: FAILED: $*" >&2; exit 1; }

# xz where it exists, else python3's lzma.
unxz_to() {
  if command -v xz >/dev/null; then xz -dc "$1" >"$2"
  elif command -v python3 >/dev/null; then python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2], "wb"))' "$1" "$2"
  else die "neither xz nor python3 to decompress $1"
  fi
}

main() {
  echo "== $(date -u +%FT%TZ) $(uname -srm), $(nproc) cores, $(. /etc/os-release 2>/dev/null && echo "${PRETTY_NAME:-?}")"
  local need=(bench.mjs node.xz torch_throughput.py node_modules/webgpu/index.js
    node_modules/webgpu/dist/linux-x64/dawn.node.xz node_modules/@tensorflow/tfjs-backend-wasm/package.json)
  [[ -d $gpu ]] || die ".gpu/ is missing: run 'bash bench/gpu/pack.sh' where npm is, and carry .gpu"
  for f in "${need[@]}"; do
    [[ -f $gpu/$f ]] || die ".gpu/$f is missing: run 'bash bench/gpu/pack.sh' again and carry .gpu"
  done

  echo "== Vulkan loader"
  if ldconfig -p | grep -q libvulkan.so.1; then
    echo "libvulkan.so.1 present: $(ldconfig -p | awk '/libvulkan\.so\.1 / { print $NF; exit }')"
  else
    compgen -G "$gpu/debs/*.deb" >/dev/null || die "no libvulkan.so.1 here and no .gpu/debs/*.deb to install it from"
    command -v dpkg >/dev/null || die "no libvulkan.so.1 here and no dpkg to unpack .gpu/debs"
    [[ $(id -u) == 0 ]] || die "no libvulkan.so.1 here, and unpacking .gpu/debs into / needs root"
    for f in "$gpu"/debs/*.deb; do
      echo "unpacking $(basename "$f")"
      dpkg -x "$f" /
    done
    ldconfig
    ldconfig -p | grep -q libvulkan.so.1 || die "libvulkan.so.1 still not found after unpacking .gpu/debs"
  fi

  # The NVIDIA driver as containers mount it: libraries, Vulkan ICD and EGL vendor file under
  # /usr/local/nvidia, which the loaders do not search.
  local nv=/usr/local/nvidia
  for d in "$nv/lib64" "$nv/lib"; do
    if [[ -d $d && ":${LD_LIBRARY_PATH:-}:" != *":$d:"* ]]; then export LD_LIBRARY_PATH=$d${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}; fi
  done
  if [[ -z ${VK_DRIVER_FILES:-}${VK_ICD_FILENAMES:-} && -f $nv/share/vulkan/icd.d/nvidia_icd.json ]] \
    && ! compgen -G "/usr/share/vulkan/icd.d/nvidia*.json" >/dev/null && ! compgen -G "/etc/vulkan/icd.d/nvidia*.json" >/dev/null; then
    export VK_DRIVER_FILES=$nv/share/vulkan/icd.d/nvidia_icd.json VK_ICD_FILENAMES=$nv/share/vulkan/icd.d/nvidia_icd.json
  fi
  if [[ -z ${__EGL_VENDOR_LIBRARY_FILENAMES:-} && -f $nv/share/glvnd/egl_vendor.d/10_nvidia.json ]] \
    && ! compgen -G "/usr/share/glvnd/egl_vendor.d/*nvidia*.json" >/dev/null && ! compgen -G "/etc/glvnd/egl_vendor.d/*nvidia*.json" >/dev/null; then
    export __EGL_VENDOR_LIBRARY_FILENAMES=$nv/share/glvnd/egl_vendor.d/10_nvidia.json
  fi
  echo "Vulkan ICDs: ${VK_DRIVER_FILES:-$(ls /usr/share/vulkan/icd.d/ /etc/vulkan/icd.d/ 2>/dev/null | grep json | tr '\n' ' ')}"
  echo "EGL vendors: ${__EGL_VENDOR_LIBRARY_FILENAMES:-$(ls /usr/share/glvnd/egl_vendor.d/ /etc/glvnd/egl_vendor.d/ 2>/dev/null | grep json | tr '\n' ' ')}"

  echo "== node, dawn.node"
  local tmp=/tmp/pretext-gpu
  mkdir -p "$tmp"
  unxz_to "$gpu/node.xz" "$tmp/node"
  chmod +x "$tmp/node"
  local dawn=$gpu/node_modules/webgpu/dist/linux-x64/dawn.node
  [[ -f $dawn ]] || unxz_to "$dawn.xz" "$dawn"
  # dawn.node needs GLIBCXX_3.4.30 (GCC 12's libstdc++); use the packed one where the system's is older.
  local cxx
  cxx=$(ldconfig -p | awk '/libstdc\+\+\.so\.6 .*x86-64/ { print $NF; exit }')
  if [[ -z $cxx ]] || ! grep -qa GLIBCXX_3.4.30 "$(readlink -f "$cxx")"; then
    mkdir -p "$tmp/lib"
    unxz_to "$gpu/lib/libstdc++.so.6.xz" "$tmp/lib/libstdc++.so.6"
    export LD_LIBRARY_PATH=$tmp/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
    echo "system libstdc++ lacks GLIBCXX_3.4.30: using the packed one"
  fi
  local node=$tmp/node
  "$node" --version || die "the packed node does not run here"

  echo "== GPUs"
  if command -v nvidia-smi >/dev/null; then nvidia-smi -L || echo "nvidia-smi -L failed"; else echo "nvidia-smi: not found"; fi

  echo "== the adapter Dawn sees (powerPreference: high-performance)"
  local probe='
    const { create, globals } = await import(process.argv[1]);
    Object.assign(globalThis, globals);
    const adapter = await create([]).requestAdapter({ powerPreference: "high-performance" });
    if (!adapter) { console.log("no adapter"); process.exit(3); }
    const i = adapter.info;
    console.log(JSON.stringify({ vendor: i.vendor, architecture: i.architecture, device: i.device, description: i.description,
      isFallbackAdapter: i.isFallbackAdapter, maxBufferSize: adapter.limits.maxBufferSize,
      timestampQuery: adapter.features.has("timestamp-query") }));
    process.exit(i.isFallbackAdapter || i.architecture === "software" || /llvmpipe|swiftshader/i.test(i.description) ? 4 : 0);'
  local rc=0
  timeout 60 "$node" --input-type=module -e "$probe" "$gpu/node_modules/webgpu/index.js" || rc=$?
  if [[ $rc != 0 ]]; then
    echo "(no hardware adapter, exit $rc: the webgpu row will be skipped or run on software)"
    if command -v nvidia-smi >/dev/null; then
      echo "-- Vulkan loader's view (VK_LOADER_DEBUG=error,warn,driver), last 40 lines:"
      VK_LOADER_DEBUG=error,warn,driver timeout 60 "$node" --input-type=module -e "$probe" "$gpu/node_modules/webgpu/index.js" 2>&1 | tail -40 || true
    fi
  fi

  echo "== PyTorch"
  if command -v python3 >/dev/null; then
    export PRETEXT_PYTHON=${PRETEXT_PYTHON:-$(command -v python3)}
    "$PRETEXT_PYTHON" -c 'import torch; print("torch", torch.__version__, "cuda:", torch.cuda.is_available(), torch.cuda.get_device_name(0) if torch.cuda.is_available() else "")' \
      || echo "python3 cannot import torch: no PyTorch figures"
  else
    echo "python3: not found: no PyTorch figures"
  fi

  echo "== bench train (steps $STEPS, warm-up $WARMUP)"
  unset PRETEXT_BACKEND
  export PRETEXT_TORCH_SCRIPT=$gpu/torch_throughput.py
  # One XNNPACK thread per core: the strongest single-process CPU figure (and, as it is set, the
  # bench skips its tsx child process and worker-thread rows, which a bundle cannot start).
  export PRETEXT_WASM_THREADS=${PRETEXT_WASM_THREADS:-$(nproc)}
  echo "PRETEXT_WASM_THREADS=$PRETEXT_WASM_THREADS"
  local started=$SECONDS
  timeout "$BENCH_TIMEOUT" "$node" "$gpu/bench.mjs" train --backends webgpu,wasm --methods simclr --encoders cnn \
    --steps "$STEPS" --warmup "$WARMUP" || die "the bench exited with status $? (124: over BENCH_TIMEOUT=${BENCH_TIMEOUT}s)"
  echo "== done in $((SECONDS - started)) s of bench"
}

main 2>&1 | tee "$log"
