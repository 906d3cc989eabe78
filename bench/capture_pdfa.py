"""Capture of a 10-page material into PDF/A with its digests, against img2pdf alone on
the same pages (the anchor, in the same run). Issue #17 asks for ≤ 1.5×.

The capture is what `records.services.capture` does to the pages before it stores
them: each page read and checked (type, completeness, SHA-256; size, brightness and
blankness measured on a reduced decode), img2pdf, then pikepdf's PDF/A-2B metadata and
sRGB output intent, and the file's SHA-256. Pages: 10 JPEGs of 2592×1944 (a 5 MP
document camera), all different.

    PYTHONPATH=src .venv/bin/python bench/capture_pdfa.py [--pages 10] [--rounds 7]
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import random
import statistics
import tempfile
import time


def _pages(count: int, width: int, height: int) -> list[bytes]:
    from PIL import Image, ImageDraw

    out = []
    for n in range(count):
        rnd = random.Random(n)
        image = Image.new("RGB", (width, height), (235, 232, 225))
        draw = ImageDraw.Draw(image)
        for y in range(120, height - 120, 48):
            x = 140
            while x < width - 200:
                w = rnd.randint(16, 90)
                draw.rectangle((x, y, x + w, y + 22), fill=(rnd.randint(0, 60),) * 3)
                x += w + rnd.randint(10, 28)
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=88)
        out.append(buffer.getvalue())
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    os.environ.setdefault("TONGBAN_DATA_DIR", tempfile.mkdtemp(prefix="tongban-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongban.settings")
    import django

    django.setup()
    import img2pdf
    from django.utils import timezone

    from tongban.records import pdfa

    pages = _pages(args.pages, 2592, 1944)
    mb = sum(map(len, pages)) / 1e6

    def anchor() -> bytes:
        return img2pdf.convert(pages)

    def read() -> list:
        return [pdfa.read_page(p, name=f"{n}.jpg", number=n, max_bytes=15 << 20) for n, p in enumerate(pages, 1)]

    def wrap(images: list[bytes]) -> tuple[bytes, str]:
        content = pdfa.to_pdfa(images, title="bench", author="bench", created=timezone.now())
        return content, hashlib.sha256(content).hexdigest()

    def pdfa_only() -> tuple[bytes, str]:
        """Pages read (type, completeness, SHA-256 each), PDF/A, the file's SHA-256."""
        return wrap([p.data for p in read()])

    def capture() -> tuple[bytes, str]:
        """All of it: pdfa_only and each page's quality measured on a decode."""
        return wrap(pdfa.check_images(read(), min_width=800, min_height=600))

    work = {"img2pdf": anchor, "pdfa": pdfa_only, "capture": capture}
    for run in work.values():  # warm up (imports, the ICC profile read once)
        run()
    times: dict[str, list[float]] = {name: [] for name in work}
    for _ in range(args.rounds):  # interleaved, so a busy moment of the machine hits each
        for name, run in work.items():
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)
    a, p, c = (statistics.median(times[name]) for name in work)
    print(f"{args.pages} pages, {mb:.1f} MB of JPEG, median of {args.rounds} rounds")
    print(f"img2pdf alone:                                 {a * 1000:8.1f} ms")
    print(f"PDF/A + page and file digests:                 {p * 1000:8.1f} ms  ratio {p / a:.2f}x (issue #17: <= 1.5x)")
    print(f"the same + quality checks (each page decoded): {c * 1000:8.1f} ms  ratio {c / a:.2f}x")


if __name__ == "__main__":
    main()
