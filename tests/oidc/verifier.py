"""The independent credential verifier (``verify_credential.mjs``, the `jose` library of
Node), called from the tests."""
import json
import shutil
import subprocess
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]


def node_verify(tmp_path, credential, jwks, status_list):
    """What the independent verifier says of ``credential`` (the downloaded JSON, a dict),
    given the issuer's ``jwks`` and the status list (a VC-JWT string)."""
    if shutil.which("node") is None or not (REPO / "node_modules" / "jose").exists():
        pytest.fail("node and node_modules/jose are needed: run `make install-test`")
    files = []
    for name, content in (("credential.json", json.dumps(credential)),
                          ("jwks.json", json.dumps(jwks)), ("status.jwt", status_list)):
        (tmp_path / name).write_text(content)
        files.append(str(tmp_path / name))
    done = subprocess.run(["node", str(HERE / "verify_credential.mjs"), *files],
                          capture_output=True, text=True, timeout=30, cwd=REPO)
    return json.loads(done.stdout)
