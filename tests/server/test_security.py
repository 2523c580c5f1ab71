"""Every endpoint refuses requests without credentials; cookie-authenticated writes need the XSRF token."""

from __future__ import annotations

import json
from http.cookies import SimpleCookie
from typing import Any

import pytest
from tornado.httpclient import HTTPClientError, HTTPRequest
from tornado.websocket import websocket_connect

ENDPOINTS = [
    ("GET", "sagemaker-ack/pipelines"),
    ("GET", "sagemaker-ack/runs"),
    ("GET", "sagemaker-ack/runs/default/abalone-run-1"),
    ("POST", "sagemaker-ack/runs/default/abalone-run-1/stop"),
    ("POST", "sagemaker-ack/review"),
]


def _url(base_url: str, path: str) -> str:
    return base_url.rstrip("/") + "/" + path


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
async def test_requests_without_credentials_are_refused(
    http_server_client, jp_serverapp, jp_base_url, method, path
):
    body = json.dumps({"path": "manifests/pipeline.yaml"}) if method == "POST" else None
    with pytest.raises(HTTPClientError) as caught:
        await http_server_client.fetch(
            _url(jp_base_url, path), method=method, body=body, follow_redirects=False
        )
    assert caught.value.code in (401, 403)


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
async def test_a_wrong_token_is_refused(http_server_client, jp_serverapp, jp_base_url, method, path):
    body = json.dumps({"path": "manifests/pipeline.yaml"}) if method == "POST" else None
    with pytest.raises(HTTPClientError) as caught:
        await http_server_client.fetch(
            _url(jp_base_url, path),
            method=method,
            body=body,
            headers={"Authorization": "token not-the-token"},
            follow_redirects=False,
        )
    assert caught.value.code in (401, 403)


async def test_the_event_stream_refuses_a_socket_without_credentials(jp_ws_fetch):
    with pytest.raises(HTTPClientError) as caught:
        await jp_ws_fetch(
            "sagemaker-ack", "runs", "default", "abalone-run-1", "events", headers={"Authorization": ""}
        )
    assert caught.value.code in (401, 403)


async def _browser_cookies(http_server_client: Any, jp_serverapp: Any, jp_base_url: str) -> dict[str, str]:
    """Log in the way a browser does (token in the URL) and keep the cookies the server sets."""
    token = jp_serverapp.identity_provider.token
    response = await http_server_client.fetch(
        _url(jp_base_url, f"api/contents?token={token}"), follow_redirects=False
    )
    cookies: dict[str, str] = {}
    for header in response.headers.get_list("Set-Cookie"):
        for name, morsel in SimpleCookie(header).items():
            cookies[name] = morsel.value
    assert any(name.startswith("username-") for name in cookies), cookies
    return cookies


async def test_a_cross_site_post_with_only_the_login_cookie_is_refused(
    http_server_client, jp_serverapp, jp_base_url, pipeline_yaml
):
    cookies = await _browser_cookies(http_server_client, jp_serverapp, jp_base_url)
    login = "; ".join(f"{k}={v}" for k, v in cookies.items() if k.startswith("username-"))
    body = json.dumps({"path": "manifests/pipeline.yaml"})
    for path in ("sagemaker-ack/review", "sagemaker-ack/runs/default/abalone-run-1/stop"):
        with pytest.raises(HTTPClientError) as caught:
            await http_server_client.fetch(
                _url(jp_base_url, path),
                method="POST",
                body=body,
                headers={"Cookie": login},
                follow_redirects=False,
            )
        assert caught.value.code == 403, path
        assert "xsrf" in (caught.value.response.body or b"").decode().lower()


async def test_a_same_site_post_with_the_xsrf_token_gets_through(
    http_server_client, jp_serverapp, jp_base_url
):
    cookies = await _browser_cookies(http_server_client, jp_serverapp, jp_base_url)
    xsrf = "made-up-but-matching"
    cookie = "; ".join(f"{k}={v}" for k, v in cookies.items() if k.startswith("username-"))
    with pytest.raises(HTTPClientError) as caught:
        await http_server_client.fetch(
            _url(jp_base_url, "sagemaker-ack/review"),
            method="POST",
            body=json.dumps({"path": "no/such/file.yaml"}),
            headers={"Cookie": f"{cookie}; _xsrf={xsrf}", "X-XSRFToken": xsrf},
        )
    # Past authentication and the XSRF check, the handler itself answers: the file does not exist.
    assert caught.value.code == 404


async def test_a_cross_site_socket_with_the_login_cookie_is_refused(
    http_server_client, jp_serverapp, jp_base_url, jp_http_port
):
    cookies = await _browser_cookies(http_server_client, jp_serverapp, jp_base_url)
    login = "; ".join(f"{k}={v}" for k, v in cookies.items() if k.startswith("username-"))
    url = (
        f"ws://127.0.0.1:{jp_http_port}{_url(jp_base_url, 'sagemaker-ack/runs/default/abalone-run-1/events')}"
    )

    def connect(origin: str) -> Any:
        return websocket_connect(HTTPRequest(url, headers={"Cookie": login, "Origin": origin}))

    with pytest.raises(HTTPClientError) as caught:
        await connect("http://evil.example")
    assert caught.value.code == 403
    # The same cookie from the server's own origin is let in: the refusal above was the origin check.
    socket = await connect(f"http://127.0.0.1:{jp_http_port}")
    socket.close()
