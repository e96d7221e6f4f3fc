"""Checks of the organisation's settings that the model's own validators cannot make: a colour
readable under white text, and a logo that is really a small PNG or JPEG.

Logos are inspected from their bytes (the signature and the header's width and height), never from
the file name or the browser's content type. SVG is refused: it is a document that can carry
script and external references, and we serve the logo from our own origin.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from django.core.exceptions import ValidationError

# WCAG 2.x AA for normal text: white text on the brand colour must reach this contrast.
MIN_CONTRAST = 4.5

MAX_LOGO_BYTES = 512 * 1024
MIN_LOGO_SIDE = 16
MAX_LOGO_SIDE = 2000

PNG = "image/png"
JPEG = "image/jpeg"


def _channel(value: int) -> float:
    srgb = value / 255
    return srgb / 12.92 if srgb <= 0.03928 else ((srgb + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: str) -> float:
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(red) + 0.7152 * _channel(green) + 0.0722 * _channel(blue)


def contrast_with_white(colour: str) -> float:
    """WCAG contrast ratio of white text on ``colour`` (#rrggbb), from 1 to 21."""
    return 1.05 / (relative_luminance(colour) + 0.05)


def check_brand_colour(colour: str) -> str:
    """The colour, lower-cased; a field error if it is not #rrggbb or too light for white text."""
    colour = (colour or "").strip().lower()
    if not colour:
        return ""
    if len(colour) != 7 or colour[0] != "#" or any(c not in "0123456789abcdef" for c in colour[1:]):
        raise ValidationError({"brand_colour": "Use a colour like #1f6feb (# and six hex digits)."})
    ratio = contrast_with_white(colour)
    if ratio < MIN_CONTRAST:
        raise ValidationError(
            {
                "brand_colour": (
                    f"White text on {colour} has a contrast of {ratio:.1f}:1; pages need at least "
                    f"{MIN_CONTRAST}:1 to stay readable. Choose a darker colour."
                )
            }
        )
    return colour


@dataclass(frozen=True)
class LogoImage:
    content_type: str
    width: int
    height: int


def _png_size(data: bytes) -> tuple[int, int] | None:
    if len(data) < 24 or data[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


# JPEG start-of-frame markers (baseline, progressive, …) carry the picture's size.
_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    position = 2
    while position + 4 <= len(data):
        if data[position] != 0xFF:
            return None
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:  # markers without a length
            position += 2
            continue
        (length,) = struct.unpack(">H", data[position + 2 : position + 4])
        if marker in _SOF:
            if position + 9 > len(data):
                return None
            height, width = struct.unpack(">HH", data[position + 5 : position + 9])
            return int(width), int(height)
        if length < 2:
            return None
        position += 2 + length
    return None


def inspect_logo(data: bytes) -> LogoImage:
    """What the logo is, or a field error saying what to upload instead."""
    if not data:
        raise ValidationError({"logo": "The file is empty."})
    if len(data) > MAX_LOGO_BYTES:
        raise ValidationError(
            {"logo": f"The logo is too large: at most {MAX_LOGO_BYTES // 1024} KB."}
        )
    size: tuple[int, int] | None
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        content_type, size = PNG, _png_size(data)
    elif data.startswith(b"\xff\xd8\xff"):
        content_type, size = JPEG, _jpeg_size(data)
    else:
        head = data[:512].lstrip().lower()
        if head.startswith((b"<?xml", b"<svg")) or b"<svg" in head:
            raise ValidationError({"logo": "SVG logos are not accepted; upload a PNG or JPEG."})
        raise ValidationError({"logo": "Upload a PNG or JPEG image."})
    if size is None:
        raise ValidationError({"logo": "This image could not be read; upload a PNG or JPEG."})
    width, height = size
    if not (MIN_LOGO_SIDE <= width <= MAX_LOGO_SIDE and MIN_LOGO_SIDE <= height <= MAX_LOGO_SIDE):
        raise ValidationError(
            {
                "logo": (
                    f"The logo is {width} by {height} pixels; each side must be between "
                    f"{MIN_LOGO_SIDE} and {MAX_LOGO_SIDE} pixels."
                )
            }
        )
    return LogoImage(content_type=content_type, width=width, height=height)
