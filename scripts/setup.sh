#!/usr/bin/env bash
# One-time setup on a fresh Debian/Ubuntu machine with Node.js and npm:
#   apt: Jupyter (nbconvert + the kernel client), mesa's software Vulkan driver (a WebGPU
#        adapter for the webgpu backend on machines without a GPU), OpenBLAS (fast matrix
#        products through Deno's FFI), Chromium (static SVG/PNG figures from plotly.js);
#   npm: Deno itself, TensorFlow.js and the other pinned packages (package-lock.json);
#   the Deno Jupyter kernel, registered with this checkout's own deno binary.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
APT_PACKAGES=(
  jupyter-nbconvert python3-nbclient jupyter-client python3-ipykernel
  mesa-vulkan-drivers libvulkan1 libopenblas0 chromium
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

echo "setup: registering the Deno Jupyter kernel"
npx deno jupyter --install --force >/dev/null 2>&1
echo "setup: done ($(npx deno --version | head -1))"
