#!/usr/bin/env bash
# Train this export's phase with PyLate on every process torchrun starts; the trained model
# lands in model/ beside this script (see docs/pylate.md).
#
#   ./launch.sh [processes per node] [extra torchrun flags...]
#   ./launch.sh 8                                     # one machine, 8 GPUs
#   ./launch.sh 8 --nnodes 4 --node-rank 0 --master-addr node0 --master-port 29500   # on each node
#
# PYTHON (default: python3) names the Python with requirements.txt installed; torchrun is
# its `-m torch.distributed.run`.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
processes="${1:-1}"
shift || true
exec "${PYTHON:-python3}" -m torch.distributed.run --nproc-per-node "$processes" "$@" \
  "$here/train.py" "$here"
