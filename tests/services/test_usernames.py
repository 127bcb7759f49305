"""Readable usernames for accounts made by a team or an identity provider."""
import pytest

from digilit.services import usernames


@pytest.mark.parametrize("full_name, stem", [
    ("Nguyễn Thị Lan", "lannt"),
    ("Đặng Văn Đức", "ducdv"),
    ("  Lý   A  ", "al"),
    ("", "hocvien"),
    ("!!!", "hocvien"),
    ("Trần " + "Bảo" * 20, "baobaobaobaobaobt"),
])
def test_a_stem_is_the_given_name_then_the_initials_in_ascii(full_name, stem):
    assert usernames.username_stem(full_name) == stem


def test_usernames_taken_or_drawn_twice_are_drawn_again(db, make_user, monkeypatch):
    make_user("lannt482")
    draws = iter([382, 382, 17, 17, 18])  # each +100: the three digits
    monkeypatch.setattr(usernames.secrets, "randbelow", lambda _n: next(draws))
    names = usernames.allocate_usernames(session=db, full_names=["Nguyễn Thị Lan"] * 2)
    # Round 1: both lannt482, taken. Round 2: both lannt117, one gets it. Round 3: lannt118.
    assert names == ["lannt117", "lannt118"]
