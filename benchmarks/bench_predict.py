"""Inference speed: image -> FLAME vertices (ViT estimator + FLAME layer) at batch 1 (latency) and large batch
(throughput), eager, bf16 and CUDA-graph variants. Random weights of the paper-size ViT-B/16 at 224 (speed does not
depend on the weights). `python benchmarks/bench_predict.py --device cuda --out results/x.json`"""
import argparse, json, statistics, tempfile, time
from pathlib import Path
import torch
from sheap.headmodel import write_head_model
from sheap.flame import FLAME
from sheap.encoder import EncoderConfig, ParameterEstimator


def timed(f, x, reps, sync):
    ts = []
    for _ in range(reps):
        sync(); t0 = time.perf_counter(); f(x); sync(); ts.append(time.perf_counter() - t0)
    return statistics.median(ts)


def main(argv=None):
    p = argparse.ArgumentParser()
    p.add_argument("--device", default="cpu"); p.add_argument("--big", type=int, default=512)
    p.add_argument("--reps", type=int, default=50); p.add_argument("--out", type=Path)
    p.add_argument("--compile", action="store_true", help="also time torch.compile of the bf16 estimator")
    a = p.parse_args(argv)
    dev = torch.device(a.device)
    flame = FLAME.from_file(write_head_model(Path(tempfile.mkdtemp()) / "head")).to(dev)
    est = ParameterEstimator(EncoderConfig()).to(dev).eval()
    sync = torch.cuda.synchronize if dev.type == "cuda" else (lambda: None)

    def vertices(x, bf16=False):                                          # images [B, 3, 224, 224] -> vertices [B, V, 3]
        with torch.no_grad(), torch.autocast(dev.type, torch.bfloat16, enabled=bf16):
            e = est(x)
        return flame(e.shape.float(), e.expr.float(), e.pose.float(), None, e.trans.float()).vertices

    est_bf16 = ParameterEstimator(EncoderConfig()).to(dev).eval().to(torch.bfloat16)   # weights stored in bf16: no per-call casts
    est_compiled = torch.compile(est_bf16) if a.compile else None

    def vertices_bf16w(x, net=None):
        with torch.no_grad():
            e = (est_bf16 if net is None else net)(x.to(torch.bfloat16))
        return flame(e.shape.float(), e.expr.float(), e.pose.float(), None, e.trans.float()).vertices

    res = dict(device=torch.cuda.get_device_name() if dev.type == "cuda" else "cpu", threads=torch.get_num_threads())
    with torch.no_grad():
        for B in (1, a.big):
            x = torch.rand(B, 3, 224, 224, device=dev)
            reps = a.reps if (dev.type == "cuda" or B == 1) else 3
            variants = [("fp32", lambda x: vertices(x)), ("bf16", lambda x: vertices(x, True)), ("bf16_weights", vertices_bf16w)]
            if est_compiled is not None: variants.append(("bf16_weights_compiled", lambda x: vertices_bf16w(x, est_compiled)))
            for name, f in variants:
                f(x); f(x)
                t = timed(f, x, reps, sync)
                res[f"batch{B}_{name}_ms"] = t * 1e3; res[f"batch{B}_{name}_images_per_s"] = B / t
            if dev.type == "cuda":                                        # the whole forward replayed as one CUDA graph
                static = x.clone()
                s = torch.cuda.Stream(); s.wait_stream(torch.cuda.current_stream())
                with torch.cuda.stream(s):
                    for _ in range(3): vertices(static, True)
                torch.cuda.current_stream().wait_stream(s)
                graph = torch.cuda.CUDAGraph()
                with torch.cuda.graph(graph): out = vertices(static, True)
                t = timed(lambda x: (static.copy_(x), graph.replay()), x, reps, sync)
                assert torch.allclose(out, vertices(x, True), atol=1e-4)
                res[f"batch{B}_bf16_cudagraph_ms"] = t * 1e3; res[f"batch{B}_bf16_cudagraph_images_per_s"] = B / t
    print(json.dumps(res, indent=1))
    if a.out: a.out.parent.mkdir(parents=True, exist_ok=True); a.out.write_text(json.dumps(res, indent=1))


if __name__ == "__main__":
    main()
