#!/usr/bin/env bash
# Packs the WebGPU training bench for a GPU machine that has no npm and no network (the device
# machine): run here, from anywhere in the repo, then carry the git-ignored .gpu/ there and run
# `bash bench/gpu/run.sh` from the repository root.
#
#   .gpu/bench.mjs          esbuild bundle of `bench train` (bench/train.ts; tfjs and Pretext inside it)
#   .gpu/node_modules/      what the bundle leaves external: `webgpu` (its linux-x64 dawn.node as
#                           dawn.node.xz) and tfjs-backend-wasm's .wasm files and threaded glue
#   .gpu/node.xz            this node binary
#   .gpu/lib/               this libstdc++ (dawn.node needs GLIBCXX_3.4.30; used only where the device's is older)
#   .gpu/torch_throughput.py  the PyTorch reference (../shared does not travel)
#   .gpu/debs/              Debian amd64 debs of the Vulkan loader and libglvnd
#
# SHARED=dir overrides ../shared (where tools/torch_throughput.py is).
set -euo pipefail

die() { echo "pack.sh: $*" >&2; exit 1; }

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
shared=${SHARED:-$root/../shared}
out=.gpu
esbuild=node_modules/esbuild/bin/esbuild
dawn=node_modules/webgpu/dist/linux-x64/dawn.node
wasm=node_modules/@tensorflow/tfjs-backend-wasm
debs="libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2"

command -v node >/dev/null || die "node is not on PATH"
[[ -x $esbuild ]] || die "$esbuild is missing: run npm ci first"
[[ -f $dawn ]] || die "$dawn is missing: npm's 'webgpu' package did not install its Linux binary"
[[ -f $wasm/package.json ]] || die "$wasm is missing: run npm ci first"
[[ -f $shared/tools/torch_throughput.py ]] || die "$shared/tools/torch_throughput.py is missing (set SHARED=dir)"
command -v apt-get >/dev/null || die "apt-get is needed to download the Vulkan/glvnd debs"
command -v xz >/dev/null || die "xz is needed (apt-get install -y xz-utils)"
[[ $(uname -m) == x86_64 ]] || die "the device machine is x86-64; pack on x86-64 so node and dawn.node match"

rm -rf "$out"
mkdir -p "$out/debs" "$out/lib"

echo "== bundle: $out/bench.mjs"
# bench/index.ts finds its benchmarks with readdirSync and imports them by path, which a bundle
# cannot follow: this entry is index.ts with `train` imported statically. --ignore-annotations:
# tfjs's packages mark their Node builds side-effect free, and esbuild would drop the
# `import "@tensorflow/tfjs-backend-cpu"` that registers the cpu backend. The banner gives the
# ESM bundle the `require`, `__filename` and `__dirname` of CommonJS for the code inside it that
# expects them (tfjs's node builds, Emscripten's glue).
# `webgpu` stays external by itself: it is imported through a variable specifier.
"$esbuild" --bundle --platform=node --format=esm --target=node20 --ignore-annotations \
  --tsconfig=tsconfig.json --sourcefile=bench-gpu-entry.ts --loader=ts --log-level=warning \
  "--banner:js=import { createRequire as __pretextCreateRequire } from 'node:module'; import { dirname as __pretextDirname } from 'node:path'; import { fileURLToPath as __pretextFileURLToPath } from 'node:url'; const require = __pretextCreateRequire(import.meta.url); const __filename = __pretextFileURLToPath(import.meta.url); const __dirname = __pretextDirname(__filename);" \
  --outfile="$out/bench.mjs" <<'EOF'
import { main } from "./bench/train";

const [name, ...args] = process.argv.slice(2);
if (name !== "train") {
  console.error("usage: node .gpu/bench.mjs train [args…] (only the train bench is bundled)");
  process.exit(2);
}
await main(args);
EOF

echo "== node_modules beside the bundle"
mkdir -p "$out/node_modules/webgpu/dist/linux-x64"
cp node_modules/webgpu/package.json node_modules/webgpu/index.js "$out/node_modules/webgpu/"
xz -T0 -c "$dawn" >"$out/node_modules/webgpu/dist/linux-x64/dawn.node.xz"
# workers/engine/backend finds the .wasm files (dist/) and the threaded glue (wasm-out/) through
# createRequire(import.meta.url).resolve("@tensorflow/tfjs-backend-wasm"); the code itself is in the bundle.
w=$out/node_modules/@tensorflow/tfjs-backend-wasm
mkdir -p "$w/dist" "$w/wasm-out"
cp "$wasm/package.json" "$w/"
cp "$wasm"/dist/*.wasm "$w/dist/"
cp "$wasm"/wasm-out/tfjs-backend-wasm-threaded-simd.js "$wasm"/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js "$w/wasm-out/"
main=$(node -p "require('./$wasm/package.json').main")
echo "// Placeholder: this package's code is bundled into .gpu/bench.mjs; the file only lets require.resolve find the package." >"$w/$main"

echo "== node $(node --version)"
xz -T0 -c "$(node -p process.execPath)" >"$out/node.xz"
node --version >"$out/node.version"
libstdcxx=$(ldconfig -p | awk '/libstdc\+\+\.so\.6 .*x86-64/ { print $NF; exit }')
[[ -n $libstdcxx ]] || die "libstdc++.so.6 not found by ldconfig"
xz -T0 -c "$(readlink -f "$libstdcxx")" >"$out/lib/libstdc++.so.6.xz"

cp "$shared/tools/torch_throughput.py" "$out/"

echo "== debs: $debs"
lists=/tmp/amd64
mkdir -p "$lists/partial"
o=(-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists="$lists")
apt-get "${o[@]}" -qq update || die "apt-get update failed (network?)"
# apt-get download writes to the current directory; as root it warns that it runs unsandboxed.
(cd "$out/debs" && apt-get "${o[@]}" -qq download $debs 2>&1 | grep -v 'unsandboxed' || true)
for p in $debs; do
  compgen -G "$out/debs/${p}_*_amd64.deb" >/dev/null || die "$p: deb not downloaded"
done

size=$(du -sm "$out" | cut -f1)
du -ah "$out" | sort -k2
echo "== $out: ${size} MiB (the device takes 64 MiB of carried files in all)"
(( size < 56 )) || die "$out is ${size} MiB: too close to the 64 MiB carry limit"
echo "now, on the GPU machine, from the repository root with .gpu carried: bash bench/gpu/run.sh"
