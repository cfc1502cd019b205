#!/usr/bin/env bash
# Do the data stages write the same bytes on CPUs with other vector instruction sets?  Writes md5 lists of a head
# model and a small synthetic dataset, made with torch's kernels pinned to the portable baseline (ATEN_CPU_CAPABILITY=
# default) and with the CPU's own best. Run on two machines and diff the lists: `bash benchmarks/isa_check.sh OUT`
set -euo pipefail
out=${1:?output folder}; mkdir -p "$out"
for cap in default native; do
  w=$(mktemp -d)
  env_cap=(); [ "$cap" = default ] && env_cap=(ATEN_CPU_CAPABILITY=default MKL_CBWR=COMPATIBLE)
  env "${env_cap[@]}" OMP_NUM_THREADS=1 python -m sheap.cli make-head-model "$w/h" --seed 0 >/dev/null
  env "${env_cap[@]}" OMP_NUM_THREADS=1 python -m sheap.cli synth --out "$w/s" --model "$w/h/FLAME_NEUTRAL.pkl" --videos 2 --frames 3 --size 128 --workers 1 >/dev/null 2>&1
  (cd "$w" && find h s -type f ! -name manifest.json ! -name '.sheap.lock' | sort | xargs md5sum) > "$out/md5_$cap.txt"
  rm -rf "$w"
done
python -c "import torch; print(torch.backends.cpu.get_cpu_capability())" > "$out/cpu_capability.txt"
