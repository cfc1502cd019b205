"""Inference speed through the public path: `sheap.load_model(..., precision=, compile=)` and the returned module on
face crops (estimator + FLAME, what `sheap predict` runs per batch), for a paper-size model with random weights.

GPU: python benchmarks/bench_load_model.py --out $OUT --device cuda --batches 1 1024
CPU: python benchmarks/bench_load_model.py --out runs/bench_load_model --batches 1 8
With --onnx, also `sheap export --onnx` of the same model (parity check, then onnxruntime vs PyTorch on the CPU at
batch 8: the figures it prints). Writes `load_model.json`."""
from __future__ import annotations
import argparse, json, shutil, statistics, tempfile, time
from pathlib import Path
import torch
from sheap.headmodel import write_head_model
from sheap.train import resolve_config, build_model, save_model
from sheap.predict import load_model


def main(argv=None):
    tmp = Path(tempfile.mkdtemp())                                       # a paper-size model and its ONNX file: ~1 GB
    try: _main(argv, tmp)
    finally: shutil.rmtree(tmp)


def _main(argv, tmp: Path):
    p = argparse.ArgumentParser()
    p.add_argument("--out", type=Path, required=True); p.add_argument("--device", default="cpu")
    p.add_argument("--batches", type=int, nargs="+", default=[1, 8]); p.add_argument("--repeats", type=int, default=20)
    p.add_argument("--compile", action="store_true", help="also time compile=True (bf16)")
    p.add_argument("--onnx", action="store_true", help="also export the model to ONNX and time it against PyTorch on the CPU")
    a = p.parse_args(argv)
    a.out.mkdir(parents=True, exist_ok=True)
    head = write_head_model(tmp / "head", seed=0)
    cfg = resolve_config("params.yaml", overrides=[f"train.head_model={head}", "model.profile=paper", "train.vit_size=224"])
    save_model(build_model(cfg), cfg, tmp / "model", step=0)
    sync = torch.cuda.synchronize if a.device == "cuda" else (lambda: None)
    res = dict(device=torch.cuda.get_device_name() if a.device == "cuda" else "cpu", threads=torch.get_num_threads(), model="paper (ViT-B/16 at 224) + FLAME")
    variants = [("fp32", {}), ("bf16", dict(precision="bf16"))] + ([("bf16_compiled", dict(precision="bf16", compile=True))] if a.compile else [])
    for name, kw in variants:
        pred = load_model(tmp / "model", a.device, **kw)
        assert pred.size == 224 and pred.model.estimator.cfg.width == 768, (pred.size, pred.model.estimator.cfg)
        for B in a.batches:
            x = torch.rand(B, 3, 224, 224, device=a.device)
            for _ in range(3): pred(x)                                          # warm-up (and compilation)
            ts = []
            for _ in range(a.repeats if B < 64 else max(3, a.repeats // 4)):
                sync(); t0 = time.perf_counter(); pred(x); sync(); ts.append(time.perf_counter() - t0)
            t = statistics.median(ts)
            res[f"{name}_batch{B}_ms"] = t * 1e3; res[f"{name}_batch{B}_images_per_s"] = B / t
            print(f"{name} batch {B}: {t * 1e3:.2f} ms, {B / t:.1f} images/s", flush=True)
    (a.out / "load_model.json").write_text(json.dumps(res, indent=1))
    if a.onnx:
        from sheap.cli import main as cli
        cli(["export", "--onnx", str(tmp / "onnx" / "sheap.onnx"), "--model", str(tmp / "model"), "--batch", "8"])


if __name__ == "__main__":
    main()
