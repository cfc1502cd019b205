#!/usr/bin/env bash
# The landmark branch fed by a trained 68-landmark detector (model.landmark_source: detector) on the GPU machine,
# after `bash benchmarks/gpu_learning.sh data` (same $SHEAP_WORK). Small results go to $OUT.
#   bash benchmarks/gpu_detector.sh detector S   # train the detector on the train split's annotations for S seconds
#                                                #  (DETECTOR=folder: use that detector instead), score it on the test split
#   bash benchmarks/gpu_detector.sh start        # the branch's fitted start alone (1 training step), scored on the test split
#                                                #  (BASELINES=mean: against the mean head only, about 80 s sooner)
# FIT_FRAMES=n (start and extra): fit the branch on n training frames (model.landmark_fit_frames; default 4096)
# DET_SIZE=s (detector): the detector's input side (default 112); VIT_SIZE=s (start and extra): the estimator's input
#   side (train.vit_size; default 112, the gpu-bench profile's), which is what the detector reads: raise both together
# SHAPE_GAIN=g (start and extra): the branch's fitted shape times g (model.landmark_shape_gain; default 1.0)
# then train and score with gpu_learning.sh, EXTRA as printed by `bash benchmarks/gpu_detector.sh extra`.
set -euo pipefail
W=${SHEAP_WORK:-/tmp/sheap-bench}
OUT=${OUT:-$W/out}
mkdir -p "$W" "$OUT"
HEAD=$W/head/FLAME_NEUTRAL.pkl
BRANCH="-S step.coupling=false -S model.landmarks=true -S model.landmark_source=detector -S model.landmark_detector=$W/detector \
 -S model.landmark_init=fit -S model.landmark_fit_prior=3.0e-5 -S model.landmark_fixed=true -S model.landmark_dims=128 -S model.landmark_ridge=1.0e-4 \
 -S model.landmark_fit_frames=${FIT_FRAMES:-4096} -S train.vit_size=${VIT_SIZE:-112} -S model.landmark_shape_gain=${SHAPE_GAIN:-1.0}"
case "$1" in
  detector)
    if [ -n "${DETECTOR:-}" ]; then mkdir -p "$W/detector" && cp "$DETECTOR"/detector.* "$W/detector/"
    else python -m sheap.cli train-detector --data "$W/synth" --out "$W/detector" --size ${DET_SIZE:-112} --steps ${DET_STEPS:-20000} --seconds "${2:-240}" \
           --batch ${DET_BATCH:-64} --lr ${DET_LR:-2e-3} --device cuda 2>&1 | grep -v "detector step" | tail -2
         cp "$W/detector"/detector.* "$OUT/"; fi
    python benchmarks/detector_accuracy.py --data "$W/synth" --detector "$W/detector" --split test --device cuda --out "$OUT/detector_accuracy.json"
    ;;
  start)
    python -m sheap.train --profile gpu-bench -S train.head_model=$HEAD -S train.data_dir=$W/synth -S train.out=$W/start -S train.steps=1 \
      -S train.eval_every=0 -S train.image_every=0 -S train.metrics=$OUT/start_train.json -S train.progress=false $BRANCH --overwrite 2>&1 | grep "landmark branch\|trained" || true
    python -m sheap.cli evaluate --data "$W/synth" --model "$W/start" --split test --max-frames "${2:-4}" --baselines "${BASELINES:-all}" --device cuda --out "$OUT/learning_start.json"
    ;;
  extra) echo "$BRANCH";;
  *) echo "unknown phase $1"; exit 2;;
esac
