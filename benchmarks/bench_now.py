"""Speed of the NoW protocol per image (`sheap.eval.now.now_errors`): a scan-like cloud of the mean head vs predictions of
other identities. `python benchmarks/bench_now.py --device cuda --points 40000 --out results/x.json`"""
import argparse, json, statistics, tempfile, time
from pathlib import Path
import numpy as np
import torch
from sheap.headmodel import write_head_model
from sheap.flame import FLAME
from sheap.mesh import sample_surface
from sheap.eval.now import now_errors, now_prediction


def main(argv=None):
    p = argparse.ArgumentParser()
    p.add_argument("--device", default="cpu"); p.add_argument("--points", type=int, default=40000)
    p.add_argument("--images", type=int, default=6); p.add_argument("--out", type=Path)
    a = p.parse_args(argv)
    flame = FLAME.from_file(write_head_model(Path(tempfile.mkdtemp()) / "head"))
    g = torch.Generator().manual_seed(0)
    mean_v, mean_l7 = now_prediction(flame, torch.zeros(300))
    scan, _, _ = sample_surface(mean_v.double() * 1000, flame.faces, a.points, g)   # ~ a.points / 3 fall inside the face sphere
    times, medians = [], []
    for i in range(a.images + 1):                                                   # the first is warm-up
        v, l7 = now_prediction(flame, torch.randn(300, generator=g) * (torch.arange(300) < 50))
        sync = torch.cuda.synchronize if a.device == "cuda" else (lambda: None)
        sync(); t0 = time.perf_counter()
        r = now_errors(scan, mean_l7 * 1000, v, flame.faces, l7, device=a.device)
        sync(); dt = time.perf_counter() - t0
        if i: times.append(dt); medians.append(float(np.median(r.distances)))
    res = dict(device=a.device, scan_points_in_sphere=int(len(r.distances)), seconds_per_image_median=statistics.median(times),
               now_1702_images_hours=statistics.median(times) * 1702 / 3600, median_error_mm=medians)
    print(json.dumps(res, indent=1))
    if a.out: a.out.parent.mkdir(parents=True, exist_ok=True); a.out.write_text(json.dumps(res, indent=1))


if __name__ == "__main__":
    main()
