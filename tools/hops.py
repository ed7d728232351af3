"""Count the ftclient modules and hops one ``jobs.create`` crosses (issue 17's measure).

Every call and return inside an ftclient module is recorded (the emulator's side and the
models, which are data, left out). The module count is the number of distinct modules entered.
A hop is a call back up the layers: a caller in a lower layer (tools/layers.py order) calling
into a module of a higher one, such as the runner calling a guard or a decode closure that the
resource built, or the transport reaching into the runner; each distinct (caller, callee) pair
counts once. A two-way pair is two modules that call each other (the runner calls a guard,
and the guard calls the runner back): the back-and-forth the review counted.

    python tools/hops.py          one jobs.create against the emulator, modules and hops
    python tools/hops.py --lost   the same create with its first answer lost (checks run)
"""

from __future__ import annotations

import asyncio
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))

import layers

import ftclient
from ftclient.testing import FineTuningEmulator

SKIP = ("ftclient.testing", "ftclient.models")  # the server's side; models are data


def _module(frame: object) -> str | None:
    name = getattr(frame, "f_globals", {}).get("__name__", "")
    if not name.startswith("ftclient") or name.startswith(SKIP):
        return None
    return str(name)


async def main(lost: bool) -> None:
    policy = ftclient.RetryPolicy(wait=False)
    async with (
        FineTuningEmulator(require_files=False) as emu,
        ftclient.FineTuningClient(api_key="test", base_url=emu.url, retry_policy=policy) as client,
    ):
        await client.jobs.create(model="gpt-4o-mini", training_file="file-warm")
        if lost:
            emu.faults.add("createFineTuningJob", "drop_after")
        calls: list[tuple[str, str | None, str]] = []  # (event, caller, callee)

        def profile(frame: object, event: str, arg: object) -> None:
            if event not in ("call", "return"):
                return
            here = _module(frame)
            back = getattr(frame, "f_back", None)
            caller = _module(back) if back is not None else None
            if here is not None:
                calls.append((event, caller, here))

        sys.setprofile(profile)
        try:
            await client.jobs.create(model="gpt-4o-mini", training_file="file-x")
        finally:
            sys.setprofile(None)
    modules = sorted({callee for _, _, callee in calls})
    upward = set()
    for event, caller, callee in calls:
        if event != "call" or caller is None or caller == callee:
            continue
        # layers.LAYERS runs top to bottom: a smaller index is a higher layer.
        below, above = layers.layer_of(caller), layers.layer_of(callee)
        if below is not None and above is not None and above < below:
            upward.add((caller, callee))
    edges = {(c, e) for ev, c, e in calls if ev == "call" and c is not None and c != e}
    two_way = sorted({tuple(sorted(pair)) for pair in edges if pair[::-1] in edges})
    print(f"{len(modules)} modules:")
    for name in modules:
        print(f"  {name}")
    print(f"{len(upward)} upward hops (a lower layer calling into a higher one):")
    for caller, callee in sorted(upward):
        print(f"  {caller} -> {callee}")
    print(f"{len(two_way)} two-way pairs (modules calling each other):")
    for first, second in two_way:
        print(f"  {first} <-> {second}")
    print(f"{len(edges)} distinct module-to-module calls")


if __name__ == "__main__":
    asyncio.run(main("--lost" in sys.argv))
