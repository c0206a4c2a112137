"""Image renditions: smaller copies of an uploaded image for `srcset`, made once with Pillow.

The renditions' names and sizes are stored on the article (a JSON list), so pages build
`srcset`, `width` and `height` without opening a file or running a query.
"""

from io import BytesIO
from pathlib import PurePosixPath

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageOps

# Widths in CSS pixels × density that cover a phone column up to a wide desktop lead.
RENDITION_WIDTHS = (480, 960, 1600)
JPEG_QUALITY = 82


def make_renditions(field_file, widths=RENDITION_WIDTHS, storage=default_storage):
    """Write JPEG renditions of `field_file` no wider than the original; describe them.

    Returns `[{"name", "width", "height"}, …]`, narrowest first. An original narrower than
    the smallest width gets one rendition at its own size, so every image has a srcset.
    """
    field_file.open("rb")
    try:
        with Image.open(field_file) as original:
            image = ImageOps.exif_transpose(original).convert("RGB")
    finally:
        field_file.close()
    stem = PurePosixPath(field_file.name).with_suffix("")
    fitting = [w for w in widths if w <= image.width] or [image.width]
    renditions = []
    for width in fitting:
        height = round(image.height * width / image.width)
        copy = image if width == image.width else image.resize((width, height), Image.LANCZOS)
        buffer = BytesIO()
        copy.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
        wanted = f"renditions/{stem}-{width}w.jpg"
        if storage.exists(wanted):
            storage.delete(wanted)
        name = storage.save(wanted, ContentFile(buffer.getvalue()))
        renditions.append({"name": name, "width": width, "height": height})
    return renditions


def delete_renditions(renditions, storage=default_storage):
    for rendition in renditions:
        storage.delete(rendition["name"])


def srcset(renditions, storage=default_storage):
    return ", ".join(f"{storage.url(r['name'])} {r['width']}w" for r in renditions)
