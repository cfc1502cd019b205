"""Find the first op whose output differs between repeats of the same training steps (CPU).

    python benchmarks/trace_ops.py --run RUN --from-step 50 --to-step 75 --repeats 5 --busy 2 --out runs/trace

RUN is a `sheap train` run with a checkpoint at `--from-step` (e.g. `sheap train -S train.out=RUN -S train.steps=75
-S train.ckpt_every=25 -S train.keep=10 ...`). Each repeat copies RUN with that checkpoint as its latest, resumes it to
`--to-step` in a fresh process and records a bit-exact checksum of the output of every PyTorch op it runs (a
`TorchDispatchMode`: forward, backward, optimizer and densifier alike). The first repeat runs alone, the others beside
`--busy` spinning processes (a loaded machine). Each later repeat is compared with the first, op by op; the ops whose
outputs are uninitialised memory (`empty*`) are left out. Prints, and writes to `OUT/trace.json`, per repeat: how many
ops differ, the first of them (its name, output shape, index) and whether the checkpoint at `--to-step` differs.
"""
from __future__ import annotations
import argparse, json, os, shutil, subprocess, sys
from pathlib import Path
import numpy as np
import torch
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_flatten
from check_determinism import busy      # benchmarks/ is the script's folder, so on sys.path

_INT = {torch.float32: torch.int32, torch.float64: torch.int64, torch.float16: torch.int16, torch.bfloat16: torch.int16}


class OpTrace(TorchDispatchMode):
    "Records, for every op, its name, its last floating output's shape and a checksum of the bits of its floating outputs."
    def __init__(self):
        super().__init__(); self.names, self.sums, self.shapes = [], [], []

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        h, shape = 0, ()
        for t in tree_flatten(out)[0]:
            if isinstance(t, torch.Tensor) and t.dtype in _INT and t.numel():
                try: v = int(t.detach().contiguous().view(_INT[t.dtype]).sum(dtype=torch.int64))   # exact: integer sum of the bits
                except RuntimeError: v = -1                                                    # a layout that has no plain view
                h, shape = (h * 1000003 + v) % (1 << 62), tuple(t.shape)
        self.names.append(str(func)); self.sums.append(h); self.shapes.append(str(shape))
        return out


def record(out: Path, argv: list[str]):
    "Run `sheap.train.main(argv)` under `OpTrace`; save the trace to `out` (.npz)."
    from sheap.train import main
    tr = OpTrace()
    with tr: rc = main(argv)
    if rc: raise SystemExit(rc)
    np.savez(out, names=np.array(tr.names), sums=np.array(tr.sums, dtype=np.int64), shapes=np.array(tr.shapes))


def compare(a: dict, b: dict) -> dict:
    "Ops whose outputs differ between traces `a` and `b` (uninitialised outputs left out)."
    if len(a["sums"]) != len(b["sums"]) or not (a["names"] == b["names"]).all():
        return dict(same_ops=False, ops=[len(a["sums"]), len(b["sums"])])
    keep = np.char.find(a["names"].astype(str), "empty") < 0
    d = np.nonzero((a["sums"] != b["sums"]) & keep)[0]
    first = dict(index=int(d[0]), op=str(a["names"][d[0]]), shape=str(a["shapes"][d[0]])) if len(d) else None
    return dict(same_ops=True, ops=len(a["sums"]), differing=len(d), first=first,
                differing_ops=sorted({str(a["names"][i]) for i in d}))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--run", type=Path, required=True); p.add_argument("--from-step", type=int, required=True)
    p.add_argument("--to-step", type=int, required=True); p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--busy", type=int, default=2); p.add_argument("--out", type=Path, required=True)
    p.add_argument("--params", default="params.yaml")
    a = p.parse_args(argv)
    from safetensors.torch import load_file
    from sheap.train import read_state
    src = a.run / "checkpoints" / f"step_{a.from_step:07d}"
    cfg = read_state(src)["config"]
    a.out.mkdir(parents=True, exist_ok=True)
    results, first = [], None
    for r in range(a.repeats):
        run = a.out / f"repeat{r}"
        shutil.rmtree(run, ignore_errors=True); (run / "checkpoints").mkdir(parents=True)
        shutil.copytree(src, run / "checkpoints" / src.name); (run / "checkpoints" / "latest").write_text(src.name + "\n")
        overrides = {"train.out": run, "train.steps": a.to_step, "train.ckpt_every": a.to_step, "train.metrics": "null",
                     "train.eval_every": 0, "train.image_every": 0, "train.progress": "false",
                     "train.head_model": cfg["train"]["head_model"], "train.data_dir": cfg["train"]["data_dir"]}
        train_argv = ["--params", a.params, "--profile", cfg["train"]["profile"], "--resume"]
        train_argv += [x for k, v in overrides.items() for x in ("-S", f"{k}={v}")]
        n_busy = a.busy if r else 0
        with busy(n_busy):
            subprocess.run([sys.executable, __file__, "_record", str(run / "trace.npz"), *train_argv], check=True, env=dict(os.environ))
        tr = dict(np.load(run / "trace.npz"))
        ck = run / "checkpoints" / f"step_{a.to_step:07d}"
        if first is None: first = (tr, ck); results.append(dict(repeat=r, busy=0, ops=len(tr["sums"]))); continue
        res = dict(repeat=r, busy=n_busy, **compare(first[0], tr))
        res["checkpoint_differs"] = {}                     # tensors that differ, per file of the checkpoint
        for f in ("model", "optimizer", "densifier"):
            if (ck / f"{f}.safetensors").exists():
                x, y = load_file(first[1] / f"{f}.safetensors"), load_file(ck / f"{f}.safetensors")
                res["checkpoint_differs"][f] = sum(not torch.equal(x[k], y[k]) for k in x)
        results.append(res); print(json.dumps(res), flush=True)
        (a.out / "trace.json").write_text(json.dumps(dict(run=str(a.run), from_step=a.from_step, to_step=a.to_step,
                                                          threads=torch.get_num_threads(), repeats=results), indent=1))


if __name__ == "__main__":
    if sys.argv[1:2] == ["_record"]: record(Path(sys.argv[2]), sys.argv[3:])
    else: main()
