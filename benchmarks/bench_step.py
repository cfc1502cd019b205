"""Time one full SHeaP training step (forward, backward, Adam, densification statistics) at the paper profile.

GPU:  python benchmarks/bench_step.py --out $OUT --cuda            (paper sizes, batch 8, 512 px, bf16 autocast)
CPU:  python benchmarks/bench_step.py --out runs/bench_step --tiny --batch 2 --size 64 --repeats 3

Everything is the real architecture at random weights: ViT-B/16 at 224 (estimator), DINOv2 ViT-B/14 at 448
(transformers, frozen, loaded through `sheap.encoder.DinoFeatures` from a folder written here), the Gaussians
regressor (2 Gaussians per face on the procedural head, 10,294 faces), VGGFace2 ResNet-50 (perceptual), ArcFace
iresnet100 (identity), a ResNet-50 expression network given as TorchScript; all losses on, densification on.
The batch is a synthetic video at the render size (`sheap.synthetic`). Writes `step.json` (medians in ms over
--repeats steps after --warmup steps, with forward/backward/optimizer/densify split by CUDA events) and, with
--profile, `profile.txt` (top kernels by CUDA time; on CPU by self CPU time).
"""
from __future__ import annotations
import argparse, json, statistics, tempfile, time, warnings
from pathlib import Path
import torch
from torch.utils.data import DataLoader
from sheap.headmodel import write_head_model
from sheap.flame import FLAME
from sheap.synthetic import generate, SynthConfig
from sheap.data import VideoPairs
from sheap.encoder import EncoderConfig, DinoFeatures, dino_features
from sheap.regressor import RegressorConfig
from sheap.densify import Densifier, DensifyConfig
from sheap.losses import FaceNetworks, VGGFace2ResNet50, IResNet, ARCFACE_LAYERS, ScriptedFeatures
from sheap.step import SHeaP, StepConfig, make_optimizer
from sheap.meshraster import rasterize_mesh
from sheap.render import render_gaussians


def dinov2_folder(root: Path) -> Path:
    "A transformers Dinov2Model folder (ViT-B/14 sizes, random weights)."
    from transformers import Dinov2Config, Dinov2Model
    Dinov2Model(Dinov2Config(hidden_size=768, num_hidden_layers=12, num_attention_heads=12, patch_size=14, image_size=518)).save_pretrained(root)
    return root


def build(a, dev, tmp):
    flame = FLAME.from_file(write_head_model(tmp / "head", seed=0))
    if a.tiny:
        enc, reg = EncoderConfig.tiny(image_size=112), RegressorConfig.tiny()
        dino, nets = dino_features(None, reg.d_dino), FaceNetworks()
    else:
        enc, reg = EncoderConfig.paper(), RegressorConfig.paper()
        dino = DinoFeatures(dinov2_folder(tmp / "dinov2"))
        expr = ScriptedFeatures(torch.jit.trace(VGGFace2ResNet50(7).eval(), torch.rand(1, 3, 224, 224)), 224)
        nets = FaceNetworks(VGGFace2ResNet50(), IResNet(ARCFACE_LAYERS[100]), expr)
        for m in (nets.vggface2, nets.arcface, nets.expression): m.eval().requires_grad_(False)
    model = SHeaP(flame, enc, reg, dino=dino, face_networks=nets, step=StepConfig()).to(dev)
    if dev == "cuda" and not a.no_cast: model.cast_frozen(torch.bfloat16, channels_last=True)
    if a.compile: model.compile_networks(a.compile_mode)
    return model, enc


def main(argv=None):
    p = argparse.ArgumentParser()
    p.add_argument("--out", type=Path, required=True); p.add_argument("--cuda", action="store_true")
    p.add_argument("--tiny", action="store_true"); p.add_argument("--batch", type=int, default=8)
    p.add_argument("--size", type=int, default=512); p.add_argument("--repeats", type=int, default=30)
    p.add_argument("--warmup", type=int, default=8); p.add_argument("--profile", action="store_true")
    p.add_argument("--no-cast", action="store_true", help="keep the frozen networks in float32 (autocast casts per step)")
    p.add_argument("--compile", action="store_true", help="SHeaP.compile_networks: ViT estimator, UV generator, DINOv2, face networks")
    p.add_argument("--compile-mode", default=None, help="torch.compile mode, e.g. reduce-overhead (CUDA graphs)")
    p.add_argument("--parts", action="store_true", help="time each forward stage on its own (synchronised)")
    p.add_argument("--syncs", action="store_true",
                   help="count host syncs in one step (torch.cuda.set_sync_debug_mode)")
    a = p.parse_args(argv)
    a.out.mkdir(parents=True, exist_ok=True)
    dev = "cuda" if a.cuda else "cpu"
    torch.manual_seed(0)
    tmp = Path(tempfile.mkdtemp())
    t0 = time.perf_counter()
    model, enc = build(a, dev, tmp)
    generate(tmp / "synth", tmp / "head" / "FLAME_NEUTRAL.pkl", videos=2, split="train", seed=0,
             cfg=SynthConfig(size=a.size, frames=4), workers=2)
    pairs = VideoPairs(tmp / "synth", "train", size=a.size, vit_size=enc.image_size, dino_size=112 if a.tiny else 448, pairs_per_video=a.batch)
    batch = {k: v.to(dev, non_blocking=True) if torch.is_tensor(v) else v for k, v in next(iter(DataLoader(pairs, batch_size=a.batch))).items()}
    print(f"setup {time.perf_counter() - t0:.1f} s", flush=True)
    opt = make_optimizer(model)
    dens = Densifier(model.regressor, opt, DensifyConfig(), check_inputs=False)
    amp = torch.autocast(dev, dtype=torch.bfloat16, enabled=a.cuda)
    ev = lambda: torch.cuda.Event(enable_timing=True) if a.cuda else None

    def step(times=None):
        e = [ev() for _ in range(5)]
        if a.cuda: e[0].record()
        opt.zero_grad(set_to_none=True)
        with amp: out = model(batch)
        if a.cuda: e[1].record()
        out.loss.backward()
        if a.cuda: e[2].record()
        opt.step()
        if a.cuda: e[3].record()
        dens.observe(out.canonical.opacities, out.gaussians.means.grad)
        if a.cuda: e[4].record()
        if times is not None and a.cuda:
            times.append(e)
        return out

    for _ in range(a.warmup): out = step()
    if a.cuda: torch.cuda.synchronize()
    res = dict(device=torch.cuda.get_device_name() if a.cuda else "cpu", batch=a.batch, size=a.size,
               profile="tiny" if a.tiny else "paper", gaussians=int(model.regressor.parent_face.shape[0]),
               terms=sorted(out.terms), frozen_bf16=a.cuda and not a.no_cast, compiled=a.compile and (a.compile_mode or "default"))
    walls, evs = [], []
    for _ in range(a.repeats):
        t = time.perf_counter(); step(evs)
        if a.cuda: torch.cuda.synchronize()
        walls.append((time.perf_counter() - t) * 1e3)
    res["step_ms_median"] = statistics.median(walls)
    res["steps_per_s"] = 1e3 / res["step_ms_median"]
    if a.cuda:
        for name, (i, j) in dict(forward=(0, 1), backward=(1, 2), optimizer=(2, 3), densify=(3, 4)).items():
            res[f"{name}_ms_median"] = statistics.median(e[i].elapsed_time(e[j]) for e in evs)
        res["max_memory_gib"] = torch.cuda.max_memory_allocated() / 2 ** 30
    if a.syncs and a.cuda:
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            torch.cuda.set_sync_debug_mode("warn"); step(); torch.cuda.set_sync_debug_mode(0)
        res["host_syncs_per_step"] = len(w)
        (a.out / "syncs.txt").write_text("\n\n".join(str(x.message)[:300] + "\n" + str(x.filename) + ":" + str(x.lineno) for x in w))
    if a.parts and a.cuda: res["forward_parts_ms"] = parts(model, batch, amp)
    if a.profile:
        from torch.profiler import profile, ProfilerActivity
        with profile(activities=[ProfilerActivity.CPU] + [ProfilerActivity.CUDA] * a.cuda) as prof:
            for _ in range(3): step()
            if a.cuda: torch.cuda.synchronize()
        sort = "cuda_time_total" if a.cuda else "self_cpu_time_total"
        (a.out / "profile.txt").write_text(prof.key_averages().table(sort_by=sort, row_limit=60))
    print(json.dumps(res, indent=1))
    (a.out / "step.json").write_text(json.dumps(res, indent=1))


def parts(model, batch, amp, repeats: int = 10) -> dict:
    "Median wall ms of each stage of the forward pass (synchronised around each, so launch overhead shows)."
    from sheap.step import _split
    from sheap.cameras import default_camera
    import statistics as st
    B, _, H, W = batch["target_image"].shape
    T = {}
    def t(name, fn):
        torch.cuda.synchronize(); t0 = time.perf_counter(); r = fn(); torch.cuda.synchronize()
        T.setdefault(name, []).append((time.perf_counter() - t0) * 1e3); return r
    for _ in range(repeats):
        with amp:
            est = t("estimator", lambda: model.estimator(torch.cat([batch["source_image_vit"], batch["target_image_vit"]])))
            s, g_ = _split(est, B)
            tok = t("dino", lambda: model.dino(batch["source_image_dino"]))
            canon, _ = t("regressor", lambda: model.regressor(s.features, tok))
            fo = t("flame", lambda: model.flame(s.shape, g_.expr, g_.pose, g_.eyelids if model.has_eyelids else None, g_.trans))
            V, K = default_camera(B, W, H, device="cuda")
            g = t("bind+shade", lambda: canon.bind(fo.vertices, model.flame.faces, check_inputs=False))
            ras = t("mesh raster", lambda: rasterize_mesh(fo.vertices, model.flame.faces, V, K, W, H, check_inputs=False))
            r = t("gsplat render", lambda: render_gaussians(g.means, g.quats, g.scales, g.opacities, g.albedo, V, K, W, H, check_inputs=False))
            t("face networks", lambda: model.face_networks(r.rgb, r.rgb.detach(), batch["target_lmk68"]))
    return {k: st.median(v) for k, v in T.items()}


if __name__ == "__main__":
    main()
