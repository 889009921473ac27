"""URL slugs from arbitrary titles."""

import re
import unicodedata

__all__ = ["slugify"]

_NON_WORD = re.compile(r"[^a-z0-9]+")


def slugify(text, sep="-", max_length=None):
    """Return a lower-case ASCII slug for ``text``.

    Accents are folded (``"Crème brûlée"`` -> ``"creme-brulee"``); anything
    that is not a letter or digit becomes ``sep``.
    """
    folded = unicodedata.normalize("NFKD", text)
    folded = folded.encode("ascii", "ignore").decode("ascii").lower()
    slug = _NON_WORD.sub(sep, folded).strip(sep)
    if max_length is not None and len(slug) > max_length:
        slug = slug[:max_length].rstrip(sep)
    return slug
