"""Readable usernames for accounts a team or an identity provider makes: the given name, then
the other initials, in ASCII, and three digits (``"Nguyễn Thị Lan"`` -> ``"lannt482"``)."""
import secrets
import unicodedata

from sqlmodel import select

from ..models import User

_FOLD = str.maketrans({"đ": "d", "Đ": "d"})


def username_stem(full_name):
    """``"Nguyễn Thị Lan"`` -> ``"lannt"``: given name, then the other initials, in ASCII."""
    folded = unicodedata.normalize("NFD", (full_name or "").translate(_FOLD))
    words = ["".join(ch for ch in word if ch.isascii() and ch.isalnum()).lower()
             for word in folded.split()]
    words = [w for w in words if w] or ["hocvien"]
    return (words[-1][:16] + "".join(w[0] for w in words[:-1]))[:24]


def allocate_usernames(*, session, full_names):
    """One unique readable username per name (stem + 3 digits), with one query per round."""
    taken, result = set(), [None] * len(full_names)
    pending = list(range(len(full_names)))
    while pending:
        proposals = {i: f"{username_stem(full_names[i])}{secrets.randbelow(900) + 100}"
                     for i in pending}
        clash = set(session.exec(select(User.username).where(
            User.username.in_(list(proposals.values())))))
        pending = []
        for i, name in proposals.items():
            if name in clash or name in taken:
                pending.append(i)
            else:
                taken.add(name)
                result[i] = name
    return result
