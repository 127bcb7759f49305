"""Checks on practice files and lesson checks; each problem comes back as ``(line, message)``."""
from .validate import ID_RE, SLUG_RE, Problems, check_int, check_text, check_unknown_keys
from .yamlsource import line_of, plain_keys

STEP_KEYS = {"id", "screen", "image", "choices", "end"}
PRACTICE_CHOICE_KEYS = {"id", "text", "feedback", "next", "mistake"}
CHECK_KEYS = {"id", "after", "prompt", "choices", "explain"}
MAX_CHECKS = 2


def check_practice(data, image_ok):
    """Problems in a practice file; ``image_ok(name)`` returns a problem message or None."""
    problems = Problems()
    if not isinstance(data, dict) or not isinstance(data.get("steps"), list) \
            or not data["steps"]:
        problems.add(line_of(data) if isinstance(data, dict) else 1,
                     "a practice file must have a non-empty list 'steps'")
        return problems
    check_unknown_keys(data, {"steps"}, problems)
    steps = {}
    for number, step in enumerate(data["steps"], start=1):
        if not isinstance(step, dict):
            problems.add(line_of(data, "steps"), f"step {number}: expected a mapping")
            continue
        sid = step.get("id")
        if not isinstance(sid, str) or not SLUG_RE.match(sid):
            problems.add(line_of(step, "id"), f"step {number}: id must be lower-case letters, "
                         "digits and hyphens")
        elif sid in steps:
            problems.add(line_of(step, "id"), f"step id '{sid}' is used twice")
        else:
            steps[sid] = step
        _check_step(step, f"step '{sid}'", image_ok, problems)
    if not problems:
        _check_graph(data["steps"], steps, problems)
    return problems


def _check_step(step, label, image_ok, problems):
    check_unknown_keys(step, STEP_KEYS, problems, f" in {label}")
    if "screen" not in step:
        problems.add(line_of(step), f"{label}: missing key 'screen'")
    else:
        check_text(step, "screen", problems, f"{label} screen")
    if "image" in step:
        name = step["image"]
        message = image_ok(name) if isinstance(name, str) else "'image' must be a file name"
        if message:
            problems.add(line_of(step, "image"), f"{label} image: {message}")
    has_end, has_choices = "end" in step, "choices" in step
    if has_end == has_choices:
        problems.add(line_of(step), f"{label}: needs either 'choices' or 'end: true'")
    elif has_end and step["end"] is not True:
        problems.add(line_of(step, "end"), f"{label}: 'end' must be true")
    elif has_choices:
        _check_step_choices(step, label, problems)


def _check_step_choices(step, label, problems):
    choices = step["choices"]
    if not isinstance(choices, list) or not choices:
        problems.add(line_of(step, "choices"), f"{label}: 'choices' must be a non-empty list")
        return
    ids = set()
    for choice in choices:
        if not isinstance(choice, dict):
            problems.add(line_of(step, "choices"), f"{label}: each choice must be a mapping")
            continue
        check_unknown_keys(choice, PRACTICE_CHOICE_KEYS, problems, f" in {label}")
        cid = choice.get("id")
        if not isinstance(cid, str) or not ID_RE.match(cid):
            problems.add(line_of(choice, "id"), f"{label}: choice id must be lower-case "
                         "letters, digits, '_' and '-'")
        elif cid in ids:
            problems.add(line_of(choice, "id"), f"{label}: choice id '{cid}' is used twice")
        ids.add(cid)
        where = f"{label} choice '{cid}'"
        check_text(choice, "text", problems, where)
        if not isinstance(choice.get("next"), str):
            problems.add(line_of(choice), f"{where}: missing 'next' (a step id)")
        if "feedback" in choice:
            check_text(choice, "feedback", problems, f"{where} feedback")
        if not isinstance(choice.get("mistake", False), bool):
            problems.add(line_of(choice, "mistake"), f"{where}: 'mistake' must be true or false")
        elif choice.get("mistake") and "feedback" not in choice:
            problems.add(line_of(choice, "mistake"), f"{where}: a mistake needs 'feedback' "
                         "saying what would have happened")


def _check_graph(ordered, steps, problems):
    """Every ``next`` exists, every step is reachable from the first, an end is reachable."""
    for step in ordered:
        for choice in step.get("choices", []):
            if choice["next"] not in steps:
                problems.add(line_of(choice, "next"), f"step '{step['id']}' choice "
                             f"'{choice['id']}': next step '{choice['next']}' does not exist")
    if problems:
        return
    seen, todo = set(), [ordered[0]["id"]]
    while todo:
        sid = todo.pop()
        if sid not in seen:
            seen.add(sid)
            todo += [choice["next"] for choice in steps[sid].get("choices", [])]
    for step in ordered:
        if step["id"] not in seen:
            problems.add(line_of(step), f"step '{step['id']}' cannot be reached from the first "
                         f"step '{ordered[0]['id']}'")
    if not any(steps[sid].get("end") for sid in seen):
        problems.add(line_of(ordered[0]), "no step with 'end: true' can be reached")


def check_checks(data, sections):
    """Problems in a lesson's ``.checks.yaml``; ``sections`` is its number of ``##`` sections."""
    problems = Problems()
    if not isinstance(data, dict) or not isinstance(data.get("checks"), list) \
            or not data["checks"]:
        problems.add(line_of(data) if isinstance(data, dict) else 1,
                     "a checks file must have a non-empty list 'checks'")
        return problems
    check_unknown_keys(data, {"checks"}, problems)
    if len(data["checks"]) > MAX_CHECKS:
        problems.add(line_of(data, "checks"), f"at most {MAX_CHECKS} checks per lesson")
    ids = set()
    for number, check in enumerate(data["checks"], start=1):
        if not isinstance(check, dict):
            problems.add(line_of(data, "checks"), f"check {number}: expected a mapping")
            continue
        cid = check.get("id")
        if not isinstance(cid, str) or not ID_RE.match(cid):
            problems.add(line_of(check, "id"), f"check {number}: id must be lower-case letters, "
                         "digits, '_' and '-'")
        elif cid in ids:
            problems.add(line_of(check, "id"), f"check id '{cid}' is used twice")
        ids.add(cid)
        _check_one_check(check, f"check '{cid}'", sections, problems)
    return problems


def _check_one_check(check, label, sections, problems):
    for key in sorted(CHECK_KEYS - set(plain_keys(check))):
        problems.add(line_of(check), f"{label}: missing key '{key}'")
    check_unknown_keys(check, CHECK_KEYS, problems, f" in {label}")
    if "after" in check:
        check_int(check, "after", problems, 1, max(sections, 1))
    for key in ("prompt", "explain"):
        if key in check:
            check_text(check, key, problems, f"{label} {key}")
    choices = check.get("choices")
    if "choices" not in check:
        return
    if not isinstance(choices, list) or len(choices) < 2 \
            or not all(isinstance(c, dict) for c in choices):
        problems.add(line_of(check, "choices"), f"{label}: needs at least two choices")
        return
    ids = set()
    for choice in choices:
        check_unknown_keys(choice, {"id", "text", "correct"}, problems, f" in {label}")
        cid = choice.get("id")
        if not isinstance(cid, str) or not ID_RE.match(cid) or cid in ids:
            problems.add(line_of(choice, "id"), f"{label}: choice ids must be unique, lower-case "
                         "letters, digits, '_' and '-'")
        ids.add(cid)
        check_text(choice, "text", problems, f"{label} choice '{cid}'")
        if not isinstance(choice.get("correct", False), bool):
            problems.add(line_of(choice, "correct"), f"{label}: 'correct' must be true or false")
    if sum(choice.get("correct") is True for choice in choices) != 1:
        problems.add(line_of(check, "choices"), f"{label}: exactly one choice is correct")
