#!/usr/bin/env bash
# Does the estimator carry shape to new people when it cannot memorise its training people? The supervised reference
# (benchmarks/supervised_shape.py) on many identities: one `sheap synth` per GPU writes N identities x 2 frames at
# 128 px (seeds 1000 + GPU), then one estimator per GPU trains for S seconds on the true codes of all of them pooled
# (or, the controls, of the first K of GPU 0's), and each is scored on the same 200 test identities x 4 frames.
#   bash benchmarks/gpu_supervised_many.sh S [N]
# RUNS: "encoder:lr:identities[:seed] ..." (identities: all, or a number K); EVAL_AT: the steps scored before the end.
# Data already on the machine's disk is reused. Loading 64,000 frames takes each run about 2-3 minutes of the command (by difference, not timed).
set -euo pipefail
W=${SHEAP_WORK:-/tmp/sheap-bench}
OUT=${OUT:-$W/out}
N=${2:-8000}
G=$(nvidia-smi -L | wc -l)
mkdir -p "$W/logs" "$OUT"            # logs stay on the machine (at most 8 files come back)
HEAD=$W/head/FLAME_NEUTRAL.pkl
[ -e "$HEAD" ] || python -m sheap.cli make-head-model "$W/head" > /dev/null
if [ ! -e "$W/many_test/manifest.json" ]; then
  t0=$(date +%s.%N)
  for g in $(seq 0 $((G - 1))); do
    CUDA_VISIBLE_DEVICES=$g python -m sheap.cli synth --out "$W/many$g" --model "$HEAD" --split train --videos "$N" --frames 2 \
      --size 128 --seed $((1000 + g)) --device cuda > "$W/logs/synth_many$g.log" 2>&1 &
  done
  wait
  t1=$(date +%s.%N)
  CUDA_VISIBLE_DEVICES=0 python -m sheap.cli synth --out "$W/many_test" --model "$HEAD" --split test --videos 200 --frames 4 \
    --size 256 --device cuda 2>&1 | tail -1
  python - "$t0" "$t1" "$N" "$G" <<'PY' | tee "$OUT/synth_many.json"
import json, sys
t0, t1, n, g = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
print(json.dumps(dict(identities=n * g, frames=2 * n * g, size=128, gpus=g, seconds=round(t1 - t0, 1), frames_per_s=round(2 * n * g / (t1 - t0), 1))))
PY
fi
ALL=$(for g in $(seq 0 $((G - 1))); do echo -n "$W/many$g "; done)
i=0
for r in ${RUNS:-tiny:1e-4:all tiny:1e-4:all:1 tiny:5e-5:all small:5e-5:all}; do
  IFS=: read -r enc lr ids seed <<< "$r"; seed=${seed:-0}
  if [ "$ids" = all ]; then data=$ALL; lim=; else data=$W/many0; lim="--max-videos $ids"; fi
  name=many_${enc}_${lr}_${ids}_s${seed}
  CUDA_VISIBLE_DEVICES=$((i % G)) python benchmarks/supervised_shape.py --data $data $lim --test "$W/many_test" --head-model "$HEAD" \
    --encoder "$enc" --vit-size 112 --batch "${BATCH:-64}" --lr "$lr" --seed "$seed" --seconds "${1:-300}" \
    --eval-at ${EVAL_AT:-5000 10000 15000} --test-frames 4 --device cuda --workers 16 --out "$OUT/$name.json" > "$W/logs/$name.log" 2>&1 &
  i=$((i + 1))
done
wait
tail -n 3 "$W"/logs/many_*.log
