"Dense landmarks mean mediapipe's points in mediapipe's order in synthetic and in prepared data alike."
import numpy as np
import torch
from PIL import Image

from sheap.data import MixedPairs, VideoPairs
from sheap.flame import FLAME
from sheap.headmodel import write_head_model
from sheap.prepare import PrepareConfig, prepare
from sheap.synthetic import SynthConfig, generate

# mediapipe index -> the iBUG-68 point(s) with the same meaning (eye corners, mouth corners, iris centres)
SAME = {33: [36], 263: [45], 61: [48], 291: [54], 468: list(range(36, 42)), 473: list(range(42, 48))}


def test_mixed_pairs_share_landmark_semantics(tmp_path):
    model = write_head_model(tmp_path / "head", seed=1)
    flame = FLAME.from_file(model)
    assert flame.has_mediapipe and set(SAME) <= set(flame.mp_indices.tolist())
    generate(tmp_path / "synth", model, videos=3, split="val", seed=5, cfg=SynthConfig(size=256, frames=3), workers=1, progress=False)
    clip = tmp_path / "raw" / "clip"                                  # a "real" video: frames of a synthetic one, no annotations
    clip.mkdir(parents=True)
    for t in range(3):
        Image.open(tmp_path / "synth" / "val" / "val_00000" / "frames" / f"{t:06d}.jpg").save(clip / f"{t:06d}.png")
    man = prepare([clip], tmp_path / "prepared", split="val", cfg=PrepareConfig(size=256), workers=1, progress=False)
    assert man["kept"] == 1, man["dropped"]

    synth, real = (VideoPairs(tmp_path / d, "val", size=256, vit_size=64, dino_size=64) for d in ("synth", "prepared"))
    batch = next(iter(torch.utils.data.DataLoader(MixedPairs([synth, real], [0.5, 0.5], length=16, seed=2), batch_size=16)))
    assert batch["target_lmk_dense"].shape == (16, 478, 2) and set(batch["dataset"].tolist()) == {0, 1}
    for role in ("source", "target"):
        dense, l68 = batch[f"{role}_lmk_dense"], batch[f"{role}_lmk68"]
        finite = torch.isfinite(dense[..., 0])
        is_synth = batch["dataset"] == 0
        assert finite[~is_synth].all()                                # mediapipe: all 478
        emb = torch.zeros(478, dtype=torch.bool); emb[flame.mp_indices] = True
        assert (finite[is_synth] == emb).all()                        # synthetic: exactly the embedded ones, NaN elsewhere
        iod = (l68[:, 36] - l68[:, 45]).norm(dim=-1)                  # outer-eye distance, pixels
        for mp_i, ibug in SAME.items():
            d = (dense[:, mp_i] - l68[:, ibug].mean(1)).norm(dim=-1) / iod
            assert (d < 0.2).all(), (mp_i, d)                         # the same point of the face in both sources
