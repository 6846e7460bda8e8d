"""PDF output: rendered by WeasyPrint, checked by rasterising the first page with pdftoppm."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from gpact.cli.main import main

pytest.importorskip("weasyprint", reason="optional extra gpact[pdf] not installed")
PIL = pytest.importorskip("PIL.Image")


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
def test_pdf_first_page_renders(capsys: pytest.CaptureFixture[str], data_dir: Path,
                                tmp_path: Path) -> None:
    pdf = tmp_path / "summary.pdf"
    code = main(["docs", "build", str(data_dir / "frontier.yaml"), "--kind", "training-summary",
                 "-f", "pdf", "-o", str(pdf), "--no-store"])
    capsys.readouterr()
    assert code == 0
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-")
    subprocess.run(["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "1", str(pdf),
                    str(tmp_path / "page")], check=True)
    png = next(tmp_path.glob("page*.png"))
    with PIL.open(png) as image:
        width, height = image.size
        assert height > width  # A4 portrait
        grey = image.convert("L")
        dark = sum(grey.histogram()[:128])
    assert dark > 0.005 * width * height  # text was drawn, not a blank page
    text = subprocess.run(["pdftotext", "-l", "1", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "Public Summary of Training Content" in text and "not legal advice" in text
