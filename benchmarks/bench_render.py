"""Benchmark and parity check of sheap's renderers.

CPU:  python benchmarks/bench_render.py --out runs/bench_cpu
GPU:  python benchmarks/bench_render.py --out $OUT --cuda   (needs gsplat; see ../README section "GPU")

Writes `results.json` (timings are medians over --repeats runs after warm-up, in milliseconds) and, with
--cuda, `parity.json` plus `render_parity.png` (torch vs gsplat on the same scene).
"""
from __future__ import annotations
import argparse, json, math, statistics, tempfile, time
from pathlib import Path
import torch
from sheap.headmodel import write_head_model
from sheap.flame import FLAME, axis_angle_to_matrix
from sheap.binding import bind_gaussians, splat_normals
from sheap.shading import shade, procedural_illumination_prior
from sheap.render import render_gaussians, default_camera
from sheap.meshraster import rasterize_mesh


def head_scene(batch: int, n_splats: int, size: int, device: str, seed: int = 0):
    "`n_splats` Gaussians bound to the procedural head in `batch` random poses, with the default camera."
    g = torch.Generator().manual_seed(seed)
    tmp = Path(tempfile.mkdtemp()); write_head_model(tmp, seed=3)
    flame = FLAME.from_file(tmp / "FLAME_NEUTRAL.pkl")
    pose = torch.eye(3).expand(batch, 5, 3, 3).clone()
    aa = (torch.rand(batch, 3, generator=g) - 0.5) * torch.tensor([0.6, 1.2, 0.3])
    pose[:, 0] = axis_angle_to_matrix(aa)
    out = flame(torch.randn(batch, 300, generator=g) * 0.5, torch.randn(batch, flame.n_expr, generator=g) * 0.5, pose)
    F = flame.faces.shape[0]
    pf = torch.arange(n_splats) % F
    off = torch.randn(batch, n_splats, 3, generator=g) * torch.tensor([0.25, 0.25, 0.1])
    sc = 0.3 + 0.5 * torch.rand(batch, n_splats, 2, generator=g)
    q = torch.nn.functional.normalize(torch.tensor([1.0, 0, 0, 0]) + 0.2 * torch.randn(batch, n_splats, 4, generator=g), dim=-1)
    means, quats, scales = bind_gaussians(out.vertices, flame.faces, pf, off, sc, q)
    V, K = default_camera(batch, size, size)
    skin = torch.tensor([0.78, 0.57, 0.47]) * (0.85 + 0.3 * torch.rand(batch, n_splats, 1, generator=g))
    colors = shade(skin, splat_normals(quats), procedural_illumination_prior().sh(torch.zeros(batch, 10))).clamp(0, 1)
    opac = 0.3 + 0.7 * torch.rand(batch, n_splats, generator=g)
    d = lambda t: t.to(device).contiguous()
    return dict(means=d(means), quats=d(quats), scales=d(scales), opacities=d(opac), colors=d(colors),
                viewmats=d(V), Ks=d(K)), d(out.vertices), d(flame.faces)


def random_scene(batch: int, n: int, size: int, device: str, seed: int = 1):
    "Random splats in a 20 cm box in front of the default camera (any orientation, size, opacity)."
    g = torch.Generator().manual_seed(seed)
    V, K = default_camera(batch, size, size)
    d = lambda t: t.to(device).contiguous()
    return dict(means=d((torch.rand(batch, n, 3, generator=g) - 0.5) * 0.2), quats=d(torch.randn(batch, n, 4, generator=g)),
                scales=d(torch.rand(batch, n, 3, generator=g) * 0.01 + 0.0005), opacities=d(torch.rand(batch, n, generator=g)),
                colors=d(torch.rand(batch, n, 3, generator=g)), viewmats=d(V), Ks=d(K))


def timeit(fn, repeats: int, cuda: bool) -> float:
    for _ in range(2): fn()
    ts = []
    for _ in range(repeats):
        if cuda: torch.cuda.synchronize()
        t = time.perf_counter(); fn()
        if cuda: torch.cuda.synchronize()
        ts.append((time.perf_counter() - t) * 1e3)
    return statistics.median(ts)


def fwd_bwd(scene, size, backend, kind="2dgs"):
    leaves = {k: v.detach().requires_grad_(k in ("means", "quats", "scales", "opacities", "colors")) for k, v in scene.items()}
    def run():
        r = render_gaussians(**leaves, width=size, height=size, backend=backend, kind=kind,
                             backgrounds=torch.ones_like(leaves["colors"][:, 0]))
        (r.rgb.sum() + r.depth.sum() + r.normals.sum() + r.alpha.sum()).backward()
    return run


def parity(scene, size, kind="2dgs"):
    "Torch vs gsplat on one scene: image differences and gradient agreement."
    res, outs = {}, {}
    target = torch.rand(scene["colors"].shape[0], size, size, 3, device=scene["colors"].device, generator=torch.Generator(scene["colors"].device).manual_seed(0))
    for be in ("torch", "gsplat"):
        leaves = {k: v.detach().clone().requires_grad_(k in ("means", "colors", "opacities")) for k, v in scene.items()}
        r = render_gaussians(**leaves, width=size, height=size, backend=be, kind=kind, backgrounds=torch.ones_like(leaves["colors"][:, 0]))
        ((r.rgb - target) ** 2).mean().backward()
        outs[be] = (r, {k: leaves[k].grad for k in ("means", "colors", "opacities")})
    (rt, gt), (rg, gg) = outs["torch"], outs["gsplat"]
    mse = ((rt.rgb - rg.rgb) ** 2).mean().item()
    cov = (rt.alpha > 0.5) & (rg.alpha > 0.5)
    res["rgb_psnr_db"] = 10 * math.log10(1 / max(mse, 1e-20))
    res["rgb_max_abs"] = (rt.rgb - rg.rgb).abs().max().item()
    res["alpha_max_abs"] = (rt.alpha - rg.alpha).abs().max().item(); res["alpha_mean_abs"] = (rt.alpha - rg.alpha).abs().mean().item()
    dd = (rt.depth - rg.depth)[cov]; res["depth_covered_max_abs_m"] = dd.abs().max().item(); res["depth_covered_mean_abs_m"] = dd.abs().mean().item()
    nd = (rt.normals - rg.normals)[cov[..., 0]]; res["normals_covered_max_abs"] = nd.abs().max().item(); res["normals_covered_mean_abs"] = nd.abs().mean().item()
    res["covered_fraction"] = cov.float().mean().item()
    for k in gt:
        a, b = gt[k].flatten(), gg[k].flatten()
        res[f"grad_{k}_cosine"] = torch.nn.functional.cosine_similarity(a, b, dim=0).item()
        res[f"grad_{k}_rel_l2"] = ((a - b).norm() / b.norm().clamp_min(1e-30)).item()
    return res, rt, rg


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True); ap.add_argument("--cuda", action="store_true"); ap.add_argument("--repeats", type=int, default=10)
    a = ap.parse_args(argv)
    out = Path(a.out); out.mkdir(parents=True, exist_ok=True)
    dev = "cuda" if a.cuda else "cpu"
    res = {"device": torch.cuda.get_device_name() if a.cuda else f"cpu x{torch.get_num_threads()} threads", "torch": torch.__version__}
    if not a.cuda:
        s, v, f = head_scene(1, 10_000, 128, dev)
        res["torch_2dgs_1x10k_128px_fwd_bwd_ms"] = timeit(fwd_bwd(s, 128, "torch"), a.repeats, False)
        res["torch_3dgs_1x10k_128px_fwd_bwd_ms"] = timeit(fwd_bwd(s, 128, "torch", "3dgs"), a.repeats, False)
        s, v, f = head_scene(8, 10_000, 128, dev)
        res["torch_2dgs_8x10k_128px_fwd_bwd_ms"] = timeit(fwd_bwd(s, 128, "torch"), max(3, a.repeats // 3), False)
        for size in (128, 256):
            vv = v.detach().requires_grad_()
            def mr(): r = rasterize_mesh(vv, f, s["viewmats"], s["Ks"], size, size); (r.depth.sum() + r.normals.sum()).backward()
            res[f"meshraster_8x{f.shape[0]}f_{size}px_fwd_bwd_ms"] = timeit(mr, a.repeats, False)
    else:
        import matplotlib; matplotlib.use("Agg"); import matplotlib.pyplot as plt
        import gsplat; res["gsplat"] = gsplat.__version__
        t0 = time.perf_counter(); s, v, f = head_scene(1, 1000, 64, dev); render_gaussians(**s, width=64, height=64, backend="gsplat")
        torch.cuda.synchronize(); res["gsplat_first_call_s"] = time.perf_counter() - t0   # includes the JIT build on a fresh machine
        s, v, f = head_scene(8, 40_000, 512, dev)
        res["gsplat_2dgs_8x40k_512px_fwd_bwd_ms"] = timeit(fwd_bwd(s, 512, "gsplat"), 50, True)
        res["gsplat_3dgs_8x40k_512px_fwd_bwd_ms"] = timeit(fwd_bwd(s, 512, "gsplat", "3dgs"), 50, True)
        res["torch_2dgs_8x40k_512px_fwd_bwd_ms"] = timeit(fwd_bwd(s, 512, "torch"), 10, True)
        vv = v.detach().requires_grad_()
        def mr(): r = rasterize_mesh(vv, f, s["viewmats"], s["Ks"], 512, 512); (r.depth.sum() + r.normals.sum()).backward()
        def mf(): rasterize_mesh(v, f, s["viewmats"], s["Ks"], 512, 512)
        res[f"meshraster_8x{f.shape[0]}f_512px_fwd_ms"] = timeit(mf, 50, True)
        res[f"meshraster_8x{f.shape[0]}f_512px_fwd_bwd_ms"] = timeit(mr, 50, True)
        par = {}
        scenes = {"head_2x20k_512px": (head_scene(2, 20_000, 512, dev)[0], 512), "random_2x5k_256px": (random_scene(2, 5000, 256, dev), 256)}
        for name, (sc, size) in scenes.items():
            for kind in ("2dgs", "3dgs"):
                r, rt, rg = parity(sc, size, kind)
                par[f"{name}_{kind}"] = r
                if name.startswith("head") and kind == "2dgs": fig_t, fig_g = rt, rg
        (out / "parity.json").write_text(json.dumps(par, indent=1))
        fig, ax = plt.subplots(2, 4, figsize=(12, 6.4))
        for row, (lab, r) in enumerate((("torch", fig_t), ("gsplat", fig_g))):
            ax[row, 0].imshow(r.rgb[0].detach().clamp(0, 1).cpu()); ax[row, 0].set_title(f"{lab}: colour")
            ax[row, 1].imshow(r.alpha[0, ..., 0].detach().cpu(), cmap="gray"); ax[row, 1].set_title(f"{lab}: alpha")
            ax[row, 2].imshow(r.depth[0, ..., 0].detach().masked_fill(r.alpha[0, ..., 0] < 0.5, float("nan")).cpu(), cmap="viridis"); ax[row, 2].set_title(f"{lab}: depth")
            ax[row, 3].imshow((r.normals[0].detach() * 0.5 + 0.5).clamp(0, 1).cpu()); ax[row, 3].set_title(f"{lab}: normals")
        for x in ax.flat: x.axis("off")
        p = par["head_2x20k_512px_2dgs"]
        fig.suptitle(f"2DGS, 20k splats on the procedural head, 512 px: torch vs gsplat, RGB PSNR {p['rgb_psnr_db']:.1f} dB")
        fig.tight_layout(); fig.savefig(out / "render_parity.png", dpi=60)
    (out / "results.json").write_text(json.dumps(res, indent=1))
    print(json.dumps(res, indent=1))


if __name__ == "__main__":
    main()
