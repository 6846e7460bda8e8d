"""PDF output: rendered by WeasyPrint, checked by rasterising the first page with pdftoppm."""

from __future__ import annotations

import re
import shutil
import subprocess
import zlib
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


def _inflated(pdf: bytes) -> bytes:
    """The PDF with its Flate streams decompressed (object streams hold the catalogue)."""
    out = [pdf]
    for m in re.finditer(rb"stream\r?\n", pdf):
        end = pdf.find(b"endstream", m.end())
        try:
            out.append(zlib.decompress(pdf[m.end():end]))
        except zlib.error:
            continue
    return b"".join(out)


@pytest.mark.skipif(shutil.which("pdfinfo") is None or shutil.which("pdffonts") is None,
                    reason="poppler-utils not installed")
@pytest.mark.parametrize(("kind", "audience"), [("training-summary", "public"), ("mdf", "aio")])
def test_pdf_is_pdfa_with_metadata_and_embedded_fonts(capsys: pytest.CaptureFixture[str],
                                                      data_dir: Path, tmp_path: Path,
                                                      kind: str, audience: str) -> None:
    pdf = tmp_path / "doc.pdf"
    assert main(["docs", "build", str(data_dir / "frontier.yaml"), "--kind", kind,
                 "--audience", audience, "-f", "pdf", "-o", str(pdf), "--no-store"]) == 0
    capsys.readouterr()
    xmp = subprocess.run(["pdfinfo", "-meta", str(pdf)], capture_output=True, text=True,
                         check=True).stdout
    assert 'pdfaid:part="3"' in xmp and 'pdfaid:conformance="B"' in xmp  # PDF/A-3b
    assert "<dc:title>" in xmp and "Frontier" in xmp and "<dc:creator>" in xmp
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True,
                          check=True).stdout
    assert re.search(r"^Author:\s+Frontier Lab Inc\.$", info, re.M)
    assert re.search(r"^Keywords:\s+EU AI Act", info, re.M)
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True,
                           check=True).stdout.splitlines()[2:]
    assert fonts and all(line.split()[-5] == "yes" for line in fonts)  # every font embedded
    raw = _inflated(pdf.read_bytes())
    assert b"/Lang (en)" in raw and b"/OutputIntent" in raw and b"/GTS_PDFA1" in raw
    if kind == "training-summary":
        assert b"/URI" in raw  # URLs are real links
