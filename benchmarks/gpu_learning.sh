#!/usr/bin/env bash
# The GPU learning run of the training issue, in phases that each fit one 10-minute command of the GPU machine
# (its /tmp survives between commands while the machine stays warm). Run from the repository root on the GPU
# machine after the install line of README.md, section "GPU"; small results go to $OUT.
#   bash benchmarks/gpu_learning.sh data      # head model + gpu-bench synthetic data (2,000 / 100 / 200 identities;
#                                             #  TRAIN_VIDEOS, TRAIN_FRAMES, TEST_FRAMES change the sizes: 2000, 8, 16)
#   bash benchmarks/gpu_learning.sh train S   # train (or resume) the gpu-bench profile for at most S seconds
#                                             # (GPUS=n: DDP over n GPUs by torchrun, n x the images per step;
#                                             #  EXTRA="-S step.coupling=false ...": more overrides;
#                                             #  EVAL_FRAMES=F: score the test split in the same command, so a
#                                             #  machine given back before the next command loses no result)
#   bash benchmarks/gpu_learning.sh eval [F]  # test identities, F frames each (default 4): mean head, landmark fit, the model
#                                             #  (BASELINES=mean: the mean head only, about 80 s sooner)
#   bash benchmarks/gpu_learning.sh curves    # the run's DVCLive curves (loss terms, validation errors vs step) as one JSON
#   bash benchmarks/gpu_learning.sh speed     # paper profile with the data pipeline: steps/s
set -euo pipefail
W=${SHEAP_WORK:-/tmp/sheap-bench}
OUT=${OUT:-$W/out}
mkdir -p "$W" "$OUT"
HEAD=$W/head/FLAME_NEUTRAL.pkl
RUN=(--profile gpu-bench -S train.head_model=$HEAD -S train.data_dir=$W/synth -S train.out=$W/run -S train.metrics=$OUT/train_gpu.json -S train.progress=false)
case "$1" in
  data)
    python -m sheap.cli make-head-model "$W/head"
    t0=$(date +%s.%N)
    NV=${TRAIN_VIDEOS:-2000}; NF=${TRAIN_FRAMES:-8}
    python -m sheap.cli synth --out "$W/synth" --model "$HEAD" --split train --videos $NV --frames $NF --size 256 --device cuda 2>&1 | tail -1
    t1=$(date +%s.%N)
    python -m sheap.cli synth --out "$W/synth" --model "$HEAD" --split val --videos 100 --frames 4 --size 256 --device cuda 2>&1 | tail -1
    python -m sheap.cli synth --out "$W/synth" --model "$HEAD" --split test --videos 200 --frames ${TEST_FRAMES:-16} --size 512 --device cuda 2>&1 | tail -1
    t2=$(date +%s.%N)
    python - "$t0" "$t1" "$t2" "$NV" "$NF" <<'PY' | tee "$OUT/synth_gpu_bench.json"
import json, sys
t0, t1, t2 = map(float, sys.argv[1:4]); nv, nf = map(int, sys.argv[4:])
print(json.dumps(dict(train_identities=nv, train_frames=nv * nf, train_seconds=round(t1 - t0, 1), val_test_seconds=round(t2 - t1, 1),
                      size=256, frames_per_s=round(nv * nf / (t1 - t0), 1))))
PY
    ;;
  train)
    export NCCL_NVLS_ENABLE=0 TORCH_SYMM_MEM_DISABLE_MULTICAST=1 NVSHMEM_DISABLE_NVLS=1   # the machines' rule: no NVLink multicast
    # build gsplat's CUDA extension once, here: n torchrun ranks building it at the same time race on its build folder
    python -c "from gsplat.cuda._backend import _C; assert _C is not None, 'gsplat CUDA extension did not build'"
    python -m torch.distributed.run --standalone --nproc-per-node "${GPUS:-1}" -m sheap.train "${RUN[@]}" -S train.time_limit="${2:-500}" ${EXTRA:-} $( [ -e "$W/run/checkpoints/latest" ] && echo --resume ) 2>&1 | grep -v "^WARNING sheap" | tail -5
    bash "$0" curves
    if [ -n "${EVAL_FRAMES:-}" ]; then bash "$0" eval "$EVAL_FRAMES"; fi
    ;;
  eval)
    python -m sheap.cli evaluate --data "$W/synth" --model "$W/run/checkpoints/$(cat $W/run/checkpoints/latest)" --split test --max-frames "${2:-4}" --baselines "${BASELINES:-all}" --device cuda --out "$OUT/learning_gpu.json"
    ;;
  curves)
    python - "$W/run/dvclive/plots/metrics" <<'PY' > "$OUT/curves_gpu.json"
import json, sys
from pathlib import Path
root = Path(sys.argv[1])
curves = {}
for f in sorted(root.rglob("*.tsv")):
    header, *rows = [l.split("\t") for l in f.read_text().splitlines() if l.strip()]
    curves[str(f.relative_to(root).with_suffix(""))] = dict(header=header, rows=[[float(x) for x in r] for r in rows])
print(json.dumps(curves))
PY
    ;;
  speed)
    python -m sheap.cli synth --out "$W/synth512" --model "$HEAD" --split train --videos 200 --frames 8 --size 512 --device cuda 2>&1 | tail -1
    python -m sheap.train --profile paper -S train.head_model=$HEAD -S train.data_dir=$W/synth512 -S train.out=$W/speed -S train.steps=${2:-600} \
      -S train.eval_every=0 -S train.image_every=0 -S train.ckpt_every=100000 -S train.log_every=50 -S train.metrics=$OUT/speed_paper.json \
      -S train.progress=false --overwrite 2>&1 | grep -v "^WARNING sheap.train: assets" | tail -3
    cp "$W/speed/dvclive/plots/metrics/train/steps_per_s.tsv" "$OUT/speed_paper_steps_per_s.tsv"
    ;;
  *) echo "unknown phase $1"; exit 2;;
esac
