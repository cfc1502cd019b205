"The papermill sweep of README 'Experiments' at toy size: two grid points run, a broken one is reported, one table."
import subprocess
import sys


def run(*args, cwd=None):
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=900, cwd=cwd)


def test_papermill_sweep_collects_one_table(tmp_path, head_dir):
    head = head_dir / "FLAME_NEUTRAL.pkl"
    for split, n in (("train", 2), ("test", 1)):
        r = run("-m", "sheap.cli", "synth", "--out", str(tmp_path / "syn"), "--model", str(head), "--split", split,
                "--videos", str(n), "--frames", "2", "--size", "64", "--workers", "1")
        assert r.returncode == 0, r.stderr[-1000:]
    r = run("benchmarks/sweep.py", "--grid", "step_renderer=2dgs,mesh,bogus", "--set", "train_steps=2",
            "--set", f"train_data_dir={tmp_path / 'syn'}", "--set", f"train_head_model={head}", "--out", str(tmp_path / "out"))
    assert r.returncode == 1, r.stderr[-2000:]                       # the bogus renderer fails, the others do not
    table = (tmp_path / "out" / "table.md").read_text().splitlines()
    rows = {l.split("|")[1].strip(): l for l in table[2:]}
    assert set(rows) == {"mean head", "landmark fit", "renderer-2dgs", "renderer-mesh", "renderer-bogus"}
    assert "failed" in rows["renderer-bogus"] and "±" in rows["renderer-mesh"]
    assert (tmp_path / "out" / "renderer-2dgs" / "run.ipynb").is_file() and (tmp_path / "out" / "renderer-mesh" / "model" / "model.safetensors").is_file()
