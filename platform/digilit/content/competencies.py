"""The digital-competence registry that courses declare with ``competencies: [codes]``.

Codes are the 21 competences of DigComp 2.2 (the EU's Digital Competence Framework for
Citizens), numbered ``<area>.<competence>``. Vietnam's basic digital-skills framework
(Decision 757/QĐ-BKHCN of 29 April 2025, "Khung kiến thức, kỹ năng số cơ bản") builds on
DigComp 2.2; the areas carry the Vietnamese names used for the framework's skill groups.
"""
from types import MappingProxyType


def _texts(vi, en):
    return MappingProxyType({"vi": vi, "en": en})


AREAS = MappingProxyType({
    "1": _texts("Khai thác dữ liệu và thông tin", "Information and data literacy"),
    "2": _texts("Giao tiếp và hợp tác trong môi trường số",
                "Communication and collaboration"),
    "3": _texts("Sáng tạo nội dung số", "Digital content creation"),
    "4": _texts("An toàn", "Safety"),
    "5": _texts("Giải quyết vấn đề", "Problem solving"),
})

COMPETENCES = MappingProxyType({
    "1.1": _texts("Duyệt, tìm kiếm và lọc dữ liệu, thông tin và nội dung số",
                  "Browsing, searching and filtering data, information and digital content"),
    "1.2": _texts("Đánh giá dữ liệu, thông tin và nội dung số",
                  "Evaluating data, information and digital content"),
    "1.3": _texts("Quản lý dữ liệu, thông tin và nội dung số",
                  "Managing data, information and digital content"),
    "2.1": _texts("Tương tác thông qua công nghệ số", "Interacting through digital technologies"),
    "2.2": _texts("Chia sẻ thông qua công nghệ số", "Sharing through digital technologies"),
    "2.3": _texts("Tham gia với tư cách công dân thông qua công nghệ số",
                  "Engaging in citizenship through digital technologies"),
    "2.4": _texts("Hợp tác thông qua công nghệ số",
                  "Collaborating through digital technologies"),
    "2.5": _texts("Quy tắc ứng xử trên mạng", "Netiquette"),
    "2.6": _texts("Quản lý danh tính số", "Managing digital identity"),
    "3.1": _texts("Phát triển nội dung số", "Developing digital content"),
    "3.2": _texts("Tích hợp và biên tập lại nội dung số",
                  "Integrating and re-elaborating digital content"),
    "3.3": _texts("Bản quyền và giấy phép", "Copyright and licences"),
    "3.4": _texts("Lập trình", "Programming"),
    "4.1": _texts("Bảo vệ thiết bị", "Protecting devices"),
    "4.2": _texts("Bảo vệ dữ liệu cá nhân và quyền riêng tư",
                  "Protecting personal data and privacy"),
    "4.3": _texts("Bảo vệ sức khỏe và sự an lành", "Protecting health and well-being"),
    "4.4": _texts("Bảo vệ môi trường", "Protecting the environment"),
    "5.1": _texts("Giải quyết các vấn đề kỹ thuật", "Solving technical problems"),
    "5.2": _texts("Xác định nhu cầu và giải pháp công nghệ",
                  "Identifying needs and technological responses"),
    "5.3": _texts("Sử dụng công nghệ số một cách sáng tạo",
                  "Creatively using digital technologies"),
    "5.4": _texts("Xác định những thiếu hụt về năng lực số",
                  "Identifying digital competence gaps"),
})


def area_of(code):
    """The area of a competence code: the part before the dot (``"4.2"`` -> ``"4"``)."""
    return code.split(".", 1)[0]


def areas_of(codes):
    """The distinct areas of ``codes``, in the registry's order."""
    wanted = {area_of(code) for code in codes}
    return tuple(area for area in AREAS if area in wanted)
