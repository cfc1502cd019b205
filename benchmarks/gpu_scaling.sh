#!/usr/bin/env bash
# DDP scaling of `sheap train` (paper profile, data pipeline included) on one machine: 1 GPU, then N GPUs by torchrun.
# Run from the repository root on the GPU machine after the install line of README.md, section "GPU".
#   bash benchmarks/gpu_scaling.sh [N] [STEPS] [COMPILE]     (defaults 2, 300, false)
set -euo pipefail
export NCCL_NVLS_ENABLE=0 TORCH_SYMM_MEM_DISABLE_MULTICAST=1 NVSHMEM_DISABLE_NVLS=1   # the machines' rule: no NVLink multicast
N=${1:-2}; STEPS=${2:-300}; COMPILE=${3:-false}
W=${SHEAP_WORK:-/tmp/sheap-bench}; OUT=${OUT:-$W/out}; mkdir -p "$W" "$OUT"
HEAD=$W/head/FLAME_NEUTRAL.pkl
[ -e "$HEAD" ] || python -m sheap.cli make-head-model "$W/head" >/dev/null
python -m sheap.cli synth --out "$W/synth512" --model "$HEAD" --split train --videos 200 --frames 8 --size 512 --device cuda 2>&1 | tail -1
ARGS=(--profile paper -S train.head_model=$HEAD -S train.data_dir=$W/synth512 -S train.steps=$STEPS -S train.compile=$COMPILE
      -S train.eval_every=0 -S train.image_every=0 -S train.ckpt_every=100000 -S train.log_every=50 -S train.progress=false --overwrite)
python -m sheap.train "${ARGS[@]}" -S train.out=$W/g1 -S train.metrics=$OUT/scaling_1gpu.json 2>&1 | tail -1
python -m torch.distributed.run --standalone --nproc-per-node "$N" -m sheap.train "${ARGS[@]}" -S train.out=$W/g$N \
  -S train.metrics=$OUT/scaling_${N}gpu.json 2>&1 | grep -v "^WARNING sheap" | tail -2
python - "$OUT" "$N" <<'PY'
import json, sys
out, n = sys.argv[1], int(sys.argv[2])
a, b = json.load(open(f"{out}/scaling_1gpu.json")), json.load(open(f"{out}/scaling_{n}gpu.json"))
r = dict(gpus=n, steps_per_s_1gpu=a["steps_per_s"], steps_per_s_ngpu=b["steps_per_s"], world=b["world"],
         images_per_s_1gpu=a["steps_per_s"] * 8, images_per_s_ngpu=b["steps_per_s"] * 8 * b["world"],
         throughput_ratio=b["steps_per_s"] * b["world"] / a["steps_per_s"])
print(json.dumps(r)); json.dump(r, open(f"{out}/scaling.json", "w"), indent=1)
PY
