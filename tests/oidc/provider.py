"""Start and stop the test OpenID provider (``provider.mjs``, run by the system's Node), and
walk through its sign-in page over HTTP as a person's browser would."""
import os
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urljoin

import pytest
import requests

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
CLIENT_ID = "digilit-test"
CLIENT_SECRET = "digilit-test-secret-0123456789abcdef"
PASSWORD = "vneid-pass"
FORM_RE = re.compile(r'<form method="post" action="([^"]+)"')


class Provider:
    """One provider process; ``issuer`` is its address once started."""

    def __init__(self, redirect_uris, wrong_jwks=False):
        if shutil.which("node") is None or not (REPO / "node_modules" / "oidc-provider").exists():
            pytest.fail("node and node_modules/oidc-provider are needed: run `make install-test`")
        self._process = subprocess.Popen(
            ["node", str(HERE / "provider.mjs"), *redirect_uris], cwd=REPO,
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
            env={**os.environ, "WRONG_JWKS": "1" if wrong_jwks else "0"})
        line = self._process.stdout.readline()
        if not line.startswith("listening "):
            self.stop()
            raise RuntimeError(f"the test provider did not start: {line!r}")
        self.issuer = line.split()[1]

    def settings(self):
        """The app settings that point at this provider."""
        return {"OIDC_ISSUER": self.issuer, "OIDC_CLIENT_ID": CLIENT_ID,
                "OIDC_CLIENT_SECRET": CLIENT_SECRET, "OIDC_SCOPES": "openid profile area"}

    def stop(self):
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process.stdout.close()


def consent(authorize_url, username="lan", action="allow", password=PASSWORD):
    """Sign in at the provider and allow (or deny); the address it sends the person back to."""
    browser = requests.Session()
    response = browser.get(authorize_url, timeout=10)
    form = FORM_RE.search(response.text)
    assert form, response.text[:500]
    url = urljoin(response.url, form.group(1))
    response = browser.post(url, data={"username": username, "password": password,
                                        "action": action}, allow_redirects=False, timeout=10)
    while response.status_code in (302, 303) and "/auth/oidc/callback" not in (
            response.headers["Location"]):
        response = browser.get(urljoin(url, response.headers["Location"]),
                               allow_redirects=False, timeout=10)
    assert response.status_code in (302, 303), response.text[:500]
    return response.headers["Location"]
