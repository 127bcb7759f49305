"""Provinces and communes: import from ``vietnam-provinces`` and look-ups."""
from sqlalchemy import func
from sqlmodel import select

from .. import collation
from ..models import Commune, Province


def import_geography(*, session):
    """Insert or update the 34 provinces and 3,321 communes; return ``(provinces, communes)``."""
    from vietnam_provinces import Province as VnProvince, Ward as VnWard

    existing_p = {p.code: p for p in session.exec(select(Province))}
    for item in VnProvince.iter_all():
        row = existing_p.get(int(item.code)) or Province(code=int(item.code))
        row.name, row.codename = item.name, item.codename
        session.add(row)
    session.flush()
    existing_c = {c.code: c for c in session.exec(select(Commune))}
    for item in VnWard.iter_all():
        row = existing_c.get(int(item.code)) or Commune(code=int(item.code))
        row.name, row.codename = item.name, item.codename
        row.province_code = int(item.province_code)
        row.division_type = item.division_type.value
        session.add(row)
    session.flush()
    return (session.exec(select(func.count()).select_from(Province)).one(),
            session.exec(select(func.count()).select_from(Commune)).one())


def list_provinces(*, session):
    """The provinces in Vietnamese order of their proper names ("Thành phố Hà Nội" at H)."""
    return collation.sorted_places(session.exec(select(Province)).all())


def list_communes(*, session, province_code):
    """The communes of a province in Vietnamese order of their proper names."""
    if province_code is None:
        return []
    return collation.sorted_places(session.exec(
        select(Commune).where(Commune.province_code == province_code)).all())


def commune_in_province(*, session, commune_code, province_code):
    commune = session.get(Commune, commune_code)
    return commune is not None and commune.province_code == province_code
