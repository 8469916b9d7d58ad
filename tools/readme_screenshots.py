"""Copy the few browser screenshots that README.md shows into docs/screenshots (small PNGs).

Run the browser tests first (``make screenshots`` does both); they write every widget's
screenshot to tests/artifacts/screenshots/.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image

REPO_ROOT = Path(__file__).resolve().parent.parent
SOURCE = REPO_ROOT / "tests" / "artifacts" / "screenshots"
TARGET = REPO_ROOT / "docs" / "screenshots"

#: README picture -> the browser test's screenshot it comes from.
SHOWN = {
    "one-hot-explorer.png": "lab-01_one_hot_encoding-representation-buttons.png",
    "word-explorer.png": "lab-02_embedding_layers-typed-words.png",
    "projection-explorer.png": "lab-03_image_embeddings-click-a-point.png",
    "latent-explorer.png": "lab-04_latent_space-click-on-the-latent-map.png",
}
MAX_WIDTH = 1000


def main() -> int:
    TARGET.mkdir(parents=True, exist_ok=True)
    missing = [src for src in SHOWN.values() if not (SOURCE / src).exists()]
    if missing:
        print(f"missing screenshots (run the browser tests first): {missing}", file=sys.stderr)
        return 1
    for name, src in SHOWN.items():
        image = Image.open(SOURCE / src).convert("RGB")
        if image.width > MAX_WIDTH:
            image = image.resize((MAX_WIDTH, round(image.height * MAX_WIDTH / image.width)), Image.LANCZOS)
        image = image.quantize(colors=256, method=Image.Quantize.FASTOCTREE)
        image.save(TARGET / name, optimize=True)
        print(f"{TARGET.relative_to(REPO_ROOT) / name}: {(TARGET / name).stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
