"""Paired errors of a model against its baselines on several held-out splits, each and pooled over all identities.

    python benchmarks/pool_splits.py --out OUT.json NAME=EVAL.json [NAME=EVAL.json ...]

Each EVAL.json is what `sheap evaluate ... --out EVAL.json` wrote (per-identity errors of every predictor). The
splits must hold different identities (different `sheap synth` seeds), so pooling their per-identity lists is a
larger sample of the same population; the comparison stays paired within each identity.
"""
import argparse, json
from pathlib import Path

from sheap.report import paired

METRICS = ("neutral_median", "posed_median", "neutral_mean", "posed_mean")

def summarise(results: dict, model: str = "SHeaP") -> dict:
    "Paired differences of `model` against every other predictor of one `sheap evaluate` result."
    return {base: {m: paired(results, model, base, m) for m in METRICS} for base in results if base != model}

def pool(splits: dict[str, dict]) -> dict:
    "Concatenate the per-identity errors of every predictor over the splits (same predictors in each)."
    names = [set(r) for r in splits.values()]
    if any(n != names[0] for n in names): raise ValueError(f"the splits have different predictors: {names}")
    return {p: {"per_identity": {m: [x for r in splits.values() for x in r[p]["per_identity"][m]] for m in METRICS}}
            for p in names[0]}

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("evals", nargs="+", help="NAME=EVAL.json")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    splits = {}
    for item in a.evals:
        name, _, path = item.partition("=")
        if not path: raise SystemExit(f"{item!r}: expected NAME=EVAL.json")
        if not Path(path).is_file(): raise SystemExit(f"{path}: no such evaluation file")
        splits[name] = json.loads(Path(path).read_text())["results"]
    out = {"splits": {n: {"identities": len(next(iter(r.values()))["per_identity"]["neutral_median"]),
                          "paired": summarise(r), "per_identity": {p: r[p]["per_identity"] for p in r}}
                      for n, r in splits.items()},
           "pooled": summarise(pool(splits))}
    Path(a.out).write_text(json.dumps(out, indent=1))
    for base, ms in out["pooled"].items():
        for m in ("neutral_median", "posed_median"):
            s = ms[m]
            print(f"pooled vs {base}, {m}: {s['ratio']:.3f}x ({s['diff']:+.3f} ± {s['diff_se']:.3f} mm, "
                  f"{100 * s['better']:.0f} % of {s['n']} identities better)")

if __name__ == "__main__": main()
