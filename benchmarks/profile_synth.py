"""Where the time of synthetic rendering goes: torch profiler tables of `render_video` (top operators by device and by
host time) at a few batch sizes, and with --generate N a cProfile of `generate` writing N videos (all threads: Python
3.12's cProfile sees the writer threads too).
GPU: python benchmarks/profile_synth.py --device cuda --size 512 --frames 16 64 --generate 32"""
from __future__ import annotations
import argparse, cProfile, pstats, shutil, statistics, tempfile, time
from pathlib import Path
import torch
from sheap.headmodel import write_head_model
from sheap.flame import FLAME
from sheap.shading import procedural_illumination_prior
from sheap.synthetic import SynthConfig, sample_identity, sample_frames, render_video, generate


def main(argv=None):
    p = argparse.ArgumentParser()
    p.add_argument("--device", default="cpu"); p.add_argument("--size", type=int, default=512)
    p.add_argument("--frames", type=int, nargs="+", default=[16]); p.add_argument("--rows", type=int, default=20)
    p.add_argument("--generate", type=int, default=0, help="also profile generate() writing this many videos (frames: the first --frames)")
    a = p.parse_args(argv)
    model = write_head_model(Path(tempfile.mkdtemp()) / "head", seed=0)
    flame, prior = FLAME.from_file(model).to(a.device), procedural_illumination_prior()
    sync = torch.cuda.synchronize if a.device == "cuda" else (lambda: None)
    for n in a.frames:
        cfg = SynthConfig(size=a.size, frames=n)
        def one(i):
            g = torch.Generator().manual_seed(i)
            ident = sample_identity(flame.n_shape, prior, a.size * cfg.supersample, g); fp = sample_frames(n, flame.n_expr, g)
            with torch.no_grad(): return render_video(flame, ident, fp, cfg, g)
        for i in range(2): one(i)
        times = []
        for i in range(5):
            sync(); t0 = time.perf_counter(); one(10 + i); sync(); times.append(time.perf_counter() - t0)
        print(f"frames {n}: {n / statistics.median(times):.1f} frames/s (median of 5)")
        acts = [torch.profiler.ProfilerActivity.CPU] + ([torch.profiler.ProfilerActivity.CUDA] if a.device == "cuda" else [])
        with torch.profiler.profile(activities=acts) as prof:
            one(99); sync()
        key = "self_cuda_time_total" if a.device == "cuda" else "self_cpu_time_total"
        print(prof.key_averages().table(sort_by=key, row_limit=a.rows))
        print(prof.key_averages(group_by_stack_n=0).table(sort_by="cpu_time_total", row_limit=a.rows))
    if a.generate:
        cfg, out = SynthConfig(size=a.size, frames=a.frames[0]), Path(tempfile.mkdtemp())
        generate(out / "warm", model, videos=2, cfg=cfg, device=a.device, progress=False)
        pr = cProfile.Profile(); t0 = time.perf_counter(); pr.enable()
        generate(out / "run", model, videos=a.generate, cfg=cfg, device=a.device, progress=False)
        pr.disable()
        print(f"generate: {a.generate * a.frames[0] / (time.perf_counter() - t0):.1f} frames/s (under the profiler)")
        pstats.Stats(pr).sort_stats("cumulative").print_stats(a.rows)
        shutil.rmtree(out)
    shutil.rmtree(model.parent.parent)


if __name__ == "__main__":
    main()
