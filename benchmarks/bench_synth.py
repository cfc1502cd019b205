"""Synthetic data throughput: frames/s of `generate` (render + JPEG/PNG/npz writes) and of rendering alone, and
pairs/s of the online source, on CPU or GPU.

GPU:  python benchmarks/bench_synth.py --out $OUT --device cuda --videos 64 --frames 16 --size 512
CPU:  python benchmarks/bench_synth.py --out runs/bench_synth --videos 4 --frames 4 --size 128
Writes `synth.json`.
"""
from __future__ import annotations
import argparse, json, statistics, tempfile, time
from pathlib import Path
import torch
from sheap.headmodel import write_head_model
from sheap.flame import FLAME
from sheap.shading import procedural_illumination_prior
from sheap.synthetic import (generate, SynthConfig, sample_identity, sample_frames, render_video,
                             OnlineSynthPairs)


def main(argv=None):
    p = argparse.ArgumentParser()
    p.add_argument("--out", type=Path, required=True); p.add_argument("--device", default="cpu")
    p.add_argument("--videos", type=int, default=16); p.add_argument("--frames", type=int, default=16)
    p.add_argument("--size", type=int, default=512); p.add_argument("--pairs", type=int, default=32)
    a = p.parse_args(argv)
    a.out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp()); model = write_head_model(tmp / "head", seed=0)
    sync = (lambda: torch.cuda.synchronize()) if a.device == "cuda" else (lambda: None)
    cfg = SynthConfig(size=a.size, frames=a.frames)
    flame = FLAME.from_file(model).to(a.device)
    prior = procedural_illumination_prior()
    times = []
    for i in range(a.videos // 4 + 2):                                      # render only, first 2 are warm-up
        g = torch.Generator().manual_seed(i)
        ident = sample_identity(flame.n_shape, prior, a.size * cfg.supersample, g); fp = sample_frames(a.frames, flame.n_expr, g)
        sync(); t0 = time.perf_counter()
        with torch.no_grad(): render_video(flame, ident, fp, cfg, g)
        sync(); times.append(time.perf_counter() - t0)
    render_fps = a.frames / statistics.median(times[2:])
    t0 = time.perf_counter()
    generate(tmp / "synth", model, videos=a.videos, split="train", cfg=cfg, device=a.device, progress=False,
             workers=None if a.device == "cpu" else 1)
    gen_fps = a.videos * a.frames / (time.perf_counter() - t0)
    online = OnlineSynthPairs(model, "train", size=a.size, device=a.device)
    online[0]; sync(); t0 = time.perf_counter()
    for i in range(1, a.pairs + 1): online[i]
    sync(); pair_rate = a.pairs / (time.perf_counter() - t0)
    res = dict(device=torch.cuda.get_device_name() if a.device == "cuda" else "cpu", size=a.size, frames_per_video=a.frames,
               videos=a.videos, render_frames_per_s=render_fps, generate_frames_per_s=gen_fps, online_pairs_per_s=pair_rate)
    print(json.dumps(res, indent=1))
    (a.out / "synth.json").write_text(json.dumps(res, indent=1))


if __name__ == "__main__":
    main()
