"""The training loop as a user runs it: a real process killed with SIGKILL at random moments resumes bit for bit,
and DDP over 2 gloo processes equals one process at twice the batch (gradients) with identical densification."""
import os, random, signal, subprocess, sys, time
from pathlib import Path
import pytest
import torch
import yaml
from safetensors.torch import load_file
from sheap.synthetic import generate, SynthConfig
from sheap.train import resolve_config, latest_checkpoint, read_state

ROOT = Path(__file__).resolve().parents[1]
STEPS = 16


@pytest.fixture(scope="module")
def data(head_dir, tmp_path_factory):
    d = tmp_path_factory.mktemp("synth")
    for split, n in (("train", 3), ("val", 1)):
        generate(d, head_dir / "FLAME_NEUTRAL.pkl", videos=n, split=split, seed=1, cfg=SynthConfig(size=64, frames=3), progress=False, workers=1)
    return d


def _params(tmp: Path, head_dir: Path, data: Path, out: str) -> Path:
    cfg = yaml.safe_load((ROOT / "params.yaml").read_text())
    cfg["train"].update(head_model=str(head_dir / "FLAME_NEUTRAL.pkl"), data_dir=str(data), out=str(tmp / out), steps=STEPS,
                        size=32, vit_size=32, dino_size=32, batch_size=2, log_every=2, ckpt_every=2, keep=2, image_every=4,
                        eval_every=4, eval_videos=1, metrics=None, progress=False, warmup=2)
    p = tmp / f"{out}.yaml"
    p.write_text(yaml.safe_dump(cfg))
    return p


def _cmd(params: Path, *extra) -> list[str]:
    return [sys.executable, "-m", "sheap.train", "--params", str(params), *extra]


ENV = {**os.environ, "OMP_NUM_THREADS": "2", "MKL_NUM_THREADS": "2"}   # as `dvc repro` on a 2-core machine: the CPU loop repeats itself at a given thread count


def test_kill_and_resume_is_bit_exact(tmp_path, head_dir, data):
    straight = _params(tmp_path, head_dir, data, "straight")
    subprocess.run(_cmd(straight), check=True, env=ENV, cwd=ROOT, capture_output=True)
    killed = _params(tmp_path, head_dir, data, "killed")
    ck = tmp_path / "killed" / "checkpoints"
    rng = random.Random(0)
    kills, proc = 0, None
    for attempt in range(6):                              # kill at random moments, resume each time
        proc = subprocess.Popen(_cmd(killed, *(["--resume"] if attempt else [])), env=ENV, cwd=ROOT,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if attempt >= 2: break                            # the last run finishes
        t0 = time.time()
        first = latest_checkpoint(ck)
        while time.time() - t0 < 120:                     # wait for a new checkpoint, then kill a little later
            c = latest_checkpoint(ck)
            if c is not None and c != first: break
            if proc.poll() is not None: break
            time.sleep(0.05)
        time.sleep(rng.uniform(0.0, 0.8))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL); proc.wait(); kills += 1
        c = latest_checkpoint(ck)                         # never a half-written latest
        assert c is not None and (c / "model.safetensors").is_file() and read_state(c)["step"] % 2 == 0
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err.decode()[-2000:]
    assert kills >= 1
    a, b = load_file(tmp_path / "straight" / "model.safetensors"), load_file(tmp_path / "killed" / "model.safetensors")
    assert a.keys() == b.keys()
    different = [k for k in a if not torch.equal(a[k], b[k])]
    assert not different, different[:5]
    assert read_state(latest_checkpoint(ck))["step"] == STEPS
    for t in ("train/loss", "train/lmk", "val/neutral_median"):       # the logs read as if never killed: no repeated or missing rows
        def rows(run):                                                # (step, value); DVCLive puts a timestamp first, TsvLog not
            head, *body = [r.split("\t") for r in (tmp_path / run / "dvclive" / "plots" / "metrics" / f"{t}.tsv").read_text().splitlines()]
            return [(int(r[head.index("step")]), float(r[-1])) for r in body]
        s, k = rows("straight"), rows("killed")
        assert [r[0] for r in k] == [r[0] for r in s], (t, [r[0] for r in k])
        assert all(abs(a[1] - b[1]) <= 1e-6 * max(1.0, abs(a[1])) for a, b in zip(s, k)), t


def test_refuses_a_mismatched_resume(tmp_path, head_dir, data):
    p = _params(tmp_path, head_dir, data, "run")
    cfg = yaml.safe_load(p.read_text()); cfg["train"]["steps"] = 2
    p.write_text(yaml.safe_dump(cfg))
    subprocess.run(_cmd(p), check=True, env=ENV, cwd=ROOT, capture_output=True)
    r = subprocess.run(_cmd(p, "--resume", "-S", "loss.w_l1=1.5", "-S", "train.steps=4"), env=ENV, cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 2 and "loss.w_l1" in r.stderr and "step_0000002" in r.stderr, r.stderr
    (tmp_path / "run" / "checkpoints" / "step_0000002" / "optimizer.safetensors").write_bytes(b"{}")
    r = subprocess.run(_cmd(p, "--resume", "-S", "train.steps=4"), env=ENV, cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 2 and "optimizer.safetensors" in r.stderr, r.stderr


def _ddp_worker(rank: int, world: int, tmp: str, params: str, port: int):
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), RANK=str(rank), WORLD_SIZE=str(world), LOCAL_RANK=str(rank))
    torch.set_num_threads(1)
    import torch.distributed as dist
    from sheap.train import build_model, make_optimizer, model_configs, step_once, setup_distributed, broadcast_landmark_branch
    from sheap.densify import Densifier
    setup_distributed("cpu")
    cfg = resolve_config(params, None, ["step.random_background=false"])
    model = build_model(cfg)
    batch = torch.load(Path(tmp) / "batch.pt")
    mine = {k: v[rank:rank + 1] if torch.is_tensor(v) else v for k, v in batch.items()}
    net = torch.nn.parallel.DistributedDataParallel(model, broadcast_buffers=False)
    out = net(mine)
    out.loss.backward()
    torch.save({n: p.grad.clone() for n, p in model.named_parameters() if p.grad is not None}, Path(tmp) / f"grads{rank}.pt")
    # the landmark branch: whatever rank 1 holds (here: rank 0's plus one), it leaves with rank 0's
    est = model.estimator
    live = (est.landmark_mean, est.landmark_basis, est.landmark_linear.weight, est.landmark_linear.bias)
    branch = lambda: [t.detach().clone() for t in live]
    before = branch()
    if rank == 1:
        with torch.no_grad():
            for t in live: t.add_(1.0)
    broadcast_landmark_branch(est)
    torch.save(dict(before=before, after=branch()), Path(tmp) / f"branch{rank}.pt")
    # densification decisions: different data per rank, identical prototypes after a few steps
    opt = make_optimizer(model, 1e-3, 1e-4)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: 1.0)
    dens = Densifier(model.regressor, opt, model_configs(cfg)[2], check_inputs=False)
    fi = torch.zeros(())
    for _ in range(3): step_once(net, model, opt, sched, mine, dens, None, fi)
    torch.save(dict(parent=model.regressor.parent_face.clone(), emb=model.regressor.embedding.detach().clone(), steps=dens.steps),
               Path(tmp) / f"dens{rank}.pt")
    dist.destroy_process_group()


def test_ddp_two_processes_equal_one_process_at_twice_the_batch(tmp_path, head_dir, data):
    from torch.utils.data import DataLoader
    from sheap.train import build_model, build_dataset
    params = _params(tmp_path, head_dir, data, "ddp")
    cfg = resolve_config(params, None, ["step.random_background=false"])
    batch = next(iter(DataLoader(build_dataset(cfg), batch_size=2)))
    torch.save(batch, tmp_path / "batch.pt")
    model = build_model(cfg)
    model(batch).loss.backward()
    ref = {n: p.grad for n, p in model.named_parameters() if p.grad is not None}
    port = 29500 + os.getpid() % 1000
    torch.multiprocessing.spawn(_ddp_worker, args=(2, str(tmp_path), str(params), port), nprocs=2, join=True)
    g0, g1 = torch.load(tmp_path / "grads0.pt"), torch.load(tmp_path / "grads1.pt")
    assert g0.keys() == ref.keys()
    for n, r in ref.items():
        assert torch.equal(g0[n], g1[n]), n                                          # all-reduced: the same on both ranks
        torch.testing.assert_close(g0[n], r, rtol=2e-3, atol=1e-6, msg=lambda m: f"{n}: {m}")
    assert cfg["model"]["landmarks"]                                                   # the branch is there to broadcast
    b0, b1 = torch.load(tmp_path / "branch0.pt"), torch.load(tmp_path / "branch1.pt")
    for t0, a0, a1 in zip(b0["before"], b0["after"], b1["after"]):
        assert torch.equal(a0, t0) and torch.equal(a1, t0)                                    # rank 0's, on both ranks
    d0, d1 = torch.load(tmp_path / "dens0.pt"), torch.load(tmp_path / "dens1.pt")
    assert d0["steps"] == d1["steps"] == 3
    assert torch.equal(d0["parent"], d1["parent"]) and torch.equal(d0["emb"], d1["emb"])


def test_detector_branch_trains_resumes_and_loads_without_its_folder(tmp_path, head_dir, data):
    "`model.landmark_source: detector`: the branch is fitted on a trained detector's points, the detector's weights and config travel with the model, and a resumed run finds the same configuration."
    import shutil
    from sheap.detector import DetectorConfig, train_detector
    from sheap.train import train, load_trained
    det, _ = train_detector(data, tmp_path / "det", DetectorConfig(image_size=32, widths=(8, 16, 32), groups=4), steps=3, batch=4)
    over = [f"model.landmark_source=detector", f"model.landmark_detector={tmp_path / 'det'}", "train.image_every=0", "train.eval_every=0"]
    cfg = resolve_config(_params(tmp_path, head_dir, data, "run"), overrides=over + ["train.steps=2"])
    assert train(cfg)["step"] == 2
    cfg = resolve_config(_params(tmp_path, head_dir, data, "run"), overrides=over + ["train.steps=4"])
    assert train(cfg, resume=True)["step"] == 4
    shutil.rmtree(tmp_path / "det")                                  # the trained model does not need the detector's folder
    model = load_trained(tmp_path / "run")
    x = torch.rand(2, 3, 32, 32)
    with torch.no_grad():
        assert torch.equal(model.estimator.detector(x), det.eval()(x))
        assert model.estimator.landmark_basis.abs().sum() > 0 and model.estimator.landmark_linear.weight.abs().sum() > 0
    with pytest.raises(FileNotFoundError, match="detector.json"):   # a fresh run without it says what is missing
        train(resolve_config(_params(tmp_path, head_dir, data, "run2"), overrides=over))
