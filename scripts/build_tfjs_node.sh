#!/usr/bin/env bash
# The optional `tensorflow` backend: @tensorflow/tfjs-node 4.22.0 (VARIANT=gpu: tfjs-node-gpu)
# built against TensorFlow's own C library, taken from a pinned PyPI wheel. Package registries
# only: tfjs-node's own install script would download libtensorflow 2.9.1 and a prebuilt addon
# from storage.googleapis.com, so it runs with its downloads turned off, on these files:
#   - the npm packages, pinned by scripts/tfjs_node/package-lock.json (npm ci --ignore-scripts);
#   - libtensorflow_cc.so.2, libtensorflow_framework.so.2 and the C API headers unzipped from
#     the wheel in scripts/tfjs_node/requirements-$VARIANT.txt (pinned with SHA-256; since TF
#     2.12 the wheel's libtensorflow_cc exports the whole TF_*/TFE_* C API tfjs-node calls);
#   - gpu: the nvidia-*-cu12 wheels of tensorflow[and-cuda], unzipped to deps/nvidia/<x>/lib,
#     where the TF wheel's RUNPATH ($ORIGIN/../nvidia/<x>/lib) looks. libcuda.so.1 (the
#     driver) comes from the host.
# Everything lands in .tfjs-node/ (1.1 GB for cpu; 8.7 GB for gpu, 3.3 GB of it wheels), outside
# node_modules/, so `npm ci` does not remove it and package.json stays as it is; the project
# sees it through one symlink, node_modules/@tensorflow/tfjs-node(-gpu), which this script
# (re)makes: run it after npm ci. Once built, a rerun only checks the link (a few seconds).
#
# usage: [VARIANT=cpu|gpu] scripts/build_tfjs_node.sh
# needs: x86_64 Linux, node + npm (npm's bundled node-gyp) with node's headers, g++, make,
#        python3 with pip, unzip.
set -euo pipefail
SCRIPT=$(readlink -f "$0")
cd "$(dirname "$SCRIPT")/.."
REPO=$PWD
VARIANT=${VARIANT:-cpu}
case "$VARIANT" in
  cpu) PACKAGE=tfjs-node ;;
  gpu) PACKAGE=tfjs-node-gpu ;;
  *) echo "build_tfjs_node: VARIANT must be cpu or gpu, not '$VARIANT'" >&2; exit 2 ;;
esac
PINS=$REPO/scripts/tfjs_node
REQUIREMENTS=$PINS/requirements-$VARIANT.txt
WHEELS=$REPO/.tfjs-node/wheels
WORK=$REPO/.tfjs-node/$VARIANT
ADDON=$WORK/node_modules/@tensorflow/$PACKAGE
LINK=$REPO/node_modules/@tensorflow/$PACKAGE
# What the build was made from: a change to any pin (or to this script) rebuilds.
STAMP_VALUE=$(cat "$PINS/package-lock.json" "$REQUIREMENTS" "$SCRIPT" | sha256sum | cut -d' ' -f1)
STAMP=$ADDON/deps/built-from
log() { echo "build_tfjs_node ($VARIANT): $*"; }
fail() { echo "build_tfjs_node ($VARIANT): $*" >&2; exit 1; }

[ -d "$REPO/node_modules/@tensorflow/tfjs" ] || fail "run npm ci first (the addon uses its tfjs)"

# The wheel file pip saved for the pin `name==version` at the start of a requirements line.
wheel_of() {
  local name=${1%%==*}
  ls "$WHEELS/${name//-/_}-${1#*==}-"*.whl
}

built() { [ "$(cat "$STAMP" 2>/dev/null)" = "$STAMP_VALUE" ] && ls "$ADDON"/lib/napi-v*/tfjs_binding.node >/dev/null 2>&1; }

build() {
  [ "$(uname -sm)" = "Linux x86_64" ] || fail "the pinned wheels are for x86_64 Linux, not $(uname -sm)"
  local tool
  for tool in node npm g++ make unzip python3; do
    command -v "$tool" >/dev/null || fail "needs $tool (Debian: apt-get install g++ make unzip python3-pip)"
  done
  # node-gyp compiles against these headers; without them it would download them from nodejs.org.
  local node_dir
  node_dir=$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")
  [ -f "$node_dir/include/node/node_api.h" ] ||
    fail "needs node's headers in $node_dir/include/node (Debian's own nodejs: libnode-dev)"
  local node_gyp
  node_gyp=$(dirname "$(readlink -f "$(command -v npm)")")/../node_modules/node-gyp/bin/node-gyp.js
  [ -f "$node_gyp" ] || fail "needs npm's bundled node-gyp ($node_gyp)"

  log "wheels (pip download, checked against their SHA-256; not installed)"
  python3 -m pip download --quiet --require-hashes --no-deps --only-binary=:all: \
    --python-version 3.11 --platform manylinux_2_27_x86_64 --platform manylinux_2_17_x86_64 \
    --platform manylinux2014_x86_64 --platform manylinux2010_x86_64 \
    -d "$WHEELS" -r "$REQUIREMENTS"

  log "npm packages (npm ci --ignore-scripts in .tfjs-node/$VARIANT)"
  mkdir -p "$WORK"
  cp "$PINS/package.json" "$PINS/package-lock.json" "$WORK/"
  (cd "$WORK" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
  # tfjs-node must register its backend with the project's own tfjs: a second copy would be a
  # second engine. Without these, Node's lookup from the addon's folder continues upwards,
  # from .tfjs-node/$VARIANT/node_modules to the repository's node_modules.
  find "$WORK/node_modules/@tensorflow" -mindepth 1 -maxdepth 1 ! -name "$PACKAGE" \
    -exec rm -rf {} +

  log "TensorFlow's C library and headers into $PACKAGE/deps"
  local pin
  rm -rf "$ADDON/deps" && mkdir -p "$ADDON/deps/lib" "$ADDON/deps/include"
  # The C API's headers and the ones they include (where TF 2.21 keeps them).
  unzip -q -o "$(wheel_of "$(grep -o '^tensorflow[-a-z]*==[^ ]*' "$REQUIREMENTS")")" \
    -d "$ADDON/deps/wheel" \
    'tensorflow/libtensorflow_cc.so.2' 'tensorflow/libtensorflow_framework.so.2' \
    'tensorflow/include/tensorflow/c/*' 'tensorflow/include/tensorflow/core/platform/ctstring*' \
    'tensorflow/include/tsl/platform/ctstring*' 'tensorflow/include/xla/tsl/c/*'
  mv "$ADDON"/deps/wheel/tensorflow/*.so.2 "$ADDON/deps/lib/"
  mv "$ADDON"/deps/wheel/tensorflow/include/* "$ADDON/deps/include/"
  rm -rf "$ADDON/deps/wheel"
  # binding.gyp links -ltensorflow -ltensorflow_framework; install.js takes the presence of
  # libtensorflow.so.2.9.1 (the version it pins) as "libtensorflow is here, download nothing".
  ln -s libtensorflow_cc.so.2 "$ADDON/deps/lib/libtensorflow.so"
  ln -s libtensorflow_cc.so.2 "$ADDON/deps/lib/libtensorflow.so.2.9.1"
  ln -s libtensorflow_framework.so.2 "$ADDON/deps/lib/libtensorflow_framework.so"
  if [ "$VARIANT" = gpu ]; then
    for pin in $(grep -o '^nvidia-[^ ]*' "$REQUIREMENTS"); do
      unzip -q -o "$(wheel_of "$pin")" 'nvidia/*' -d "$ADDON/deps"
    done
  fi

  log "compiling the addon (node-gyp)"
  # build_from_source: node-pre-gyp builds rather than fetching a prebuilt addon;
  # nodedir: node-gyp uses the installed headers; install.js's "cpu"/"gpu" without
  # "download" keeps the deps/ staged above.
  (cd "$ADDON" && npm_config_build_from_source=true npm_config_nodedir="$node_dir" \
    npm_config_node_gyp="$node_gyp" PATH="$WORK/node_modules/.bin:$PATH" \
    node scripts/install.js "$VARIANT")
  ls "$ADDON"/lib/napi-v*/tfjs_binding.node >/dev/null || fail "node-gyp made no addon"
  echo "$STAMP_VALUE" >"$STAMP"
}

if built; then log "already built in .tfjs-node/$VARIANT"; else build; fi
if [ -e "$LINK" ] && [ ! -L "$LINK" ]; then
  fail "$LINK is an npm install of its own; remove it (npm uninstall) and rerun"
fi
# Relative, so that the checkout can move.
ln -sfn "../../.tfjs-node/$VARIANT/node_modules/@tensorflow/$PACKAGE" "$LINK"
log "linked $LINK"
# The check that matters: the suite's own backend code starts it under Deno and computes.
# TensorFlow's errors stay on stderr (gpu: "failed call to cuInit" means no usable GPU, and
# TensorFlow computes on the CPU), its start-up notices do not.
"$REPO/node_modules/.bin/deno" eval --ext=ts --quiet '
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "./lib/compute/backend.ts";
await initBackend("tensorflow");
const product = tf.matMul([[1, 2], [3, 4]], [[5, 6], [7, 8]]).arraySync();
if (JSON.stringify(product) !== "[[19,22],[43,50]]") throw new Error(`matMul gave ${product}`);
const { TF_Version } = (tf.backend() as unknown as { binding: { TF_Version: string } }).binding;
console.log(`build_tfjs_node: the tensorflow backend runs (TensorFlow ${TF_Version})`);
' 2> >(grep -v "^WARNING: All log messages\|^I0000\|^To enable the following" >&2)
