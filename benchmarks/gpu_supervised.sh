#!/usr/bin/env bash
# The supervised ceiling on the GPU machine (benchmarks/supervised_shape.py): one estimator per GPU, side by side, each
# trained on the true identity codes of the gpu-bench data for S seconds, scored on its 200 test identities.
#   bash benchmarks/gpu_learning.sh data && bash benchmarks/gpu_supervised.sh S
# RUNS: "encoder:vit_size ..." (default: tiny:112 small:112 small:224 paper:224, one GPU each, in order)
set -euo pipefail
W=${SHEAP_WORK:-/tmp/sheap-bench}
OUT=${OUT:-$W/out}
mkdir -p "$OUT"
i=0
for r in ${RUNS:-tiny:112 small:112 small:224 paper:224}; do
  enc=${r%%:*}; vit=${r##*:}
  CUDA_VISIBLE_DEVICES=$i python benchmarks/supervised_shape.py --data "$W/synth" --head-model "$W/head/FLAME_NEUTRAL.pkl" \
    --encoder "$enc" --vit-size "$vit" --batch "${BATCH:-64}" --seconds "${1:-300}" --eval-at 250 1000 4000 --device cuda --workers 12 \
    --out "$OUT/supervised_${enc}_${vit}.json" > "$OUT/supervised_${enc}_${vit}.log" 2>&1 &
  i=$((i + 1))
done
wait
tail -n 2 "$OUT"/supervised_*.log
