"""The light student client: login, submit, status over HTTP — standard library only (no torch, no httpx).

Credentials live in `$AZMOON_CONFIG_DIR/credentials.json` (else `~/.config/azmoon/`), mode 0600, one token per
server. The idempotency key of a submission is derived from the server, the student and the file's bytes, so a
retry after a network failure never counts an attempt twice.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from pathlib import Path

from base.errors import AzmoonError

MAX_FILE_BYTES = 256 * 1024
TIMEOUT_SECONDS = 30
_HEADER = re.compile(r"^(server|student):[ \t]*(.*?)[ \t]*$", re.MULTILINE)


class ClientError(AzmoonError):
    """One bilingual line for the student."""


def config_dir() -> Path:
    if os.environ.get("AZMOON_CONFIG_DIR"):
        return Path(os.environ["AZMOON_CONFIG_DIR"])
    return Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "azmoon"


def _credentials_path() -> Path:
    return config_dir() / "credentials.json"


def load_credentials() -> dict:
    try:
        return json.loads(_credentials_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"servers": {}, "default": None}


def save_credentials(data: dict) -> None:
    folder = config_dir()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = _credentials_path()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=2)
    os.chmod(path, 0o600)


def normalize_url(url: str) -> str:
    url = url.strip().rstrip("/")
    if not re.match(r"^https?://[^\s/]+", url):
        raise ClientError(f"نشانی کارساز نادرست است / not a server URL: {url!r} (http://host:port)")
    return url


def _uses_proxy() -> bool:
    return any(name.lower() in ("http_proxy", "https_proxy") for name in os.environ)


def request(
    url: str, path: str, token: str | None, data: bytes | None = None, key: str | None = None
) -> dict:
    """One API call: the JSON answer, or ClientError (the server's bilingual message, or "cannot reach")."""
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if key:
        headers["Idempotency-Key"] = key
    if _uses_proxy():  # urllib reads the proxy settings (and follows redirects); http.client alone does not
        return _request_urllib(url + "/api/v1" + path, headers, data)
    try:
        status, body = _http(url + "/api/v1" + path, headers, data)
    except (OSError, _http_exception()) as exc:
        raise _unreachable(url, getattr(exc, "reason", exc)) from None
    if 300 <= status < 400:  # a redirect (http -> https behind a proxy, say): urllib follows it
        return _request_urllib(url + "/api/v1" + path, headers, data)
    if status >= 400:
        raise _http_error(status, body)
    return json.loads(body.decode("utf-8"))


def _http_exception() -> type[Exception]:
    import http.client

    return http.client.HTTPException


def _http(full_url: str, headers: dict, data: bytes | None) -> tuple[int, bytes]:
    """(status, body) of one request over http.client (what urllib.request sends, without its import cost)."""
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(full_url)
    connection_type = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    connection = connection_type(parts.netloc, timeout=TIMEOUT_SECONDS)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    sent = {
        "Accept-Encoding": "identity",
        "User-Agent": f"Python-urllib/{sys.version_info[0]}.{sys.version_info[1]}",
        "Connection": "close",
        **headers,
    }
    if data is not None:
        sent["Content-Type"] = "application/x-www-form-urlencoded"  # as urllib labels a POST body
    try:
        connection.request("POST" if data is not None else "GET", target, body=data, headers=sent)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def _request_urllib(full_url: str, headers: dict, data: bytes | None) -> dict:
    import urllib.error
    import urllib.request

    req = urllib.request.Request(
        full_url, data=data, headers=headers, method="POST" if data is not None else "GET"
    )
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT_SECONDS) as response:
            return json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as exc:
        raise _http_error(exc.code, exc.read()) from None
    except (urllib.error.URLError, OSError) as exc:
        raise _unreachable(full_url.split("/api/v1", 1)[0], getattr(exc, "reason", exc)) from None


def _http_error(status: int, body: bytes) -> ClientError:
    try:
        message = json.loads(body.decode("utf-8"))["error"]["message"]
        text = f"{message['fa']} / {message['en']}"
    except (ValueError, KeyError, TypeError):
        text = f"HTTP {status}"
    return ClientError(f"{text} (HTTP {status})")


def _unreachable(url: str, reason: object) -> ClientError:
    return ClientError(
        f"کارساز {url} در دسترس نیست؛ پرونده دست‌نخورده ماند، بعداً دوباره بفرستید. / "
        f"cannot reach {url} ({reason}); your file was kept, send it again later."
    )


def login(url: str, token: str) -> dict:
    url, token = normalize_url(url), token.strip()
    me = request(url, "/me", token)
    data = load_credentials()
    data.setdefault("servers", {})[url] = {
        "token": token,
        "student_id": me.get("student_id"),
        "name": me.get("name"),
    }
    data["default"] = url
    save_credentials(data)
    return me


def token_for(url: str) -> str:
    entry = load_credentials().get("servers", {}).get(url)
    if not entry:
        raise ClientError(f"ابتدا وارد شوید / log in first: azmoon login {url}")
    return entry["token"]


def file_header(data: bytes) -> dict[str, str]:
    text = data.decode("utf-8", errors="replace")
    found = {}
    for name, value in _HEADER.findall(text):
        if value.startswith('"'):
            try:
                value = json.loads(value)
            except ValueError:
                pass
        found.setdefault(name, str(value))
    return found


def read_answer_bytes(path: str | Path) -> bytes:
    """The answer file through `course.files.read_bounded` (standard library only): a regular file of at most
    256 KiB, its size checked before reading; a FIFO or a device is refused at once."""
    from course.files import read_bounded

    return read_bounded(Path(path), MAX_FILE_BYTES, "answer file")


def submit(path: str | Path) -> dict:
    return submit_bytes(read_answer_bytes(path))


def submit_bytes(data: bytes) -> dict:
    url = normalize_url(file_header(data).get("server", ""))
    token = token_for(url)
    key = hashlib.sha256(url.encode() + b"\x00" + token.encode() + b"\x00" + data).hexdigest()
    return request(url, "/submissions", token, data=data, key=key)


def status(url: str | None = None) -> dict:
    url = normalize_url(url) if url else load_credentials().get("default")
    if not url:
        raise ClientError("ابتدا وارد شوید / log in first: azmoon login URL")
    return {"server": url, **request(url, "/me", token_for(url))}
