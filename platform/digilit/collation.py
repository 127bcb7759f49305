"""Vietnamese alphabetical order for every list people read (ICU's ``vi`` collation).

Byte order puts "Bạch Ngọc" after "Bình Xa" and every "Đ" name last; the ``vi`` collation
orders letters as Vietnamese readers expect (a ă â b c d đ e ê ... o ô ơ ... u ư). Places are
ordered by their proper name: "Thành phố Hà Nội" sorts under H, "Phường Ba Đình" under B,
while their display names stay whole.
"""
import threading

import icu

# Kind-of-unit words that come before a place's proper name (provinces and communes).
PLACE_PREFIXES = ("Thành phố ", "Tỉnh ", "Phường ", "Xã ", "Đặc khu ", "Thị trấn ")
_local = threading.local()


def _collator():
    # One collator per thread: ICU collators are not documented as safe to share.
    collator = getattr(_local, "collator", None)
    if collator is None:
        collator = _local.collator = icu.Collator.createInstance(icu.Locale("vi"))
    return collator


def sort_key(text):
    """The key that orders ``text`` in Vietnamese alphabetical order."""
    return _collator().getSortKey(text or "")


def proper_name(name):
    """``"Thành phố Hà Nội"`` -> ``"Hà Nội"``: the name without its kind of unit."""
    name = name or ""
    for prefix in PLACE_PREFIXES:
        if name.startswith(prefix) and len(name) > len(prefix):
            return name[len(prefix):]
    return name


def place_key(name):
    """The key that orders places by their proper name, then by their full name."""
    return sort_key(proper_name(name)), sort_key(name)


def sorted_names(items, name=lambda item: item.full_name):
    """``items`` ordered by the person's name (``name`` reads it from an item)."""
    return sorted(items, key=lambda item: sort_key(name(item)))


def sorted_places(items, name=lambda item: item.name):
    """``items`` ordered by their place's proper name (``name`` reads it from an item)."""
    return sorted(items, key=lambda item: place_key(name(item)))
