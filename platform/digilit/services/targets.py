"""Training targets: how many citizens a unit aims to train."""
from flask_babel import lazy_gettext as _l
from sqlmodel import select

from ..models import Target
from .. import clock
from .errors import DomainError

MAX_TARGET = 200_000_000


def set_target(*, session, actor, unit, citizens):
    """Set ``unit``'s target; ``unit`` must already be resolved within ``actor``'s area."""
    if citizens is None or citizens < 0 or citizens > MAX_TARGET:
        raise DomainError(_l("Write a whole number from 0 to 200,000,000."), field="citizens")
    target = session.exec(select(Target).where(Target.level == unit.level,
                                               Target.unit_code == unit.code)).first()
    target = target or Target(level=unit.level, unit_code=unit.code, citizens=0)
    target.citizens, target.set_by, target.updated_at = citizens, actor.id, clock.now()
    session.add(target)
    session.flush()
    return target
