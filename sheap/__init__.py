__version__ = "0.0.1"

_API = {  # the flat public API, imported on first use (the package imports fast)
    "load_model": "predict", "predict_paths": "predict", "Prediction": "predict", "smooth_video": "predict",
    "FLAME": "flame", "render_gaussians": "render", "rasterize_mesh": "meshraster", "default_camera": "cameras",
    "CanonicalGaussians": "binding", "WorldGaussians": "binding", "prepare": "prepare", "generate": "synthetic",
    "train": "train", "export_splat_ply": "avatar", "save_rig": "avatar", "load_rig": "avatar", "animate_rig": "avatar",
    "export_onnx": "predict", "viewer": "viewer",
}
__all__ = ["__version__", *_API]

def __getattr__(name: str):
    if name in _API:
        import importlib
        return getattr(importlib.import_module(f"sheap.{_API[name]}"), name)
    raise AttributeError(f"module 'sheap' has no attribute {name!r}")

def __dir__(): return sorted(__all__)
