"""Certificates as signed Open Badges 3.0 credentials: the download, an independent check with
the `jose` library of Node (not the platform's signing code), tampering, revocation by an
administrator of the holder's area through the status list, and the offline check."""
import base64
import json
from pathlib import Path

import pytest
from sqlmodel import select

from conftest import BA_DINH, HANOI, HCMC, HOAN_KIEM, AuthActions, csrf_token
from digilit.models import Certificate, CertificateRevocation
from digilit.services import accounts
from oidc.verifier import node_verify

PREFIX = "data:application/vc+jwt,"
STAFF_PASSWORD = "mat-khau-quan-tri"


def payload(credential):
    token = credential["id"][len(PREFIX):]
    body = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def tamper(credential, change):
    """The credential with its payload changed, and the original signature kept."""
    head, body, signature = credential["id"][len(PREFIX):].split(".")
    claims = change(payload(credential))
    raw = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    return {**credential, "id": f"{PREFIX}{head}.{raw}.{signature}"}


@pytest.fixture
def passed(app, client, learner, learn, db):
    """The code of the signed-in learner's certificate for e-id."""
    learn.pass_course("e-id")
    db.expire_all()
    return db.exec(select(Certificate)).one().code


def download(client, code):
    response = client.get(f"/certificates/{code}.json")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    return response.get_json()


def status_list_of(client, credential):
    url = payload(credential)["credentialStatus"]["statusListCredential"]
    path = url.split("://", 1)[1].split("/", 1)[1]
    response = client.get("/" + path)
    assert response.status_code == 200
    assert response.mimetype == "application/vc+jwt"
    return response.get_data(as_text=True)


def test_the_credential_is_an_open_badge_with_public_addresses(app, client, passed, catalog):
    app.config["PUBLIC_URL"] = "https://hoc.example.vn"
    credential = download(client, passed)
    assert credential["type"] == "EnvelopedVerifiableCredential"
    claims = payload(credential)
    assert "OpenBadgeCredential" in claims["type"]
    assert claims["id"] == f"https://hoc.example.vn/certificates/{passed}"
    assert claims["issuer"]["id"] == "https://hoc.example.vn/"
    subject = claims["credentialSubject"]
    assert subject["identifier"][0]["identityHash"] == "Nguyễn Thị Lan"
    achievement = subject["achievement"]
    assert achievement["name"] == catalog.get("e-id").title["vi"]
    assert achievement["description"] and achievement["criteria"]["narrative"]
    assert claims["validFrom"].startswith("2026-03-11T03:0")  # the test day, in UTC
    assert claims["credentialStatus"]["statusListCredential"] == (
        "https://hoc.example.vn/credentials/status/1")
    # A forged Host header changes nothing.
    again = client.get(f"/certificates/{passed}.json", headers={"Host": "evil.example"})
    assert payload(again.get_json())["id"] == claims["id"]


def test_an_independent_verifier_accepts_it_and_refuses_a_tampered_one(client, passed,
                                                                      tmp_path):
    credential = download(client, passed)
    jwks = client.get("/.well-known/jwks.json").get_json()
    status = status_list_of(client, credential)
    result = node_verify(tmp_path, credential, jwks, status)
    assert result["valid"] is True, result
    assert result["holder"] == "Nguyễn Thị Lan"

    def rename(claims):
        claims["credentialSubject"]["identifier"][0]["identityHash"] = "Kẻ Giả Mạo"
        return claims

    forged = node_verify(tmp_path, tamper(credential, rename), jwks, status)
    assert forged["valid"] is False and "signature" in forged["reason"]


def make_admin(app, role, username, province=None, commune=None):
    from digilit.db import get_session
    with app.app_context():
        session = get_session()
        accounts.create_user(session=session, username=username, full_name="Cán bộ",
                             password=STAFF_PASSWORD, role=role, province_code=province,
                             commune_code=commune)
        session.commit()
    other = app.test_client()
    assert AuthActions(other).login(username, STAFF_PASSWORD).status_code == 302
    return other


def revoke(admin, code, reason="Gian lận khi làm bài"):
    return admin.post(f"/certificates/{code}/revoke", data={
        "reason": reason, "csrf_token": csrf_token(admin, f"/certificates/{code}")})


def test_only_an_administrator_of_the_holders_area_may_revoke(app, client, passed, db,
                                                             count):
    assert revoke(client, passed).status_code == 404  # the learner herself
    outside = make_admin(app, "province_admin", "tinhhcm", province=HCMC)
    assert revoke(outside, passed).status_code == 404
    other_commune = make_admin(app, "commune_admin", "xabadinh", province=HANOI,
                               commune=BA_DINH)
    assert revoke(other_commune, passed).status_code == 404
    assert "Revoke this certificate" not in other_commune.get(
        f"/certificates/{passed}?lang=en").get_data(as_text=True)
    assert count(CertificateRevocation) == 0

    commune = make_admin(app, "commune_admin", "xahoankiem", province=HANOI, commune=HOAN_KIEM)
    assert "Revoke this certificate" in commune.get(
        f"/certificates/{passed}?lang=en").get_data(as_text=True)
    assert revoke(commune, passed, reason="  ").status_code == 302
    assert count(CertificateRevocation) == 0  # a reason is needed
    assert revoke(commune, passed).status_code == 302
    assert count(CertificateRevocation) == 1
    page = app.test_client().get(f"/certificates/{passed}?lang=en").get_data(as_text=True)
    assert "This certificate has been revoked." in page
    assert revoke(make_admin(app, "national_admin", "quocgia"), passed).status_code == 302
    assert count(CertificateRevocation) == 1  # once


def test_a_revoked_credential_fails_the_independent_check_and_the_cli(app, client, passed,
                                                                     runner, tmp_path):
    credential = download(client, passed)
    jwks = client.get("/.well-known/jwks.json").get_json()
    admin = make_admin(app, "province_admin", "tinhhanoi", province=HANOI)
    assert revoke(admin, passed).status_code == 302
    result = node_verify(tmp_path, credential, jwks, status_list_of(client, credential))
    assert result == {"valid": False, "reason": "revoked"}
    (tmp_path / "revoked.json").write_text(json.dumps(credential))
    outcome = runner.invoke(args=["certificates", "verify", str(tmp_path / "revoked.json")])
    assert outcome.exit_code == 1
    assert "revoked" in outcome.output


def test_the_cli_accepts_a_good_credential_and_says_why_others_fail(client, passed, runner,
                                                                   tmp_path, app):
    credential = download(client, passed)
    cases = {
        "good.json": json.dumps(credential),
        "bare.jwt": credential["id"][len(PREFIX):],
        "tampered.json": json.dumps(tamper(credential, lambda c: {**c, "name": "Khác"})),
        "garbage.json": "{\"hello\": 1}",
    }
    for name, text in cases.items():
        (tmp_path / name).write_text(text)
    result = runner.invoke(args=["certificates", "verify", str(tmp_path / "good.json")])
    assert result.exit_code == 0, result.output
    assert "VALID" in result.output and "Nguyễn Thị Lan" in result.output
    assert runner.invoke(args=["certificates", "verify",
                               str(tmp_path / "bare.jwt")]).exit_code == 0
    tampered = runner.invoke(args=["certificates", "verify", str(tmp_path / "tampered.json")])
    assert tampered.exit_code == 1 and "bad signature" in tampered.output
    garbage = runner.invoke(args=["certificates", "verify", str(tmp_path / "garbage.json")])
    assert garbage.exit_code == 1 and "not a credential" in garbage.output
    # Signed with another key (a new key file): an unknown key.
    Path(app.config["CREDENTIAL_KEY_FILE"]).unlink()
    app.extensions.pop("digilit.signing_key")
    unknown = runner.invoke(args=["certificates", "verify", str(tmp_path / "good.json")])
    assert unknown.exit_code == 1 and "unknown key" in unknown.output


def test_the_key_is_made_once_and_kept_private(app, client, passed):
    first = client.get("/.well-known/jwks.json").get_json()
    key_file = Path(app.config["CREDENTIAL_KEY_FILE"])
    assert key_file.exists() and oct(key_file.stat().st_mode & 0o777) == "0o600"
    [key] = first["keys"]
    assert key["kty"] == "OKP" and key["crv"] == "Ed25519" and "d" not in key
    app.extensions.pop("digilit.signing_key")
    assert client.get("/.well-known/jwks.json").get_json() == first


def test_the_page_offers_the_download_and_unknown_codes_are_404(client, passed):
    page = client.get(f"/certificates/{passed}?lang=en").get_data(as_text=True)
    assert f'href="/certificates/{passed}.json"' in page
    assert "Download the credential" in page
    assert client.get("/certificates/AAAA-AAAA-AAAA-AAAA.json").status_code == 404
    assert client.get("/credentials/status/0").status_code == 404


def test_status_list_positions_and_bits():
    from digilit.services import credentials
    size = credentials.LIST_SIZE
    assert credentials.status_position(7) == (1, 7)
    assert credentials.status_position(size + 3) == (2, 3)
    encoded = credentials.encode_bits([0, 9, size - 1])
    assert encoded.startswith("u")
    assert [credentials.decode_bit(encoded, i) for i in (0, 1, 8, 9, size - 1)] == [
        True, False, False, True, True]


def test_the_competencies_a_course_declares_become_alignments(catalog):
    from types import SimpleNamespace
    from datetime import datetime, timezone
    from digilit.services import credentials
    course = catalog.get("e-id")
    declared = SimpleNamespace(**{k: getattr(course, k) for k in ("slug", "title", "summary")},
                               competencies=("1.1", "2.3"))
    certificate = SimpleNamespace(id=5, code="AAAA-BBBB-CCCC-DDDD", percent=90,
                                  issued_at=datetime(2026, 3, 11, 3, 0, tzinfo=timezone.utc))
    urls = {"base": "https://x.vn", "certificate": "https://x.vn/c", "course": "https://x.vn/k",
            "status_list": lambda n: f"https://x.vn/credentials/status/{n}"}
    built = credentials.build_credential(
        certificate=certificate, holder_name="A", course=declared, urls=urls,
        texts={"name": "Issuer", "criteria": "Pass"}, lang_text=lambda texts: texts["vi"])
    alignment = built["credentialSubject"]["achievement"]["alignment"]
    assert [a["targetCode"] for a in alignment] == ["1.1", "2.3"]
    assert built["validFrom"] == "2026-03-11T03:00:00Z"
    assert built["credentialStatus"]["statusListIndex"] == "5"
    plain = credentials.build_credential(
        certificate=certificate, holder_name="A", course=course, urls=urls,
        texts={"name": "Issuer", "criteria": "Pass"}, lang_text=lambda texts: texts["vi"])
    expected = [str(code) for code in (getattr(course, "competencies", None) or ())]
    assert [a["targetCode"] for a in plain["credentialSubject"]["achievement"].get(
        "alignment", [])] == expected  # none until course.yaml declares them
