"""Throughput of `sheap.prepare` on a synthetic 60-frame 1024x1024 mp4 (the astronaut photo, panned and zoomed).

python benchmarks/bench_prepare.py     (prints frames/s; one process, mediapipe on CPU)
"""
import numpy as np, cv2, skimage.data, tempfile, time
from pathlib import Path
from sheap.prepare import prepare
d = Path(tempfile.mkdtemp()); A = cv2.resize(skimage.data.astronaut(), (1024, 1024))
vw = cv2.VideoWriter(str(d / "pan.mp4"), cv2.VideoWriter_fourcc(*"mp4v"), 25, (1024, 1024))
for t in range(60):
    M = np.array([[1 + 0.004 * t, 0, -8 * t], [0, 1 + 0.004 * t, -3 * t]], np.float64)
    vw.write(cv2.warpAffine(A, M, (1024, 1024))[..., ::-1].copy())
vw.release()
t0 = time.perf_counter(); m = prepare([d / "pan.mp4"], d / "out", progress=False); dt = time.perf_counter() - t0
print(f"{m['kept_frames']} frames of 1024x1024 -> 512: {dt:.1f} s, {m['kept_frames'] / dt:.1f} frames/s")
