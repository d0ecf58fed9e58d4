"""python/examples/blobs.py runs and writes its figure (the tutorial with one changed import)."""

import runpy
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "blobs.py"


def test_blobs_example_writes_the_three_panel_png(tmp_path):
    pytest.importorskip("matplotlib")
    main = runpy.run_path(str(EXAMPLE))["main"]
    out = tmp_path / "blobs.png"
    assert main(str(out)) == 0  # the mixture recovers the blobs (ARI >= 0.95)
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
