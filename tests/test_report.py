"`sheap report` as `dvc repro` runs it: tables from evaluation JSONs (numbers traceable to the inputs) and clear errors."
import json
import subprocess
import sys
from pathlib import Path

import pytest


def run(*args):
    return subprocess.run([sys.executable, "-m", "sheap.cli", "report", *args], capture_output=True, text=True, timeout=600)


def _eval_json(path: Path, model: list[float], mean: list[float]):
    "A `sheap evaluate` result with two predictors over the same identities."
    import numpy as np
    def summary(v):
        v = np.asarray(v)
        r = {}
        for m in ("neutral_median", "neutral_mean", "posed_median", "posed_mean"):
            r[m], r[m + "_se"] = float(v.mean()), float(v.std(ddof=1) / np.sqrt(len(v)))
        return r | {"identities": len(v), "per_identity": {m: v.tolist() for m in ("neutral_median", "neutral_mean", "posed_median", "posed_mean")}}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"split": "test", "results": {"mean head": summary(mean), "SHeaP": summary(model)}}))


def test_tables_from_evaluations_and_ablations(tmp_path):
    mean = [1.0, 1.2, 1.4, 1.6]
    _eval_json(tmp_path / "learning.json", [0.8, 1.1, 1.2, 1.5], mean)
    for name, m in (("2dgs", [0.9, 1.1, 1.3, 1.5]), ("mesh", [1.0, 1.3, 1.5, 1.7])):
        _eval_json(tmp_path / "abl" / name / "test.json", m, mean)
        (tmp_path / "abl" / name / "train.json").write_text(json.dumps({"step": 50}))
    r = run("tables", "--out", str(tmp_path / "tables"), "--learning", str(tmp_path / "learning.json"), "--ablations", str(tmp_path / "abl"),
            "--gpu-ablation", "benchmarks/results/h200x4_ablation.json")
    assert r.returncode == 0, r.stderr[-2000:]
    t1 = (tmp_path / "tables" / "table1_neutral.md").read_text()
    # mean 1.150 vs 1.300: paired difference -0.150, SE of [-0.2, -0.1, -0.2, -0.1] = 0.0289, 4 of 4 identities better
    assert "| SHeaP | 1.150 ± 0.144 | 1.150 ± 0.144 | -0.150 ± 0.029 (0.885x, 100%) |" in t1, t1
    t4 = (tmp_path / "tables" / "table4_ablation.md").read_text()
    assert "| mesh | 50 | 1.375 ± 0.149 | +0.075 ± 0.025 (1.058x, 0%) | +0.175 ± 0.025 (1.146x, 0%) |" in t4, t4
    gpu = json.loads(Path("benchmarks/results/h200x4_ablation.json").read_text())["runs"]["nocoupling"]["test"]["results"]["SHeaP"]
    assert f"| nocoupling | 5200 | {gpu['neutral_median']:.3f} ± {gpu['neutral_median_se']:.3f} |" in t4
    assert not (tmp_path / "tables" / "table3_emotion.md").exists()        # no --emotion: no table 3


@pytest.mark.parametrize("args, message", [
    (["tables", "--out", "{tmp}/t", "--learning", "{tmp}/missing.json"], "missing.json: no such results file"),
    (["tables", "--out", "{tmp}/t", "--learning", "{tmp}/bad.json"], "bad.json: not a `sheap evaluate` result"),
    (["tables", "--out", "{tmp}/t"], "needs --learning"),
    (["figures", "--out", "{tmp}/f", "--data", "{tmp}"], "needs --data and --model"),
    (["emotion", "--data", "{tmp}/nothing"], "no manifest"),
])
def test_bad_input_is_a_message(tmp_path, args, message):
    (tmp_path / "bad.json").write_text(json.dumps({"results": {"mean head": {"neutral_median": 1.0}}}))
    r = run(*[a.format(tmp=tmp_path) for a in args])
    assert r.returncode == 2 and message in r.stderr and "Traceback" not in r.stderr, r.stderr[-2000:]
    assert not (tmp_path / "t").exists() or not any((tmp_path / "t").iterdir())


def test_affectnet_benchmark_cli(tmp_path, head_dir):
    "AffectNet's layout at toy size: labelled rows kept, unlabelled (-2) and non-basic (8+) rows dropped, a missing image skipped."
    import csv
    import numpy as np
    import skimage.data
    from PIL import Image
    from sheap.train import resolve_config, build_model, save_model
    cfg = resolve_config("params.yaml", overrides=[f"train.head_model={head_dir / 'FLAME_NEUTRAL.pkl'}"])
    save_model(build_model(cfg), cfg, tmp_path / "model", step=0)
    root, a = tmp_path / "affectnet", skimage.data.astronaut()
    (root / "Manually_Annotated_Images" / "1").mkdir(parents=True)
    cols = ["subDirectory_filePath", "face_x", "face_y", "face_width", "face_height", "facial_landmarks", "expression", "valence", "arousal"]
    for name, n in (("training.csv", 16), ("validation.csv", 8)):
        with open(root / name, "w", newline="") as fh:
            w = csv.writer(fh); w.writerow(cols)
            for i in range(n):
                rel = f"1/{name[:5]}_{i}.jpg"
                Image.fromarray(np.roll(a, 7 * i, axis=1)).save(root / "Manually_Annotated_Images" / rel)
                w.writerow([rel, 160, 40, 140, 160, "", i % 8, (i % 5) / 5 - 0.4, (i % 3) / 3 - 0.3])
            w.writerow(["1/missing.jpg", 160, 40, 140, 160, "", 3, 0.1, 0.2])        # labelled, image missing: skipped
            w.writerow([f"1/{name[:5]}_0.jpg", 160, 40, 140, 160, "", 9, 0.1, 0.2])   # not one of the 8 categories: dropped
            w.writerow([f"1/{name[:5]}_1.jpg", 160, 40, 140, 160, "", 2, -2, -2])     # no valence/arousal: dropped
    r = subprocess.run([sys.executable, "-m", "sheap.cli", "benchmark", "affectnet", "--data", str(root), "--model", str(tmp_path / "model"),
                        "--out", str(tmp_path / "aff.json")], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    assert "validation.csv: 8 of 9 labelled rows predicted (1 unreadable images skipped)" in r.stdout, r.stdout
    res = json.loads((tmp_path / "aff.json").read_text())
    assert set(res) == {"SHeaP", "mean head"} and res["SHeaP"]["n"] == 8 and 0 <= res["SHeaP"]["accuracy"] <= 1
    assert np.asarray(res["SHeaP"]["confusion"]).sum() == 8
    r = subprocess.run([sys.executable, "-m", "sheap.cli", "benchmark", "affectnet", "--data", str(root)], capture_output=True, text=True)
    assert r.returncode == 2 and "needs --model" in r.stderr and "Traceback" not in r.stderr
