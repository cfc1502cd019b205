#!/usr/bin/env bash
# Why does the gpu-bench model not learn geometry? Four short gpu-bench runs side by side on one H200 (each with 3
# loader workers), differing in ViT input size, 3DMM regulariser weights, landmark weight and learning rates; their
# validation curves (100 identities) and loss terms are packed into $OUT/sweep.json. Run from the repository root on
# the GPU machine after the install line of README.md, section "GPU":  bash benchmarks/gpu_learning_sweep.sh [seconds]
# (A=... B=... C=... D=... replace a run's overrides; SWEEP names the batch.)
set -euo pipefail
W=${SHEAP_WORK:-/tmp/sheap-sweep}; OUT=${OUT:-$W/out}; S=${1:-300}
mkdir -p "$W" "$OUT"
HEAD=$W/head/FLAME_NEUTRAL.pkl
[ -e "$HEAD" ] || python -m sheap.cli make-head-model "$W/head" >/dev/null
[ -e "$W/synth/val" ] || {
  python -m sheap.cli synth --out "$W/synth" --model "$HEAD" --split train --videos 2000 --frames 8 --size 256 --device cuda 2>&1 | tail -1
  python -m sheap.cli synth --out "$W/synth" --model "$HEAD" --split val --videos 100 --frames 4 --size 256 --device cuda 2>&1 | tail -1; }
declare -A RUNS=(
  [${SWEEP:-1}A]="${A:--S train.vit_size=112 -S loss.w_shape=0 -S loss.w_expr=0}"
  [${SWEEP:-1}B]="${B:--S train.vit_size=112 -S loss.w_shape=0.01 -S loss.w_expr=0.01 -S loss.w_lmk=10}"
  [${SWEEP:-1}C]="${C:--S train.lr=3e-4 -S train.vit_lr=1e-4 -S loss.w_shape=0 -S loss.w_expr=0}"
  [${SWEEP:-1}D]="${D:--S train.vit_size=112 -S loss.w_shape=0 -S loss.w_expr=0 -S loss.w_lmk=10}"
)
python -c "from gsplat.cuda._backend import _C" 2>/dev/null || true    # build gsplat's extension once, not in 4 racing processes
for r in "${!RUNS[@]}"; do
  python -m sheap.train --profile gpu-bench -S train.head_model=$HEAD -S train.data_dir=$W/synth -S train.out=$W/$r \
    -S train.metrics=$W/$r.json -S train.progress=false -S train.workers=3 -S train.eval_every=500 -S train.image_every=0 \
    -S train.ckpt_every=100000 -S train.time_limit=$S ${RUNS[$r]} --overwrite > $W/$r.log 2>&1 &
done
wait
python - "$W" "$OUT/sweep.json" "${!RUNS[@]}" <<'PY'
import json, sys, pathlib, csv
W, out, names = pathlib.Path(sys.argv[1]), sys.argv[2], sys.argv[3:]
res = {}
for n in names:
    d = W / n / "dvclive" / "plots" / "metrics"; r = dict(log_tail=(W / f"{n}.log").read_text().splitlines()[-4:])
    for f in sorted(d.rglob("*.tsv")):
        rows = list(csv.reader(open(f), delimiter="\t"))[1:]
        key = str(f.relative_to(d).with_suffix(""))
        if key.startswith("val/") or key.split("/")[-1] in ("lmk", "shape", "expr", "l1", "loss", "total", "steps_per_s"):
            r[key] = [(int(a[0]), round(float(a[-1]), 4)) for a in rows][:: max(1, len(rows) // 12)] + [(int(rows[-1][0]), round(float(rows[-1][-1]), 4))]
    res[n] = r
json.dump(res, open(out, "w"), indent=0)
print(json.dumps({n: {k: v[-1] for k, v in r.items() if k.startswith("val/") or k.endswith("lmk") or k.endswith("shape")} for n, r in res.items()}, indent=0))
PY
