"""Login-card sheets between the POST that makes PINs and the page that shows them.

The POST that gives new PINs keeps them here, encrypted, and redirects to a page that shows
the cards once and deletes them: reloading that page, or going back to it, issues nothing and
shows nothing (reissuing PINs on reload ended the cards printed a minute before). The PINs are
sealed with a key derived from the site's secret key and the sheet's own random token, and a
sheet nobody opened is forgotten after ``KEEP``.
"""
import base64
import hashlib
import hmac
import json
import secrets
from datetime import timedelta

from sqlalchemy import delete
from sqlmodel import select

from ..models import CardSheet, User
from .. import clock

KEEP = timedelta(minutes=30)


def _keystream(key, length):
    blocks = (hashlib.sha256(key + i.to_bytes(8, "big")).digest()
              for i in range(length // 32 + 1))
    return b"".join(blocks)[:length]


def _seal(secret_key, token, data):
    key = hmac.new(secret_key.encode(), b"cards:" + token.encode(), hashlib.sha256).digest()
    return bytes(a ^ b for a, b in zip(data, _keystream(key, len(data))))


def keep(*, session, team, actor, pairs, secret_key):
    """Store ``[(user, pin)]`` for ``team`` (None: a commune office's card for someone in no
    team); returns the sheet's token (for its address)."""
    token = secrets.token_urlsafe(32)
    plain = json.dumps([[user.id, pin] for user, pin in pairs]).encode()
    sheet = CardSheet(token=token, team_id=team.id if team else None, created_by=actor.id,
                      payload=base64.b64encode(_seal(secret_key, token, plain)).decode())
    session.add(sheet)
    session.flush()
    return token


def take(*, session, team, token, secret_key, actor=None):
    """``[(user, pin)]`` of the sheet ``token`` of ``team`` (or, for ``team`` None, of
    ``actor``'s own team-less sheets), deleted as it is read; None when there is no such sheet
    (shown already, too old, another team's or person's)."""
    session.execute(delete(CardSheet).where(CardSheet.created_at < clock.now() - KEEP))
    owner = (CardSheet.team_id == team.id) if team is not None else (
        CardSheet.team_id.is_(None) & (CardSheet.created_by == actor.id))
    sheet = session.exec(select(CardSheet).where(CardSheet.token == token, owner)).first()
    if sheet is None:
        return None
    taken = session.execute(delete(CardSheet).where(CardSheet.id == sheet.id)).rowcount
    if taken != 1:  # another request showed it at the same moment
        return None
    pairs = json.loads(_seal(secret_key, token, base64.b64decode(sheet.payload)))
    users = {u.id: u for u in session.exec(select(User).where(
        User.id.in_([user_id for user_id, _pin in pairs])))}
    return [(users[user_id], pin) for user_id, pin in pairs if user_id in users]
