"""Which answers are scanned for an echoed key: every answer, when the key is as long as a real
one; none when it is short (the emulator's ``"test"`` would match ordinary text).

The server is a raw one on 127.0.0.1 that writes its own status line and headers, so that an
answer can carry nothing but the header that echoes the key (aiohttp's server always adds some).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import pytest

import ftclient


async def _answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    # One request per connection: echo its Authorization in the only header and in the body.
    head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
    target = head.split(" ", 2)[1]
    auth = ""
    for line in head.split("\r\n"):
        name, _, value = line.partition(":")
        if name.lower() == "authorization":
            auth = value.strip()
    message = f"test failed for {auth}"
    body = json.dumps({"error": {"message": message, "type": "t", "code": None}}).encode()
    status = "401 Unauthorized" if target.endswith("/only-header") else "400 Bad Request"
    # No Content-Length: the body ends when the connection closes (valid HTTP/1.1).
    writer.write(f"HTTP/1.1 {status}\r\nWWW-Authenticate: {auth}\r\n\r\n".encode() + body)
    await writer.drain()
    writer.close()


@pytest.fixture
async def echo() -> AsyncIterator[str]:
    server = await asyncio.start_server(_answer, "127.0.0.1", 0)
    yield f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/v1"
    server.close()
    await server.wait_closed()


async def _refusal(url: str, key: str, job_id: str) -> ftclient.APIStatusError:
    async with ftclient.FineTuningClient(api_key=key, base_url=url, max_retries=0) as client:
        with pytest.raises(ftclient.APIStatusError) as caught:
            await client.jobs.retrieve(job_id)
    return caught.value


async def test_an_answer_whose_only_header_echoes_the_key_has_it_masked(echo: str) -> None:
    key = "sk-proj-ONLY-HEADER-0123456789abcdef"
    error = await _refusal(echo, key, "only-header")
    assert error.status == 401
    assert error.headers == {"www-authenticate": "Bearer sk-...cdef"}
    assert str(error).startswith("401 test failed for Bearer sk-...cdef")


@pytest.mark.parametrize(
    ("key", "shown"),
    [
        ("sk-0123456789ab", "sk-0123456789ab"),  # 15 characters: not looked for
        ("sk-0123456789abc", "sk-...9abc"),  # 16, the shortest key looked for
    ],
)
async def test_keys_from_sixteen_characters_are_masked_shorter_ones_left_alone(
    echo: str, key: str, shown: str
) -> None:
    error = await _refusal(echo, key, "x")
    assert error.headers["www-authenticate"] == f"Bearer {shown}"
    assert error.message == f"test failed for Bearer {shown}"


async def test_a_short_key_leaves_answers_as_sent(echo: str) -> None:
    # The emulator's key "test" also occurs in the text of this answer: nothing is replaced.
    error = await _refusal(echo, "test", "x")
    assert error.message == "test failed for Bearer test"
    assert error.headers["www-authenticate"] == "Bearer test"
