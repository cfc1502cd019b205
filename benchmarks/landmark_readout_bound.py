"""How far a linear read-out of 68 image landmarks can go: a ridge map from the landmarks of training frames to a FLAME
fit of them (one shape per video, prior 3e-5: what the landmark branch's fitted start regresses), applied to held-out
frames' landmarks, neutral median error paired against the mean head. Inputs compared: the data's detector-like
annotations (`lmk68`) and the true projections (`lmk68_clean`); and, for reference, FLAME fits to each test frame and to
each test video. With `--detector DET` (`sheap train-detector`), also the read-out of that detector's points, its map
fitted on the detector's points of the training frames, as the branch does (and, for comparison, the annotations' map
applied to the detector's points). Usage (data from `sheap synth`; the
training split at 128 px, the test split at 256 px):
  python benchmarks/landmark_readout_bound.py --train TRAIN --test TEST --head-model HEAD --out OUT.json [--detector DET]
      [--train-videos N] [--train-frames N]   # the maps fitted on the first N training videos / N frames of each
      [--gains 1.2,1.4,...]                   # also each ridge-1e-4 read-out's shape scaled by these factors
      [--noise-px 0.1,0.2,...]                # also a simulated detector: the truth plus Gaussian noise of that
                                              # standard deviation per axis, in pixels at 112 px (the detector's input)
      [--mediapipe]                           # with --detector: also mediapipe's face mesh of the same 112 px frames
                                              # (128 principal axes), alone and beside the detector's points
"""
import argparse, json, time
from pathlib import Path
import numpy as np
import torch
from sheap.flame import FLAME
from sheap.encoder import landmark_features
from sheap.eval.geometry import load_frames, fit_landmarks, mean_head, geometry_errors, FlameParams

def annotations(root, split, key):
    man = json.loads((Path(root) / "manifest.json").read_text())
    out, vid = [], []
    for k, v in enumerate(x for x in man["videos"] if x["split"] == split):
        with np.load(Path(root) / v["path"] / "annotations.npz") as a: out.append(torch.from_numpy(a[key]).float())
        vid += [k] * out[-1].shape[0]
    return torch.cat(out), torch.tensor(vid)

def features(l, side):  # [N, 68, 2] pixels -> [N, 139]: the landmark branch's input vector (`landmark_features`)
    return landmark_features(l / side)[0].double()

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--train", required=True); ap.add_argument("--test", required=True); ap.add_argument("--head-model", required=True)
    ap.add_argument("--train-size", type=int, default=128); ap.add_argument("--test-size", type=int, default=256)
    ap.add_argument("--test-frames", type=int, default=4); ap.add_argument("--out", required=True)
    ap.add_argument("--detector", default=None, help="a detector folder (`sheap train-detector`): also read out its points")
    ap.add_argument("--train-videos", type=int, default=None, help="fit the maps on the first N training videos only")
    ap.add_argument("--train-frames", type=int, default=None, help="fit the maps on the first N frames of each training video only")
    ap.add_argument("--gains", default="", help="comma-separated: also score each ridge-1e-4 read-out's shape times these factors (is the read-out shrunk?)")
    ap.add_argument("--mediapipe", action="store_true", help="with --detector: also read out mediapipe's face mesh (128 principal axes), alone and beside the detector's points (does it add to them?)")
    ap.add_argument("--noise-px", default="", help="comma-separated: read out the truth plus Gaussian noise of this sigma per axis (pixels at 112 px), the map fitted on equally noisy training points")
    a = ap.parse_args()
    if a.mediapipe and not a.detector: ap.error("--mediapipe compares the mesh with the detector's points: give --detector too")
    torch.manual_seed(0)
    flame = FLAME.from_file(a.head_model)
    ltr, vtr = annotations(a.train, "train", "lmk68")
    use = vtr < (a.train_videos or len(vtr))                                        # the first N training videos
    use &= torch.arange(len(vtr)) - torch.searchsorted(vtr, vtr) < (a.train_frames or len(vtr))   # ... their first N frames
    ltr, vtr = ltr[use], vtr[use]
    t0 = time.time()
    Y = fit_landmarks(flame, ltr, vtr, a.train_size, w_shape=3e-5).shape[:, :100].double()
    res = dict(train_videos=int(vtr.unique().numel()), train_frames=len(ltr), train_fit_seconds=round(time.time() - t0, 1))
    X = features(ltr, a.train_size); mu = X.mean(0); Xc = X - mu; C = Xc.T @ Xc / len(X)
    fr = load_frames(a.test, "test", a.test_size, max_frames=a.test_frames)
    mh = mean_head(flame, fr.images.shape[0]); e0 = geometry_errors(flame, fr, mh)["neutral_median"]
    def score(name, shape):
        pad = shape.new_zeros(shape.shape[0], flame.n_shape - shape.shape[1])
        e = geometry_errors(flame, fr, FlameParams(torch.cat([shape, pad], 1).float(), mh.expr, mh.pose, mh.eyelids, mh.trans))["neutral_median"]
        d = e - e0
        res[name] = dict(ratio=round(float(e.mean() / e0.mean()), 4), diff_mm=round(float(d.mean()), 4),
                         se_mm=round(float(d.std(ddof=1) / len(d) ** .5), 4), better=round(float((d < 0).mean()), 3))
        print(name, res[name], flush=True)
    def gains(name, shape):                                              # the same prediction, its shape scaled
        for c in (float(x) for x in a.gains.split(",") if x): score(f"{name}, shape x {c:g}", c * shape)
    res["identities"], res["mean_head_neutral_median"] = len(fr.ids), round(float(e0.mean()), 4)
    per_video = len(annotations(a.test, "test", "lmk68")[0]) // len(fr.ids)                    # the first test_frames of each
    keep = torch.cat([torch.arange(a.test_frames) + k * per_video for k in range(len(fr.ids))])
    for nm, key in (("annotations", "lmk68"), ("truth", "lmk68_clean")):
        l, _ = annotations(a.test, "test", key)
        l = l[keep] * a.test_size / _native_size(a.test)                                  # pixels at test_size
        for lam in (1e-4, 1e-3, 1e-2):
            W = torch.linalg.solve(C + lam * C.diagonal().mean() * torch.eye(len(C), dtype=C.dtype), Xc.T @ (Y - Y.mean(0)) / len(X))
            pred = (features(l, a.test_size) - mu) @ W + Y.mean(0)
            score(f"linear read-out of the {nm}, ridge {lam:g}", pred)
            if lam == 1e-4: gains(f"linear read-out of the {nm}, ridge {lam:g}", pred)
    if a.detector:
        from sheap.detector import load_detector, annotated_frames
        det = load_detector(a.detector).eval()
        def points(root, split, side):                                   # the detector's points, pixels at `side`
            imgs = annotated_frames(root, split, det.cfg.image_size)[0]
            with torch.no_grad(): return torch.cat([det(imgs[i:i + 64].float() / 255) for i in range(0, len(imgs), 64)]) * side
        Xd = features(points(a.train, "train", a.train_size)[use], a.train_size); mud = Xd.mean(0); Xdc = Xd - mud; Cd = Xdc.T @ Xdc / len(Xd)
        ld = points(a.test, "test", a.test_size)[keep]
        for lam in (1e-4, 1e-3, 1e-2):
            W = torch.linalg.solve(Cd + lam * Cd.diagonal().mean() * torch.eye(len(Cd), dtype=Cd.dtype), Xdc.T @ (Y - Y.mean(0)) / len(Xd))
            pred = (features(ld, a.test_size) - mud) @ W + Y.mean(0)
            score(f"linear read-out of the detector's points, ridge {lam:g}", pred)
            if lam == 1e-4: gains(f"linear read-out of the detector's points, ridge {lam:g}", pred)
            W = torch.linalg.solve(C + lam * C.diagonal().mean() * torch.eye(len(C), dtype=C.dtype), Xc.T @ (Y - Y.mean(0)) / len(X))
            score(f"the annotations' map applied to the detector's points, ridge {lam:g}", (features(ld, a.test_size) - mu) @ W + Y.mean(0))
        if a.mediapipe:                                                  # mediapipe's mesh of the same frames, as the mediapipe branch reads it
            from sheap.encoder import face_meshes, landmark_features as lf
            def axes(ftr, fte, k=128):                                   # principal axes of the training features, one common scale
                m = ftr.mean(0); ev, evec = torch.linalg.eigh((ftr - m).T @ (ftr - m) / len(ftr)); B = evec[:, -k:] / ev[-k:].mean().sqrt()
                return (ftr - m) @ B, (fte - m) @ B
            def meshes(root, split):
                imgs = annotated_frames(root, split, 112)[0]
                return torch.cat([face_meshes(imgs[i:i + 64].float() / 255) for i in range(0, len(imgs), 64)])
            (Ftr, ok), (Fte, okt) = lf(meshes(a.train, "train")[use]), lf(meshes(a.test, "test")[keep])
            res["mediapipe_found"] = dict(train=int(ok.sum()), test=int(okt.sum()))
            ztr, zte = axes(Ftr[ok].double(), Fte.double())
            Ztr = torch.zeros(len(Ftr), ztr.shape[1], dtype=torch.double); Ztr[ok] = ztr; zte = torch.where(okt[:, None], zte, 0.0)
            dtr, dte = axes(Xd, features(ld, a.test_size))
            def readout(Xtr, Xte):                                       # ridge 1e-4 on the frames where mediapipe found a face
                X, Yk = Xtr[ok], Y[ok]; m = X.mean(0); Xc = X - m; Ck = Xc.T @ Xc / len(X)
                return (Xte - m) @ torch.linalg.solve(Ck + 1e-4 * Ck.diagonal().mean() * torch.eye(len(Ck), dtype=Ck.dtype), Xc.T @ (Yk - Yk.mean(0)) / len(X)) + Yk.mean(0)
            for c in [1.0] + [float(x) for x in a.gains.split(",") if x and float(x) != 1]:   # as fitted, then each gain
                score(f"linear read-out of mediapipe's mesh, ridge 0.0001, shape x {c:g}", c * readout(Ztr, zte))
                for wm in (0.5, 1.0):
                    score(f"linear read-out of the detector's points and mediapipe's mesh x {wm:g}, ridge 0.0001, shape x {c:g}",
                          c * readout(torch.cat([dtr, wm * Ztr], 1), torch.cat([dte, wm * zte], 1)))
    if a.noise_px:                                                         # a simulated detector of known accuracy
        ttr = annotations(a.train, "train", "lmk68_clean")[0][use] * a.train_size / _native_size(a.train, "train")
        tte = annotations(a.test, "test", "lmk68_clean")[0][keep] * a.test_size / _native_size(a.test)
        g = torch.Generator().manual_seed(1)
        for sigma in (float(x) for x in a.noise_px.split(",")):
            ntr = ttr + torch.randn(ttr.shape, generator=g) * sigma * a.train_size / 112
            nte = tte + torch.randn(tte.shape, generator=g) * sigma * a.test_size / 112
            Xn = features(ntr, a.train_size); mun = Xn.mean(0); Xnc = Xn - mun; Cn = Xnc.T @ Xnc / len(Xn)
            W = torch.linalg.solve(Cn + 1e-4 * Cn.diagonal().mean() * torch.eye(len(Cn), dtype=Cn.dtype), Xnc.T @ (Y - Y.mean(0)) / len(Xn))
            name = f"linear read-out of the truth plus noise of {sigma:g} px per axis at 112 px, ridge 0.0001"
            score(name, (features(nte, a.test_size) - mun) @ W + Y.mean(0))
            res[name]["median_error_px_at_112"] = round(float((nte - tte).norm(dim=-1).median() * 112 / a.test_size), 3)
    score("FLAME fit to each frame's annotations", fit_landmarks(flame, fr.lmk68, torch.arange(fr.images.shape[0]), a.test_size).shape[:, :100])
    score("FLAME fit to each video's annotations", fit_landmarks(flame, fr.lmk68, fr.video, a.test_size).shape[:, :100])
    Path(a.out).write_text(json.dumps(res, indent=1))

def _native_size(root, split="test"):
    from PIL import Image
    man = json.loads((Path(root) / "manifest.json").read_text())
    v = next(x for x in man["videos"] if x["split"] == split)
    with Image.open(Path(root) / v["path"] / "frames" / "000000.jpg") as im: return im.size[0]

if __name__ == "__main__": main()
