"""A practice answer reads first and writes last (``services.practice.answer``): an answer
overtaken between the two by another answer of the same learner (a page sent twice at once)
records nothing and says so, on its first move and on a later one."""
import pytest
from sqlmodel import Session, select

from conftest import practice_path
from digilit.models import PracticeProgress
from digilit.services import practice
from digilit.services.errors import DomainError


def _answer(session, user, course, item, step_id, choice_id, begin_writes=None):
    return practice.answer(session=session, user=user, course=course, practice=item,
                           step_id=step_id, choice_id=choice_id, version=course.version,
                           begin_writes=begin_writes)


@pytest.mark.parametrize("moves_before", [0, 1])
def test_an_answer_overtaken_by_another_records_nothing(app, db, make_user, catalog,
                                                        moves_before):
    course = catalog.get("e-id")
    item = course.practices[0]
    path = practice_path(item)
    assert len(path) > moves_before + 1
    user = make_user("hocvien")
    for step_id, choice_id in path[:moves_before]:
        _answer(db, user, course, item, step_id, choice_id)
    db.commit()
    step_id, choice_id = path[moves_before]

    def the_other_answer_first():
        db.commit()  # as db.begin_writes: the reads are over
        with Session(db.get_bind()) as other:
            _answer(other, user, course, item, step_id, choice_id)
            other.commit()

    with pytest.raises(DomainError, match="not your current step"):
        _answer(db, user, course, item, step_id, choice_id,
                begin_writes=the_other_answer_first)
    db.rollback()
    db.expire_all()
    rows = db.exec(select(PracticeProgress).where(PracticeProgress.user_id == user.id)).all()
    assert [row.step_id for row in rows] == [path[moves_before + 1][0]]  # moved once
