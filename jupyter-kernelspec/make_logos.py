"""Draws logo-32x32.png and logo-64x64.png (run once by hand; the PNGs are committed).

Usage: python-env/.venv/bin/python jupyter-kernelspec/make_logos.py
"""
import os

from PIL import Image, ImageDraw, ImageFont

HERE = os.path.dirname(os.path.abspath(__file__))
TS_BLUE = (49, 120, 198, 255)
PY_YELLOW = (255, 212, 59, 255)
PY_BLUE = (48, 105, 152, 255)


def draw(size: int) -> Image.Image:
    scale = 8  # draw large, then downsample for smooth edges
    s = size * scale
    img = Image.new("RGBA", (s, s), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    r = s // 6
    d.rounded_rectangle([0, 0, s - 1, s - 1], radius=r, fill=TS_BLUE)
    d.polygon([(s, s * 0.38), (s, s), (s * 0.38, s)], fill=PY_YELLOW)
    font = ImageFont.load_default(size=int(s * 0.42))
    d.text((s * 0.08, s * 0.04), "TS", font=font, fill=(255, 255, 255, 255))
    font2 = ImageFont.load_default(size=int(s * 0.30))
    d.text((s * 0.54, s * 0.50), "py", font=font2, fill=PY_BLUE)
    # clip the yellow corner to the rounded square
    mask = Image.new("L", (s, s), 0)
    ImageDraw.Draw(mask).rounded_rectangle([0, 0, s - 1, s - 1], radius=r, fill=255)
    img.putalpha(Image.composite(img.getchannel("A"), mask, mask))
    return img.resize((size, size), Image.LANCZOS)


if __name__ == "__main__":
    for n in (32, 64):
        draw(n).save(os.path.join(HERE, f"logo-{n}x{n}.png"), optimize=True)
        print(f"wrote logo-{n}x{n}.png")
