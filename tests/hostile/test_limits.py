"""Bounded responses: a decompression bomb or a huge page is refused after reading the limit."""

from __future__ import annotations

import gzip
import tracemalloc
from collections.abc import AsyncIterator

import pytest
from aiohttp import web

import ftclient

LIMIT = 1 << 20
BOMB = gzip.compress(b"0" * (64 << 20), compresslevel=9)  # 64 KiB that inflate to 64 MiB


@pytest.fixture
async def bomb_server() -> AsyncIterator[str]:
    async def bomb(request: web.Request) -> web.Response:
        status = int(request.query.get("status", "200"))
        return web.Response(body=BOMB, status=status, headers={"Content-Encoding": "gzip"})

    async def page(request: web.Request) -> web.Response:
        # Plain, sized: read at once when under the limit; refused when over it.
        size = int(request.query["size"])
        return web.json_response({"object": "list", "data": [], "has_more": False, "x": "y" * size})

    app = web.Application()
    app.router.add_get("/v1/fine_tuning/jobs/bomb", bomb)
    app.router.add_get("/v1/fine_tuning/jobs", page)
    runner = web.AppRunner(app, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    yield f"http://127.0.0.1:{runner.addresses[0][1]}/v1"
    await runner.cleanup()


@pytest.mark.parametrize("status", [200, 500])
async def test_a_decompression_bomb_is_refused_with_memory_bounded(
    bomb_server: str, status: int
) -> None:
    async with ftclient.FineTuningClient(
        api_key="k", base_url=bomb_server, max_retries=0, max_response_bytes=LIMIT
    ) as client:
        tracemalloc.start()
        try:
            with pytest.raises(ftclient.APIResponseValidationError) as caught:
                await client.jobs.retrieve("bomb", extra_query={"status": status})
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert f"max_response_bytes ({LIMIT} bytes)" in str(caught.value)
    assert caught.value.status == status
    assert peak < 8 * LIMIT, f"peak {peak / 2**20:.1f} MiB for a 1 MiB limit"


@pytest.mark.parametrize(("size", "refused"), [(LIMIT // 2, False), (2 * LIMIT, True)])
async def test_a_page_is_read_up_to_the_limit(bomb_server: str, size: int, refused: bool) -> None:
    async with ftclient.FineTuningClient(
        api_key="k", base_url=bomb_server, max_response_bytes=LIMIT
    ) as client:
        if refused:
            with pytest.raises(ftclient.APIResponseValidationError, match="max_response_bytes"):
                await client.jobs.list(extra_query={"size": size})
        else:
            page = await client.jobs.list(extra_query={"size": size})
            assert page.data == []


def test_the_limit_must_be_a_positive_integer() -> None:
    with pytest.raises(ftclient.InvalidParameterError, match="max_response_bytes"):
        ftclient.FineTuningClient(api_key="k", max_response_bytes=0)
