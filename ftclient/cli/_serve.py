"""``ftclient serve``: run the local emulator for other programs until Ctrl-C (or SIGTERM)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import errno
import os
import signal

from ._common import EXIT_OK, CommandFailed, positive_float
from ._output import Output

__all__ = ["DEFAULT_SERVE_SPEED", "add_serve_parser", "cmd_serve"]

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


def _how_to_point(profile: str, url: str, endpoint: str, key: str) -> list[str]:
    if profile == "azure":
        return [
            f"export AZURE_OPENAI_ENDPOINT={endpoint} AZURE_OPENAI_API_KEY={key} "
            "OPENAI_API_VERSION=2025-04-01-preview"
        ]
    if profile == "bedrock":
        return [
            f"BedrockFineTuningClient(base_url={url!r}, api_key={key!r})",
            f"or: export OPENAI_BASE_URL={url} OPENAI_API_KEY={key}",
        ]
    return [f"export OPENAI_BASE_URL={url} OPENAI_API_KEY={key}"]


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
        profile=args.profile,
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
            info = {
                "url": emu.url,
                "api_key": key,
                "speed": args.speed,
                "seed": emu.seed,
                "profile": args.profile,
            }
            if args.webhook:
                info.update(webhooks=args.webhook, webhook_secret=secret)
            out.json(info, lines=True)
        else:
            pace = "wall time" if args.speed == 1 else f"{args.speed:g}x wall time"
            out.line(f"ftclient emulator listening on {emu.url} (its clock runs at {pace})")
            if args.profile == "openai":
                out.line("Point any OpenAI client at it:")
            else:
                out.line(f"It plays {emu.profile.title}. Point a client at it:")
            key = args.serve_keys[0] if args.serve_keys else EMULATOR_KEY
            for line in _how_to_point(args.profile, emu.url, emu.endpoint, key):
                out.line(f"  {line}")
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


def add_serve_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    json_only: list[argparse.ArgumentParser],
) -> None:
    """Add ``serve`` to the command tree (no client: it is the server)."""
    text = "run the local API emulator until Ctrl-C"
    p = sub.add_parser("serve", help=text, description=text, parents=json_only)
    p.set_defaults(handler=cmd_serve, needs_client=False)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000, help="0 picks a free port (default 8000)")
    p.add_argument(
        "--speed",
        type=positive_float,
        default=DEFAULT_SERVE_SPEED,
        metavar="F",
        help=f"simulated seconds per real second (default {DEFAULT_SERVE_SPEED:g}: wall time)",
    )
    p.add_argument(
        "--seed",
        type=int,
        default=None,
        help="replay the ids, seeds and metrics of an earlier run (default: new ones each run)",
    )
    p.add_argument(
        "--api-key",
        dest="serve_keys",
        action="append",
        default=None,
        metavar="KEY",
        help="accept only this key (repeatable; default: any non-empty key), so that a wrong "
        "key can be tried",
    )
    p.add_argument(
        "--require-files",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="a job's files must be uploaded, processed fine-tune files, as on the service "
        "(default); --no-require-files accepts any file id",
    )
    p.add_argument(
        "--profile",
        choices=("openai", "azure", "bedrock"),
        default="openai",
        help="the provider the emulator plays: its paths, auth, additions and refusals",
    )
    p.add_argument(
        "--webhook",
        action="append",
        default=[],
        type=_webhook_url,
        metavar="URL",
        help="deliver signed job events to URL on 127.0.0.1 (repeatable)",
    )
    p.add_argument(
        "--webhook-secret",
        default=None,
        metavar="whsec_...",
        help="the secret the events are signed with (default: a fixed test secret, printed)",
    )


def _webhook_url(text: str) -> str:
    from ..testing._webhooks import check_endpoint

    try:
        return check_endpoint(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
