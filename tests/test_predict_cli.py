"`sheap predict` as a user runs it: synthetic frames, a real photo, a corrupt file and a short video in one call."
import json
import subprocess
import sys

import pytest

import numpy as np


def run(*args):
    return subprocess.run([sys.executable, "-m", "sheap.cli", *args], capture_output=True, text=True, timeout=600)


def test_predict_photos_frames_video_and_a_corrupt_file(tmp_path, head_dir):
    import cv2, skimage.data
    from PIL import Image
    from sheap.train import resolve_config, build_model, save_model
    cfg = resolve_config("params.yaml", overrides=[f"train.head_model={head_dir / 'FLAME_NEUTRAL.pkl'}"])
    save_model(build_model(cfg), cfg, tmp_path / "model", step=0)
    r = run("synth", "--out", str(tmp_path / "syn"), "--model", str(head_dir / "FLAME_NEUTRAL.pkl"), "--videos", "1",
            "--frames", "2", "--size", "192", "--workers", "1")
    assert r.returncode == 0, r.stderr[-1000:]
    inp = tmp_path / "in"
    inp.mkdir()
    a = skimage.data.astronaut()
    Image.fromarray(a).save(inp / "astronaut.png")
    (inp / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 this is not a jpeg")
    vw = cv2.VideoWriter(str(inp / "clip.mp4"), cv2.VideoWriter_fourcc(*"mp4v"), 25, (320, 320))
    for t in range(5): vw.write(np.ascontiguousarray(cv2.warpAffine(a, np.float32([[1, 0, -60 - 2 * t], [0, 1, -20]]), (320, 320))[..., ::-1]))
    vw.release()
    out = tmp_path / "out"
    r = run("predict", str(inp), str(tmp_path / "syn" / "train" / "train_00000" / "frames"), "--out", str(out),
            "--model", str(tmp_path / "model"), "--size", "128", "--smooth", "--now", "--mesh", "ply")
    assert r.returncode == 0, r.stderr[-2000:]
    rep = json.loads((out / "report.json").read_text())
    st = {e["id"]: e for e in rep["inputs"]}
    assert st["in_broken"]["status"] == "failed" and st["in_broken"]["reason"].startswith("unreadable image")
    assert st["in_astronaut"]["status"] == "ok" and st["in_clip"]["status"] == "ok" and st["in_clip"]["frames"] == 5
    for f in ("in_astronaut.npz", "in_astronaut.json", "in_astronaut.ply", "in_astronaut_overlay.jpg", "in_astronaut_now.obj",
              "in_clip/params.npz", "in_clip/overlay.mp4"):
        assert (out / f).is_file(), f
    with np.load(out / "in_astronaut.npz") as z:
        assert z["pose"].shape == (5, 3, 3) and z["pose_axis_angle"].shape == (5, 3) and np.isfinite(z["shape"]).all()
    syn = [e for e in rep["inputs"] if e["id"].startswith("frames_")]
    assert len(syn) == 2 and rep["failed"] == 1 + sum(e["status"] == "failed" for e in syn)
    assert cv2.VideoCapture(str(out / "in_clip" / "overlay.mp4")).get(cv2.CAP_PROP_FRAME_COUNT) == 5
    bad = run("predict", str(inp), "--out", str(tmp_path / "o2"), "--model", str(tmp_path / "nope"))
    assert bad.returncode == 2 and "no such model" in bad.stderr and "Traceback" not in bad.stderr


@pytest.mark.parametrize("landmarks", [False, True, "detector"])
def test_export_onnx(tmp_path, head_dir, landmarks):
    import shutil
    from sheap.train import resolve_config, build_model, save_model
    over = [f"train.head_model={head_dir / 'FLAME_NEUTRAL.pkl'}", f"model.landmarks={bool(landmarks)}"]
    if landmarks == "detector":                                   # a trained 68-landmark detector, inside the graph
        from sheap.detector import DetectorConfig, LandmarkDetector, save_detector
        save_detector(LandmarkDetector(DetectorConfig(widths=(8, 16, 32), groups=4)), tmp_path / "det")
        over += ["model.landmark_source=detector", f"model.landmark_detector={tmp_path / 'det'}"]
    cfg = resolve_config("params.yaml", overrides=over)
    save_model(build_model(cfg), cfg, tmp_path / "model", step=0)
    shutil.rmtree(tmp_path / "det", ignore_errors=True)           # the saved model does not need it
    r = run("export", "--onnx", str(tmp_path / "out" / "sheap.onnx"), "--model", str(tmp_path / "model"), "--batch", "2")
    assert r.returncode == 0, r.stderr[-2000:]
    assert "onnxruntime vs PyTorch" in r.stdout and "images/s" in r.stdout
    desc = json.loads((tmp_path / "out" / "sheap.json").read_text())
    assert desc["input"]["shape"][1:] == [3, 112, 112] and len(desc["faces"]) > 1000
    assert ("face_mesh" in desc) == (landmarks is True)           # mediapipe's mesh: the branch's second input, described
    r = run("export", "--onnx", str(tmp_path / "out" / "sheap.pt"), "--model", str(tmp_path / "model"))
    assert r.returncode == 2 and "must end in .onnx" in r.stderr
    assert not (tmp_path / "out" / "sheap.pt").exists()


def test_benchmark_nersemble_and_now_cli(tmp_path, head_dir):
    "`sheap benchmark nersemble --model` predicts every view and scores it; `sheap benchmark now` scores a prediction tree."
    import torch
    from PIL import Image
    from sheap.train import resolve_config, build_model, save_model
    from sheap.flame import FLAME
    from sheap.eval.nersemble import nersemble_prediction
    from sheap.eval.now import now_prediction, export_now
    from sheap.mesh import sample_surface, write_obj
    cfg = resolve_config("params.yaml", overrides=[f"train.head_model={head_dir / 'FLAME_NEUTRAL.pkl'}"])
    save_model(build_model(cfg), cfg, tmp_path / "model", step=0)
    flame = FLAME.from_file(head_dir / "FLAME_NEUTRAL.pkl")
    v, l7 = nersemble_prediction(flame, torch.zeros(flame.n_shape), torch.zeros(flame.n_expr))
    pts = sample_surface(v * 1000, flame.faces, 3000, torch.Generator().manual_seed(0))[0]
    cloud = tmp_path / "ners" / "sub_1" / "EXP" / "000001"
    (cloud / "images").mkdir(parents=True)
    np.save(cloud / "points.npy", pts.numpy()); np.save(cloud / "landmarks.npy", (l7 * 1000).numpy())
    for view in ("cam_a", "cam_b"): Image.new("RGB", (96, 96), (120, 90, 80)).save(cloud / "images" / f"{view}.jpg")
    r = run("benchmark", "nersemble", "--data", str(tmp_path / "ners"), "--predictions", str(tmp_path / "pred"),
            "--model", str(tmp_path / "model"), "--out", str(tmp_path / "ners.json"))
    assert r.returncode == 0, r.stderr[-2000:]
    rep = json.loads((tmp_path / "ners.json").read_text())
    assert rep["all"]["images"] == 2 and set(rep["views"]) == {"cam_a", "cam_b"} and not rep["missing"]
    assert rep["all"]["median"] < 5.0 and "| views/cam_a |" in (tmp_path / "ners.md").read_text()
    now = tmp_path / "now"
    (now / "scans" / "S1").mkdir(parents=True); (now / "scans_lmks_onlypp" / "S1").mkdir(parents=True)
    nv, nl7 = now_prediction(flame, torch.zeros(flame.n_shape))
    write_obj(now / "scans" / "S1" / "scan.obj", nv * 1000, flame.faces)
    (now / "scans_lmks_onlypp" / "S1" / "scan.pp").write_text("<PickedPoints>" + "".join(f'<point x="{x}" y="{y}" z="{z}"/>' for x, y, z in (nl7 * 1000).tolist()) + "</PickedPoints>")
    (now / "imagepathsvalidation.txt").write_text("S1/selfie/IMG_1.jpg\nS1/selfie/IMG_2.jpg\n")
    export_now(tmp_path / "now_pred", "S1/selfie/IMG_1.jpg", nv, flame.faces, nl7)
    r = run("benchmark", "now", "--data", str(now), "--predictions", str(tmp_path / "now_pred"), "--out", str(tmp_path / "now.json"))
    assert r.returncode == 0, r.stderr[-2000:]
    rep = json.loads((tmp_path / "now.json").read_text())
    assert rep["all"]["images"] == 1 and rep["missing"] == ["S1/selfie/IMG_2.jpg"] and rep["all"]["median"] < 1e-3
    assert rep["cumulative_error"]["percent"][-1] <= 100.0
    bad = run("benchmark", "now", "--data", str(tmp_path / "nowhere"), "--predictions", str(tmp_path / "p"))
    assert bad.returncode == 2 and "not found" in bad.stderr and "Traceback" not in bad.stderr
