"""The GPU learning curves: median error relative to the mean head's, against step, for recorded `gpu-bench` runs.

    python benchmarks/plot_learning_gpu.py --out figures/learning_curve_gpu_bench.png \
        benchmarks/results/h200x4_learning_ddp.json benchmarks/results/h200x4_learning_ddp_nocoupling.json

Each input is a results file written from a GPU run (`curves` holds the validation series logged by `sheap train`,
`test` the `sheap evaluate` result on the held-out test identities). Left: neutral, right: posed. Each error is divided
by the mean head's on the same identities (1: no better than the mean head; dotted: the issue's 0.7 target); lines are
the validation identities during training, the squares the test identities at the end (diamonds: at the start, where a
file records it).
"""
from __future__ import annotations
import argparse, json
from pathlib import Path
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt


def series(curve) -> list[tuple[float, float]]:
    "A logged validation series as (step, value) pairs: stored as pairs, or as the `curves` phase's {header, rows}."
    return [tuple(r[:2]) for r in (curve["rows"] if isinstance(curve, dict) else curve)]


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("runs", type=Path, nargs="+", help="results JSON files with `curves` and `test` (or `trained` holding `train` and `test`)")
    p.add_argument("--out", type=Path, required=True)
    a = p.parse_args(argv)
    fig, axs = plt.subplots(1, 2, figsize=(9.5, 3.4))
    for path in a.runs:
        d = json.loads(path.read_text())
        run = d.get("trained", d)                                          # the detector-branch file nests its final model
        label = f"{path.stem} ({run['train']['step']:,} steps)"
        for ax, kind in zip(axs, ("neutral", "posed")):
            x, y = zip(*series(d["curves"][f"val/{kind}_median"]))
            _, mh = zip(*series(d["curves"][f"val/mean_head_{kind}_median"]))
            line, = ax.plot(x, [v / m for v, m in zip(y, mh)], "o-", ms=3, label=label)
            ratio = lambda t: t["SHeaP"][f"{kind}_median"] / t["mean head"][f"{kind}_median"]
            if "start" in d:                                               # the fitted start, scored on the test identities
                ax.plot([d["start"]["train"]["step"]], [ratio(d["start"]["test"]["results"])], "D", c=line.get_color(), ms=5, mfc="none")
            ax.plot([run["train"]["step"]], [ratio(run["test"]["results"])], "s", c=line.get_color(), ms=6, mfc="none")
    for ax, kind in zip(axs, ("neutral", "posed")):
        ax.axhline(1.0, ls="--", c="k", lw=1, label="mean head"); ax.axhline(0.7, ls=":", c="k", lw=1, label="target (0.7x)")
        ax.set(xlabel="step", ylabel="median error / mean head's", ylim=(0.6, 1.03))
        ax.set_title(f"{kind}; test identities: squares at the end, diamonds at the start", fontsize=8.5)
        ax.legend(fontsize=7)
    fig.tight_layout()
    a.out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(a.out, dpi=100)
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
