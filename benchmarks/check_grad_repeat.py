"""Repeat one forward/backward of the training step at fixed weights and batch; report any bit-wise difference (CPU).

    python benchmarks/check_grad_repeat.py --checkpoint RUN/checkpoints/step_0000050 --repeats 60 --busy 2

Loads the checkpoint's weights into the model of `params.yaml` (`--model-dir`'s stored configuration), takes two
training pairs, and runs the loss and its backward `--repeats` times with the same seed, comparing the loss, every
parameter gradient and the Gaussians' position gradients (what the densifier ranks) with the first pass. `--busy N`
runs N spinning processes beside it (a loaded machine).
"""
from __future__ import annotations
import argparse, json
from pathlib import Path
import torch
from check_determinism import busy      # benchmarks/ is the script's folder, so on sys.path
from sheap.train import read_model_config, build_model, build_dataset, load_learned_state, _load_tensors


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--checkpoint", type=Path, required=True); p.add_argument("--model-dir", type=Path, default=Path("models/sheap-tiny"))
    p.add_argument("--repeats", type=int, default=20); p.add_argument("--busy", type=int, default=0)
    p.add_argument("--items", type=int, nargs="+", default=[3, 11])
    a = p.parse_args(argv)
    cfg = read_model_config(a.model_dir)["config"]
    model = build_model(cfg, "cpu")
    load_learned_state(model, _load_tensors(a.checkpoint / "model.safetensors"), a.checkpoint / "model.safetensors")
    model.train()
    ds = build_dataset(cfg)
    items = [ds[i] for i in a.items]
    batch = {k: torch.stack([it[k] for it in items]) for k in items[0] if torch.is_tensor(items[0][k])}
    ref, differing = None, []
    with busy(a.busy):
        for r in range(a.repeats):
            for q in model.parameters(): q.grad = None
            torch.manual_seed(123)
            out = model(batch); out.loss.backward()
            rec = (out.loss.detach().clone(), torch.cat([q.grad.reshape(-1) for q in model.parameters() if q.grad is not None]),
                   out.gaussians.means.grad.clone())
            if ref is None: ref = rec; continue
            d = [int((x != y).sum()) for x, y in zip(ref, rec)]
            if any(d): differing.append(dict(repeat=r, loss=d[0], parameter_grads=d[1], position_grads=d[2]))
    res = dict(repeats=a.repeats, busy=a.busy, threads=torch.get_num_threads(), differing=differing)
    print(json.dumps(res, indent=1))


if __name__ == "__main__":
    main()
