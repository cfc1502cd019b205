"""A papermill sweep: run `nbs/experiments/ablation.ipynb` once per point of a grid and collect one table.

    python benchmarks/sweep.py --grid step_renderer=2dgs,3dgs,mesh --grid step_coupling=true,false --out sweeps/table4
    python benchmarks/sweep.py --grid step_coupling=true,false --set train_steps=50 --out /tmp/sweep     # a quick one

Each point gets its executed notebook, model folder and `result.json` under OUT/<point>/; OUT/table.md holds the
test errors (mm, ± standard error over identities) of every point, with the mean head and the landmark fit of the
first point as the reference rows. A point that fails is reported in the table and the sweep goes on.
"""
import argparse, itertools, json, sys
from pathlib import Path

def value(text: str):
    import yaml
    return yaml.safe_load(text)

def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--grid", action="append", default=[], help="NAME=v1,v2,... (a parameter of the notebook); repeat for more axes")
    ap.add_argument("--set", action="append", default=[], help="NAME=value for every point")
    ap.add_argument("--notebook", type=Path, default=Path("nbs/experiments/ablation.ipynb"))
    ap.add_argument("--out", type=Path, required=True)
    a = ap.parse_args(argv)
    import papermill as pm
    axes = []
    for g in a.grid:
        name, _, vals = g.partition("=")
        if not vals: ap.error(f"--grid {g!r}: expected NAME=v1,v2")
        axes.append([(name, value(v)) for v in vals.split(",")])
    fixed = {}
    for s in a.set:
        name, _, v = s.partition("=")
        if not _: ap.error(f"--set {s!r}: expected NAME=value")
        fixed[name] = value(v)
    rows, ref = [], None
    for point in itertools.product(*axes) if axes else [()]:
        tag = "_".join(f"{n.split('_', 1)[-1]}-{v}" for n, v in point) or "default"
        d = a.out / tag
        params = dict(fixed, **dict(point), train_out=str(d / "model"), train_metrics=str(d / "train.json"), result=str(d / "result.json"))
        d.mkdir(parents=True, exist_ok=True)
        try:
            pm.execute_notebook(str(a.notebook), str(d / "run.ipynb"), parameters=params, progress_bar=False, log_output=False, cwd=str(Path.cwd()))
            r = json.loads((d / "result.json").read_text())
            ref = ref or r["results"]
            rows.append((tag, r["results"]["SHeaP"], r["steps"]))
        except Exception as e:        # papermill's PapermillExecutionError carries the cell's error
            rows.append((tag, None, f"failed: {type(e).__name__}: {str(e).splitlines()[0][:120] if str(e) else ''}"))
            print(f"{tag}: failed ({type(e).__name__})", file=sys.stderr)
    f = lambda r, m: f"{r[m]:.3f} ± {r[m + '_se']:.3f}"
    lines = ["| run | steps | neutral median | neutral mean | posed median | posed mean |", "|---|---|---|---|---|---|"]
    for name in ("mean head", "landmark fit"):
        if ref: lines.append(f"| {name} | | {f(ref[name], 'neutral_median')} | {f(ref[name], 'neutral_mean')} | {f(ref[name], 'posed_median')} | {f(ref[name], 'posed_mean')} |")
    for tag, r, steps in rows:
        lines.append(f"| {tag} | {steps} | " + (" | ".join(f(r, m) for m in ("neutral_median", "neutral_mean", "posed_median", "posed_mean")) if r else "| | |") + " |")
    (a.out / "table.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0 if all(r is not None for _, r, _ in rows) else 1

if __name__ == "__main__": sys.exit(main())
