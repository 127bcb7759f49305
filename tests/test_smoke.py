def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_register_and_login(client, auth):
    response = auth.register()
    assert response.status_code == 302
    auth.logout()
    assert auth.login().headers["Location"] == "/me"
