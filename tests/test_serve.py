from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    environment = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    environment |= {"SCORELINE_DATA_DIR": str(tmp_path)}
    command = [sys.executable, "-m", "scoreline.cli"]
    subprocess.run([*command, "migrate", "--quiet"], env=environment, check=True, timeout=120)
    port = free_port()
    process = subprocess.Popen(
        [*command, "serve", "--port", str(port)],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            get(f"{base}/login/")
            break
        except OSError:
            time.sleep(0.2)
    yield base
    process.terminate()
    process.wait(timeout=10)


def test_serve_answers_real_http_with_pages_static_files_and_the_api(server: str) -> None:
    status, body = get(f"{server}/login/")
    assert status == 200 and b"<form" in body
    status, _ = get(f"{server}/")
    assert status == 200  # the login page, after the redirect
    status, body = get(f"{server}/static/scoreline/scoreline.css")
    assert status == 200 and len(body) > 100
    status, body = get(f"{server}/api/v1/openapi.json")
    assert status == 200 and "/api/v1/people" in json.loads(body)["paths"]
    status, body = get(f"{server}/api/v1/people")
    assert status == 401 and json.loads(body)["code"] == "unauthenticated"
