"""Builds examples/onnx/torch-fashion-cnn.onnx: a small PyTorch CNN encoder for Fashion-MNIST exported
to ONNX the way a user of Pretext would export their own model, plus torch's embeddings for the first 8
test images (torch-fashion-cnn.expected.json) so Pretext's runtimes can be checked for parity without torch.

Run from anywhere: python3 examples/onnx/make_torch_encoder.py (needs torch; Debian: python3-torch).
Data: Fashion-MNIST IDX gz files in $PRETEXT_DATA_DIR/fashion-mnist or ../shared/data/fashion-mnist
relative to the repository.
"""
import gzip
import json
import os
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
MEAN, STD = 0.2860, 0.3530
SEED, STEPS, BATCH = 0, 700, 128  # 1.5 epochs; under a minute on 2 cores


def read_idx(path: Path, header: int) -> np.ndarray:
    with gzip.open(path, "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=header)


def load(data: Path, split: str):
    images = read_idx(data / f"{split}-images-idx3-ubyte.gz", 16).reshape(-1, 1, 28, 28)
    labels = read_idx(data / f"{split}-labels-idx1-ubyte.gz", 8).astype(np.int64)
    return images, labels


def preprocess(images: np.ndarray) -> torch.Tensor:
    """The preprocessing the ModelSpec declares: (x/255 - mean) / std, NCHW."""
    return (torch.from_numpy(images.astype(np.float32)) / 255.0 - MEAN) / STD


class Encoder(nn.Module):
    """conv 8 -> pool -> conv 16 -> pool -> linear 64: the 64-d ReLU output is the embedding."""

    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(16 * 7 * 7, 64), nn.ReLU(),
        )
        self.head = nn.Linear(64, 10)

    def forward(self, pixels: torch.Tensor):
        features = self.features(pixels)
        return features, torch.softmax(self.head(features), dim=1)


def main() -> None:
    data = Path(os.environ.get("PRETEXT_DATA_DIR", REPO.parent / "shared" / "data")) / "fashion-mnist"
    torch.manual_seed(SEED)
    torch.set_num_threads(2)
    rng = np.random.default_rng(SEED)
    train_x, train_y = load(data, "train")
    test_x, test_y = load(data, "t10k")

    # A supervised classifier rather than an autoencoder: it trains to a useful embedding (its
    # penultimate layer) in seconds, and its accuracy is a cheap check that the export is sane.
    model = Encoder()
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    loss_fn = nn.CrossEntropyLoss()
    start = time.time()
    model.train()
    for _ in range(STEPS):
        idx = rng.integers(0, len(train_x), BATCH)
        logits = model.head(model.features(preprocess(train_x[idx])))
        loss = loss_fn(logits, torch.from_numpy(train_y[idx]))
        opt.zero_grad()
        loss.backward()
        opt.step()
    train_s = time.time() - start

    model.eval()
    with torch.no_grad():
        x = preprocess(test_x)
        _, probs = model(x)
        accuracy = float((probs.argmax(1).numpy() == test_y).mean())
        first, first_probs = model(x[:8])

    onnx_path = HERE / "torch-fashion-cnn.onnx"
    torch.onnx.export(
        model, x[:1], str(onnx_path), opset_version=17,
        input_names=["pixels"], output_names=["features", "probs"],
        dynamic_axes={"pixels": {0: "batch"}, "features": {0: "batch"}, "probs": {0: "batch"}},
    )
    expected = {
        "spec": {"shape": [1, 28, 28], "layout": "nchw", "scale": 1 / 255, "mean": [MEAN], "std": [STD],
                 "inputName": "pixels", "embeddingOutput": "features"},
        # the graph's class probabilities, for a spec that serves them too
        "probabilitiesOutput": "probs",
        "training": {"steps": STEPS, "batch": BATCH, "seed": SEED, "testAccuracy": accuracy, "torch": torch.__version__},
        "test": [{"index": i, "label": int(test_y[i]), "embedding": first[i].tolist(),
                  "probabilities": first_probs[i].tolist()} for i in range(8)],
    }
    (HERE / "torch-fashion-cnn.expected.json").write_text(json.dumps(expected, indent=1) + "\n")
    print(f"trained {STEPS} steps in {train_s:.1f}s, test accuracy {accuracy:.4f}, "
          f"{onnx_path.name} {onnx_path.stat().st_size} bytes")


if __name__ == "__main__":
    main()
