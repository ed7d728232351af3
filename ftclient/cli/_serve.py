"""``ftclient serve``: run the local emulator for other programs until Ctrl-C (or SIGTERM)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import errno
import os
import signal

from ._common import EXIT_OK, CommandFailed
from ._output import Output

__all__ = ["DEFAULT_SERVE_SPEED", "cmd_serve"]

DEFAULT_SERVE_SPEED = 1.0  # wall speed: the times the CLI shows against it are true
EMULATOR_KEY = "sk-emulator"
# The emulator records every request for tests; a long-lived server drops that record now and
# then so that its memory stays flat.
_TRIM_EVERY = 30.0


async def _until_signalled() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    installed = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):  # pragma: no cover - Windows, threads
            continue
        installed.append(sig)
    try:
        await stop.wait()
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)


async def cmd_serve(args: argparse.Namespace, out: Output) -> int:
    """Serve the emulator, print its URL and how to point a client at it, stop on a signal."""
    # the CLI's other commands do not need aiohttp.web
    from ..testing import DEFAULT_WEBHOOK_SECRET, FineTuningEmulator

    secret = args.webhook_secret or DEFAULT_WEBHOOK_SECRET
    emu = FineTuningEmulator(
        host=args.host,
        port=args.port,
        seed=args.seed,
        api_keys=args.serve_keys,
        speed=args.speed,
        require_files=args.require_files,
        webhooks=args.webhook,
        webhook_secret=secret,
    )
    try:
        await emu.start()
    except OSError as exc:
        reason = os.strerror(exc.errno) if exc.errno else str(exc)
        hint = " (choose another with --port, or --port 0)" if exc.errno == errno.EADDRINUSE else ""
        raise CommandFailed(f"cannot listen on {args.host}:{args.port}: {reason}{hint}") from None
    try:
        if out.json_mode:
            key = args.serve_keys[0] if args.serve_keys else EMULATOR_KEY
            info = {"url": emu.url, "api_key": key, "speed": args.speed, "seed": emu.seed}
            if args.webhook:
                info.update(webhooks=args.webhook, webhook_secret=secret)
            out.json(info, lines=True)
        else:
            pace = "wall time" if args.speed == 1 else f"{args.speed:g}x wall time"
            out.line(f"ftclient emulator listening on {emu.url} (its clock runs at {pace})")
            out.line("Point any OpenAI client at it:")
            key = args.serve_keys[0] if args.serve_keys else EMULATOR_KEY
            out.line(f"  export OPENAI_BASE_URL={emu.url} OPENAI_API_KEY={key}")
            if args.serve_keys:
                out.line(f"Only {len(args.serve_keys)} key(s) given with --api-key are accepted.")
            out.line(f"Replay this run's ids with --seed {emu.seed}.")
            for url in args.webhook:
                out.line(f"Job events go to {url}, signed with {secret}")
            out.line("Press Ctrl-C to stop.")

        async def trim() -> None:
            while True:
                await asyncio.sleep(_TRIM_EVERY)
                emu.requests.clear()

        trimmer = asyncio.create_task(trim())
        try:
            await _until_signalled()
        finally:
            trimmer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await trimmer
    finally:
        await emu.stop()
    if not out.json_mode:
        out.line("Emulator stopped.")
    return EXIT_OK
