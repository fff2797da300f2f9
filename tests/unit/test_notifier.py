"""The notifier wakes every live reader of a loop with one call into it, and a reader that gives up
leaves the others waiting."""

from __future__ import annotations

import asyncio
import threading

from crisislink.app.notifier import Notifier


def test_one_commit_wakes_every_reader_with_one_call_into_the_loop() -> None:
    notifier = Notifier()

    async def scenario() -> list[bool]:
        loop = asyncio.get_running_loop()
        calls: list[object] = []
        original = loop.call_soon_threadsafe

        def counting(callback: object, *args: object) -> object:
            calls.append(callback)
            return original(callback, *args)  # type: ignore[arg-type]

        loop.call_soon_threadsafe = counting  # type: ignore[method-assign,assignment]
        readers = [asyncio.create_task(notifier.wait(0, timeout=5)) for _ in range(100)]
        await asyncio.sleep(0)  # every reader is waiting now
        threading.Thread(target=notifier.notify, args=(7,)).start()
        woken = await asyncio.gather(*readers)
        assert len(calls) == 1
        return woken

    assert asyncio.run(scenario()) == [True] * 100
    assert notifier.latest == 7


def test_a_reader_that_times_out_does_not_cancel_the_others() -> None:
    notifier = Notifier()

    async def scenario() -> tuple[bool, bool]:
        patient = asyncio.create_task(notifier.wait(0, timeout=5))
        impatient = await notifier.wait(0, timeout=0.01)
        notifier.notify(3)
        return impatient, await patient

    assert asyncio.run(scenario()) == (False, True)


def test_a_commit_already_seen_does_not_wait() -> None:
    notifier = Notifier()
    notifier.notify(5)

    async def scenario() -> tuple[bool, bool]:
        newer = await notifier.wait(4, timeout=5)
        nothing_newer = await notifier.wait(5, timeout=0.01)
        return newer, nothing_newer

    assert asyncio.run(scenario()) == (True, False)
