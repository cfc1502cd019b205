#!/usr/bin/env bash
# Training variants of the gpu-bench profile side by side, one per GPU (several per GPU when there are more runs than
# GPUs), on the data of `gpu_learning.sh data` (made here when absent); each phase fits one 10-minute command of the
# GPU machine, whose /tmp survives between commands while it stays warm. Run from the repository root on the GPU
# machine after the install line of README.md, section "GPU":
#   bash benchmarks/gpu_learning_sweep.sh train S   # train (or resume) every run for at most S seconds
#   bash benchmarks/gpu_learning_sweep.sh eval [F]  # every run's latest checkpoint on the test split (F frames per video)
# RUNS="name:overrides;name:overrides" replaces the default runs below; $OUT/sweep.json gets the validation curves
# and the last loss terms, $OUT/eval_<name>.json (and .md) the test errors.
set -euo pipefail
W=${SHEAP_WORK:-/tmp/sheap-bench}; OUT=${OUT:-$W/out}
mkdir -p "$W" "$OUT"
HEAD=$W/head/FLAME_NEUTRAL.pkl
SQ="-S train.vit_size=112 -S loss.prior=squared"
RUNS=${RUNS:-"sq3:$SQ -S loss.w_shape=1e-3 -S loss.w_expr=1e-3;sq3dense:$SQ -S loss.w_shape=1e-3 -S loss.w_expr=1e-3 -S loss.w_lmk_dense=1;sq4:$SQ -S loss.w_shape=1e-4 -S loss.w_expr=1e-4;lmkonly:$SQ -S loss.w_shape=1e-3 -S loss.w_expr=1e-3 -S loss.w_l1=0 -S loss.w_normals=0 -S loss.w_depth=0"}
NGPU=$(nvidia-smi -L | wc -l)
IFS=';' read -ra SPEC <<< "$RUNS"
case "${1:-train}" in
  train)
    [ -e "$W/synth/test" ] || bash benchmarks/gpu_learning.sh data > "$OUT/data.log" 2>&1
    python -c "from gsplat.cuda._backend import _C" 2>/dev/null || true    # build gsplat's extension once, not in racing processes
    k=0
    for s in "${SPEC[@]}"; do
      n=${s%%:*}; o=${s#*:}
      CUDA_VISIBLE_DEVICES=$((k % NGPU)) python -m sheap.train --profile gpu-bench -S train.head_model=$HEAD -S train.data_dir=$W/synth \
        -S train.out=$W/$n -S train.metrics=$OUT/train_$n.json -S train.progress=false -S train.workers=$((12 / ((${#SPEC[@]} + NGPU - 1) / NGPU))) \
        -S train.eval_every=500 -S train.image_every=0 -S train.ckpt_every=500 -S train.time_limit=${2:-300} $o \
        $( [ -e "$W/$n/checkpoints/latest" ] && echo --resume ) > "$W/$n.log" 2>&1 &
      k=$((k + 1))
    done
    wait
    python - "$W" "$OUT/sweep.json" "${SPEC[@]%%:*}" <<'PY'
import json, sys, pathlib, csv
W, out, names = pathlib.Path(sys.argv[1]), sys.argv[2], [s.split(":")[0] for s in sys.argv[3:]]
res = {}
for n in names:
    d = W / n / "dvclive" / "plots" / "metrics"; r = dict(log_tail=(W / f"{n}.log").read_text().splitlines()[-3:])
    for f in sorted(d.rglob("*.tsv")):
        rows = list(csv.reader(open(f), delimiter="\t"))[1:]
        key = str(f.relative_to(d).with_suffix(""))
        if key.startswith("val/"): r[key] = [(int(a[0]), round(float(a[-1]), 4)) for a in rows]
        elif rows: r[key] = (int(rows[-1][0]), round(sum(float(a[-1]) for a in rows[-20:]) / len(rows[-20:]), 5))
    res[n] = r
json.dump(res, open(out, "w"), indent=0)
for n, r in res.items():
    print(n, {k: v[-1] for k, v in r.items() if k in ("val/neutral_median", "val/posed_median", "val/mean_head_neutral_median", "train/shape", "train/lmk", "train/l1")})
PY
    ;;
  eval)
    k=0
    for s in "${SPEC[@]}"; do
      n=${s%%:*}
      CUDA_VISIBLE_DEVICES=$((k % NGPU)) python -m sheap.cli evaluate --data "$W/synth" --model "$W/$n/checkpoints/$(cat $W/$n/checkpoints/latest)" \
        --split test --max-frames ${2:-4} --device cuda --out "$OUT/eval_$n.json" > "$W/eval_$n.log" 2>&1 &
      k=$((k + 1))
    done
    wait
    for s in "${SPEC[@]}"; do n=${s%%:*}; echo "## $n"; cat "$OUT/eval_$n.md" 2>/dev/null || tail -3 "$W/eval_$n.log"; done
    ;;
  *) echo "unknown phase $1"; exit 2;;
esac
