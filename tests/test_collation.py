"""Vietnamese alphabetical order for places and people."""
from digilit import collation
from digilit.services import geo

HANOI = 1


def test_vietnamese_letters_in_their_order():
    names = ["Đông Anh", "Bình Xa", "Dương Nội", "Bạch Ngọc", "Ân Thi", "An Khánh", "Ơn", "Ô Môn"]
    assert sorted(names, key=collation.sort_key) == [
        "An Khánh", "Ân Thi", "Bạch Ngọc", "Bình Xa", "Dương Nội", "Đông Anh", "Ô Môn", "Ơn"]


def test_places_sort_by_their_proper_name():
    assert collation.proper_name("Thành phố Hà Nội") == "Hà Nội"
    assert collation.proper_name("Phường Ba Đình") == "Ba Đình"
    assert collation.proper_name("Hà Tĩnh") == "Hà Tĩnh"
    names = ["Thành phố Hà Nội", "Hà Tĩnh", "Gia Lai", "Thành phố Đà Nẵng", "Cà Mau"]
    assert [p for p in sorted(names, key=collation.place_key)] == [
        "Cà Mau", "Thành phố Đà Nẵng", "Gia Lai", "Thành phố Hà Nội", "Hà Tĩnh"]


def test_the_registration_lists_follow_vietnamese_order(app, db):
    with app.app_context():
        provinces = [p.name for p in geo.list_provinces(session=db)]
        communes = [c.name for c in geo.list_communes(session=db, province_code=HANOI)]
    assert provinces[0] == "An Giang" and "Thành phố Hà Nội" in provinces
    assert provinces.index("Thành phố Hà Nội") < provinces.index("Hà Tĩnh")
    assert provinces.index("Điện Biên") < provinces.index("Gia Lai")
    proper = [collation.proper_name(name) for name in communes]
    assert proper == sorted(proper, key=collation.sort_key)
