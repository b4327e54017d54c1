"""`make demo`: the whole client working end to end, without a MeetBit tenant.

Starts meetbit.testing's fake MeetBit on 127.0.0.1, scripts one 429, then cancels an event
through the real client (watch the retry in the log) and another through the `meetbit` CLI.
"""

from __future__ import annotations

import logging
import os
import shlex
import subprocess
import sys
from pathlib import Path

import meetbit
from meetbit.testing import FakeMeetBit


def main() -> int:
    logging.basicConfig(
        level=logging.INFO, format="  log  %(name)s: %(message)s", stream=sys.stdout
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)
    fake = FakeMeetBit()
    fake.add_event(calendar_id=12, event_id=345, title="Quarterly planning")
    fake.add_event(calendar_id=12, event_id=346, title="Team lunch")

    with fake.serve() as base_url:
        print(f"Fake MeetBit listening at {base_url}\n")
        print("1. The Python client; the fake answers the first request with 429 Retry-After: 0.5")
        fake.fail_next(429, retry_after=0.5)
        with meetbit.Client(
            base_url=base_url,
            access_key_id=fake.access_key_id,
            access_key_secret=fake.access_key_secret,
        ) as client:
            event = client.events.cancel_event(12, 345, cancel_note="Moved to next week")
        print(f"  cancelled #{event.id} {event.title!r}: {event.cancel_note!r}")
        gap = fake.requests[1].time - fake.requests[0].time
        print(f"  the server saw 2 requests, {gap:.2f} s apart\n")

        print("2. The CLI (secret from MEETBIT_ACCESS_KEY_SECRET, never from argv)")
        env = {
            **os.environ,
            "MEETBIT_ACCESS_KEY_ID": fake.access_key_id,
            "MEETBIT_ACCESS_KEY_SECRET": fake.access_key_secret,
        }
        arguments = [
            "events",
            "cancel-event",
            "--calendar-id",
            "12",
            "--event-id",
            "346",
            "--cancel-note",
            "Office closed",
        ]
        command = [str(Path(sys.executable).parent / "meetbit"), "--base-url", base_url, *arguments]
        # Quoted as a shell needs it ('Office closed'), so the line can be pasted and run.
        print(f"  $ {shlex.join(['meetbit', '--base-url', base_url, *arguments])}", flush=True)
        result = subprocess.run(
            command, env=env, capture_output=True, text=True, timeout=60, check=False
        )
        print("\n".join(f"  {line}" for line in result.stdout.splitlines()))
        if result.returncode:
            print(result.stderr, file=sys.stderr)
            return result.returncode
    print("\nDone: both events are cancelled in the fake, and nothing left this machine.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
