"""Provinces and communes of the two-tier administrative map."""
from typing import Optional

from sqlmodel import Field, SQLModel


class Province(SQLModel, table=True):
    code: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    name: str = Field(max_length=100)
    codename: str = Field(max_length=100)


class Commune(SQLModel, table=True):
    code: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    name: str = Field(max_length=100)
    codename: str = Field(max_length=100)
    province_code: int = Field(foreign_key="province.code", index=True)
    division_type: Optional[str] = Field(default=None, max_length=30)
