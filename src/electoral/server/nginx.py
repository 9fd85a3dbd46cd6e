"""nginx in front of the public folder (issue 12): the config, and nginx run without root.

The config serves ``current_ver.txt`` and the live page with ``Cache-Control: no-cache`` (a
reader revalidates with the ETag every time, and an unchanged pointer costs a 304), the numbered
version folders as ``immutable`` for a year (they never change once named), never a hidden file
(a version still being written is a hidden folder), and listens on loopback unless told
otherwise. A version's files are sent as the ``.gz`` beside them, compressed once at publish
(``gzip_static``), to a client that accepts gzip; only the unversioned files (the pointer, the
live page) are compressed per request. Everything nginx writes (pid, logs, temporary files)
stays in a private folder, given to nginx as its prefix (``-p``), so no root and no ``/var`` are
needed.

Directives: https://nginx.org/en/docs/http/ngx_http_core_module.html,
https://nginx.org/en/docs/http/ngx_http_gzip_module.html,
https://nginx.org/en/docs/http/ngx_http_gzip_static_module.html.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from electoral.errors import ElectoralError, NotFoundError
from electoral.io.outfile import write_file

IMMUTABLE = "public, max-age=31536000, immutable"
TYPES = {"text/html": "html", "application/json": "json", "text/csv": "csv",
         "application/javascript": "js", "text/css": "css", "image/svg+xml": "svg",
         "text/plain": "txt", "application/xml": "xml"}
GZIPPED = ("application/json", "text/csv", "application/javascript", "text/css", "image/svg+xml",
           "text/plain", "application/xml")  # text/html is always compressed by nginx
START_TIMEOUT = 10.0  # seconds for nginx to answer on its port


@dataclass(frozen=True, slots=True)
class Nginx:
    """A running nginx: its process, the address it answers on, and its private folder."""

    process: subprocess.Popen[bytes]
    url: str
    prefix: Path


def find_nginx() -> str | None:
    """The nginx binary (Debian puts it in /usr/sbin, often not on a user's PATH)."""
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)), None)


def nginx_config(public: Path, prefix: Path, *, port: int, host: str = "127.0.0.1") -> str:
    """The text of an nginx config serving ``public`` on ``host:port``, with every file nginx
    writes under ``prefix``. Paths are made absolute; one with a character nginx's syntax
    would take as syntax is refused.

    Raises:
        ElectoralError: a path holds a quote, ``;``, ``{``, ``}``, ``$`` or a control character.
    """
    root, own = _quoted(public.resolve()), prefix.resolve()
    temps = "\n".join(f"    {kind}_temp_path {_quoted(own / 'tmp' / kind)};"
                      for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    types = " ".join(f"{media} {suffix};" for media, suffix in TYPES.items())
    return f"""# written by `electoral serve --nginx`; run: nginx -p {own} -c {own / 'nginx.conf'}
daemon off;
{_worker_user(public)}worker_processes auto;
pid {_quoted(own / 'nginx.pid')};
error_log {_quoted(own / 'error.log')} warn;
events {{ worker_connections 4096; }}
http {{
    types {{ {types} }}
    default_type application/octet-stream;
    access_log off;
{temps}
    sendfile on;
    tcp_nopush on;
    tcp_nodelay on;
    keepalive_timeout 65;
    keepalive_requests 100000;
    server_tokens off;
    gzip on;
    gzip_vary on;
    gzip_min_length 1024;
    gzip_types {' '.join(GZIPPED)};
    server {{
        listen {host}:{port};
        root {root};
        index index.html;
        # a version being written is a hidden folder, and the publish lock a hidden file
        location ~ /\\. {{ return 404; }}
        location ~ "^/[0-9]+/" {{
            add_header Cache-Control "{IMMUTABLE}" always;
            gzip_static on;
            open_file_cache max=10000 inactive=60s;
            open_file_cache_valid 60s;
        }}
        # the pointer: never a 304 — nginx's ETag and Last-Modified count whole seconds, and a
        # version published within the second of the last, its number as long, looked unchanged
        location = /current_ver.txt {{
            add_header Cache-Control "no-cache" always;
            etag off;
            if_modified_since off;
        }}
        location / {{
            add_header Cache-Control "no-cache" always;
        }}
    }}
}}
"""


def _worker_user(public: Path) -> str:
    """Started by root, nginx's workers would run as ``nobody``, who may not read a private
    folder: they run as the public folder's owner instead. Started by anyone else, nginx cannot
    change user and the directive is left out."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return ""
    import pwd

    try:
        owner = pwd.getpwuid(public.resolve().stat().st_uid)
    except (KeyError, OSError):
        return ""
    return f"user {owner.pw_name} {_group_name(owner.pw_gid)};\n"


def _group_name(gid: int) -> str:
    import grp

    try:
        return grp.getgrgid(gid).gr_name
    except KeyError:
        return str(gid)


def _quoted(path: Path) -> str:
    text = str(path)
    if any(c in text for c in "\"';{}$\\") or any(ord(c) < 32 for c in text):
        raise ElectoralError(f"nginx cannot be given the path {text!r}: it holds a character "
                             "nginx's config syntax takes as syntax; choose another folder")
    return f'"{text}"'


def write_nginx_config(public: Path, prefix: Path, *, port: int, host: str = "127.0.0.1") -> Path:
    """Write ``prefix/nginx.conf`` (and the folders nginx writes in); return its path.

    Raises:
        ElectoralError: as ``nginx_config``.
        OutputError: the folder cannot be written.
    """
    text = nginx_config(public, prefix, port=port, host=host)
    for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (prefix / "tmp" / kind).mkdir(parents=True, exist_ok=True)
    conf = prefix / "nginx.conf"
    write_file(conf, text, within=prefix)
    return conf


@contextlib.contextmanager
def running_nginx(public: Path, prefix: Path, *, port: int, host: str = "127.0.0.1",
                  binary: str | None = None) -> Iterator[Nginx]:
    """nginx serving ``public`` until the block ends (then stopped gracefully, then killed if it
    lingers); waits until it answers on ``host:port``.

    Raises:
        NotFoundError: nginx is not installed (``make system-deps`` installs Debian's).
        ElectoralError: nginx refused the config or could not listen (its error log's last
            lines say why).
    """
    found = binary or find_nginx()
    if found is None:
        raise NotFoundError("nginx is not installed: `make system-deps` installs Debian's "
                            "(as root), or apt-get install nginx")
    conf = write_nginx_config(public, prefix, port=port, host=host)
    log = prefix / "error.log"
    process = subprocess.Popen([found, "-p", str(prefix.resolve()), "-c", str(conf.resolve()),
                                "-e", str(log.resolve())],
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, start_new_session=True)
    try:
        _wait_until_listening(process, host, port, log)
        yield Nginx(process, f"http://{_url_host(host)}:{port}/", prefix)
    finally:
        stop(process)


def _wait_until_listening(process: subprocess.Popen[bytes], host: str, port: int, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            said = (process.stderr.read().decode(errors="replace") if process.stderr else "")
            raise ElectoralError(f"nginx stopped at start: {_last_lines(said, log)}")
        with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=0.2):
            return
        time.sleep(0.05)
    raise ElectoralError(f"nginx did not answer on {host}:{port} within {START_TIMEOUT:g} s: "
                         f"{_last_lines('', log)}")


def _last_lines(said: str, log: Path) -> str:
    with contextlib.suppress(OSError):
        said += log.read_text(errors="replace")
    lines = [line for line in said.splitlines() if line.strip()]
    return " / ".join(lines[-3:]) or "no message"


def stop(process: subprocess.Popen[bytes], timeout: float = 5.0) -> None:
    """Stop nginx: SIGQUIT (finish the requests in flight), then SIGKILL after ``timeout``."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGQUIT)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    if process.stderr:
        process.stderr.close()


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host
