"""The rate controller's parts, each alone, on a fake clock: bucket, CUBIC, meter, detector, jitter.

`go(controller)` is one caller's reserve and confirm (sending at once, whatever the wait):
the controller counts a send when it is confirmed."""

from __future__ import annotations

import asyncio
import gc
import heapq
import itertools
import json
import math
import random
import threading
from typing import Any

import meetbit
import pytest
from fakeclock import FakeClock
from machine import finish
from meetbit._rate import RateController, Unpaced, controller_for
from meetbit._rate.bucket import MIN_RATE, SlotBucket
from meetbit._rate.controller import (
    BACKOFF_BASE,
    FORGET_AFTER,
    INITIAL_WINDOW,
    MAX_BACKOFF,
    MAX_JITTER,
    MAX_PAYBACK,
    POLL,
    ROUND_HOLD,
    SPORADIC,
    Slot,
    backoff,
)
from meetbit._rate.cubic import BETA, C, Cubic
from meetbit._rate.detector import HOLD, Throttle, ThrottleDetector
from meetbit._rate.jitter import Jitter
from meetbit._rate.meter import AcceptedMeter
from meetbit._rate.quota import Quota
from pacing import go, wait_and_send


def wait_of(bucket: SlotBucket, now: float) -> float:
    at, _ = bucket.reserve(now)
    return at - now


pytestmark = pytest.mark.behaviour


class TestSlotBucket:
    def test_slots_are_one_spacing_apart_and_start_now(self) -> None:
        bucket = SlotBucket(rate=4, now=10.0)
        assert [wait_of(bucket, 10.0) for _ in range(4)] == [0.0, 0.25, 0.5, 0.75]

    def test_an_idle_bucket_saves_up_no_burst(self) -> None:
        bucket = SlotBucket(rate=4, now=10.0)
        wait_of(bucket, 10.0)
        assert [wait_of(bucket, 20.0) for _ in range(2)] == [0.0, 0.25]

    def test_floor_holds_the_next_slot_back_and_later_ones_follow_at_the_rate(self) -> None:
        bucket = SlotBucket(rate=10, now=0.0)
        bucket.floor(2.0, 0.0, "retry-after")
        assert [round(wait_of(bucket, 0.0), 6) for _ in range(3)] == [2.0, 2.1, 2.2]

    def test_an_earlier_floor_does_not_pull_slots_forward(self) -> None:
        bucket = SlotBucket(rate=1, now=0.0)
        bucket.floor(5.0, 0.0, "retry-after")
        bucket.floor(1.0, 0.0, "retry-after")
        assert wait_of(bucket, 0.0) == 5.0

    def test_rate_never_goes_below_the_minimum(self) -> None:
        bucket = SlotBucket(rate=0.0, now=0.0)
        assert bucket.rate == MIN_RATE
        assert bucket.spacing == 1 / MIN_RATE


class TestSlotBucketBookkeeping:
    """Moments pending, sent, handed back, and moved by floors (bucket.py's docstring)."""

    @staticmethod
    def handed_out(bucket: SlotBucket, now: float, count: int) -> list[tuple[float, float]]:
        """`count` moments, each with the shift when it was handed out."""
        return [(bucket.reserve(now)[0], bucket.shift) for _ in range(count)]

    @staticmethod
    def moments(bucket: SlotBucket, slots: list[tuple[float, float]]) -> list[float]:
        """Where those moments are now: moved by the floors set since (as `confirm` reads)."""
        return [round(at + bucket.shift - shift, 6) for at, shift in slots]

    def test_floors_move_pending_moments_as_one_and_new_ones_follow(self) -> None:
        bucket = SlotBucket(rate=10, now=0.0)
        slots = self.handed_out(bucket, 0.0, 3)
        bucket.floor(1.0, 0.0, "retry-after")
        assert self.moments(bucket, slots) == [1.0, 1.1, 1.2]
        bucket.floor(2.0, 0.5, "retry-after")  # a second floor moves them again, by its own
        assert self.moments(bucket, slots) == [2.0, 2.1, 2.2]
        assert round(bucket.reserve(0.5)[0], 6) == 2.3
        bucket.floor(1.5, 0.5, "retry-after")  # earlier than the first of them: no move
        assert self.moments(bucket, slots) == [2.0, 2.1, 2.2]

    def test_a_moment_handed_back_goes_to_the_next_caller(self) -> None:
        bucket = SlotBucket(rate=10, now=0.0)
        _, (second, _), _ = self.handed_out(bucket, 0.0, 3)
        bucket.hand_back(second, 0.0)
        assert bucket.reserve(0.0)[0] == second, "the gap first"
        assert round(bucket.reserve(0.0)[0], 6) == 0.3, "then the schedule's end"

    def test_the_last_moment_handed_back_pulls_the_schedule_s_end_back(self) -> None:
        bucket = SlotBucket(rate=10, now=0.0)
        bucket.floor(1.0, 0.0, "retry-after")
        slots = self.handed_out(bucket, 0.0, 3)
        assert self.moments(bucket, slots) == [1.0, 1.1, 1.2]
        for at, shift in reversed(slots):
            bucket.hand_back(at - shift, 0.0)
        assert bucket.pending == []
        assert bucket.idle(1.05), "nothing scheduled ahead any more"
        assert bucket.reserve(1.05)[0] == 1.05, "not after the moments given up"

    def test_a_floor_then_a_hand_back_keeps_the_moved_schedule(self) -> None:
        bucket = SlotBucket(rate=10, now=0.0)
        slots = self.handed_out(bucket, 0.0, 2)
        bucket.floor(1.0, 0.0, "retry-after")
        (at, shift) = slots[-1]
        bucket.hand_back(at - shift, 0.0)
        assert round(bucket.reserve(0.0)[0], 6) == 1.1, "the moved moment, not the old one"

    def test_sending_or_handing_back_twice_or_unknown_moments_changes_nothing(self) -> None:
        bucket = SlotBucket(rate=10, now=0.0)
        (at, _), _ = self.handed_out(bucket, 0.0, 2)
        bucket.sent(at)
        bucket.sent(at)
        bucket.sent(99.0)
        bucket.hand_back(at, 0.0)
        bucket.hand_back(99.0, 0.0)
        assert bucket.pending == [0.1]
        assert bucket.gaps == []

    def test_idle_only_with_nothing_pending_and_nothing_scheduled_ahead(self) -> None:
        bucket = SlotBucket(rate=4, now=10.0)
        ((at, _),) = self.handed_out(bucket, 10.0, 1)
        assert not bucket.idle(10.0), "a moment is pending"
        bucket.sent(at)
        assert not bucket.idle(10.2), "the next moment is still ahead"
        assert bucket.idle(10.25)


class TestCubic:
    def test_a_cut_keeps_beta_of_the_rate_and_regrows_to_it_after_k(self) -> None:
        cubic = Cubic(w_max=10.0, last_cut=0.0)
        assert cubic.cut(20.0, now=10.0) == pytest.approx(20.0 * BETA)
        assert cubic.rate(10.0) == pytest.approx(20.0 * BETA)
        k = (20.0 * (1 - BETA) / C) ** (1 / 3)
        assert cubic.rate(10.0 + k) == pytest.approx(20.0)

    def test_regrowth_is_concave_below_the_last_limit_then_convex_beyond(self) -> None:
        cubic = Cubic(w_max=20.0, last_cut=0.0)
        rates = [cubic.rate(t / 10) for t in range(0, 60)]
        steps = [b - a for a, b in itertools.pairwise(rates)]
        assert all(step >= 0 for step in steps)
        k_index = next(i for i, r in enumerate(rates) if r >= 20.0 - 1e-9)
        assert steps[0] > steps[k_index - 2], "fast first, flattening near W_max"
        assert steps[-1] > steps[k_index], "then probing beyond, faster and faster"

    def test_raising_the_ceiling_does_not_reset_the_clock(self) -> None:
        cubic = Cubic(w_max=5.0, last_cut=0.0)
        cubic.raise_ceiling(20.0)
        assert cubic.last_cut == 0.0
        assert cubic.rate(0.0) == pytest.approx(20.0 * BETA)
        cubic.raise_ceiling(1.0)
        assert cubic.w_max == 20.0

    def test_before_the_cut_time_it_stays_at_the_cut_rate(self) -> None:
        cubic = Cubic(w_max=20.0, last_cut=5.0)  # a floor moved the cut into the future
        assert cubic.rate(3.0) == pytest.approx(cubic.rate(5.0))


class TestAcceptedMeter:
    def test_a_burst_reads_as_its_count_per_second_not_extrapolated(self) -> None:
        meter = AcceptedMeter(now=0.0)
        for n in range(20):
            meter.add(0.05 * n / 20)
        assert meter.rate(0.05) == pytest.approx(20.0)

    def test_a_steady_rate_reads_as_itself_across_bucket_boundaries(self) -> None:
        meter = AcceptedMeter(now=0.0)
        t = 0.0
        readings = []
        while t < 5.0:
            meter.add(t)
            t += 0.05  # 20/s
            if t > 2.0:
                readings.append(meter.rate(t))
        assert min(readings) == pytest.approx(20.0, abs=1.5)
        assert max(readings) == pytest.approx(20.0, abs=1.5)

    def test_idle_seconds_empty_it(self) -> None:
        meter = AcceptedMeter(now=0.0)
        for _ in range(30):
            meter.add(0.5)
        assert meter.rate(0.9) == 30
        assert meter.rate(5.0) == 0


class TestThrottleDetector:
    def test_the_first_throttle_is_an_overshoot(self) -> None:
        assert ThrottleDetector().throttle(0.0, answered=1, sent=1) is Throttle.OVERSHOOT

    def test_answers_to_requests_sent_before_it_acted_are_stale(self) -> None:
        detector = ThrottleDetector()
        detector.throttle(0.0, answered=21, sent=50)
        verdicts = {detector.throttle(0.01, answered=n, sent=50) for n in range(22, 51)}
        assert verdicts == {Throttle.STALE}

    def test_after_them_a_refusal_with_no_success_between_persists(self) -> None:
        detector = ThrottleDetector()
        detector.throttle(0.0, answered=1, sent=1)
        assert detector.throttle(0.1, answered=2, sent=2) is Throttle.PERSISTING
        assert detector.throttle(0.2, answered=3, sent=3) is Throttle.PERSISTING
        assert detector.streak == 2

    def test_a_success_sent_after_it_makes_the_next_refusal_an_overshoot(self) -> None:
        detector = ThrottleDetector()
        detector.throttle(0.0, answered=5, sent=10)
        detector.success(0.01, answered=6)  # sent before: stale, not evidence
        assert detector.throttle(0.02, answered=11, sent=11) is Throttle.PERSISTING
        detector.success(0.03, answered=12)
        assert detector.throttle(0.04, answered=13, sent=13) is Throttle.OVERSHOOT
        assert detector.streak == 0

    def test_staleness_ends_after_the_hold_whatever_the_counts(self) -> None:
        detector = ThrottleDetector()
        detector.throttle(0.0, answered=1, sent=1000)  # cancelled waits: never answered
        assert detector.throttle(HOLD / 2, answered=2, sent=1000) is Throttle.STALE
        assert detector.throttle(HOLD + 0.01, answered=3, sent=1000) is Throttle.PERSISTING

    def test_a_hold_ends_at_its_last_moment(self) -> None:
        detector = ThrottleDetector()
        detector.throttle(0.0, answered=1, sent=1000)
        assert detector.throttle(HOLD, answered=2, sent=1000) is Throttle.PERSISTING


class TestJitter:
    def test_stays_below_its_span_and_is_reproducible_with_a_seed(self) -> None:
        first = [Jitter(random.Random(7)).below(0.1) for _ in range(3)]
        values = [Jitter(random.Random(7)).below(0.1) for _ in range(3)]
        assert first == values
        jitter = Jitter(random.Random(1))
        spread = [jitter.below(0.1) for _ in range(1000)]
        assert 0.0 <= min(spread) < 0.01
        assert 0.09 < max(spread) < 0.1
        assert jitter.below(0.0) == 0.0


def burst(
    clock: FakeClock, accepted: int, refused: int, retry_after: float | None = None
) -> RateController:
    """A new controller whose first round (sent at once) drew `accepted` 200s, then `refused` 429s."""
    controller = RateController(clock=clock, rng=random.Random(0))
    for _ in range(accepted + refused):
        go(controller)
    for _ in range(accepted):
        controller.on_response(False, None)
    clock.advance(0.05)
    for _ in range(refused):
        controller.on_response(True, retry_after)
    return controller


def quiet_after_a_first_round(clock: FakeClock) -> RateController:
    """A new controller whose first round was accepted, then 5 s without a request."""
    controller = RateController(clock=clock, rng=random.Random(0))
    for _ in range(INITIAL_WINDOW):
        go(controller)
        controller.on_response(False, None)
    clock.advance(5.0)
    return controller


def throttled(
    clock: FakeClock, accepted: int = 20, retry_after: float | None = None
) -> RateController:
    """A controller that saw `accepted` successes and then one 429, at the clock's time."""
    controller = RateController(clock=clock, rng=random.Random(0))
    for _ in range(accepted):  # spread over the last second: steady state, not a burst
        go(controller)
        controller.on_response(False, None)
        clock.advance(1 / accepted)
    go(controller)
    controller.on_response(True, retry_after)
    return controller


class TestRateController:
    def test_costs_nothing_and_never_waits_before_the_first_429(self) -> None:
        clock = FakeClock()
        controller = RateController(clock=clock)
        for _ in range(10_000):
            assert go(controller) == 0.0
            controller.on_response(False, None)
        assert controller.rate is None

    def test_the_first_429_starts_pacing_just_below_the_accepted_rate(self) -> None:
        controller = throttled(FakeClock(), accepted=20)
        assert controller.rate == pytest.approx(20 * BETA)

    def test_retry_after_is_a_floor_not_a_release_of_everyone(self) -> None:
        clock = FakeClock()
        controller = throttled(clock, accepted=20, retry_after=1.0)
        waits = [go(controller) for _ in range(10)]
        assert 1.0 <= waits[0] <= 1.1  # the floor, plus at most a little jitter
        gaps = [b - a for a, b in itertools.pairwise(waits)]
        assert all(gap >= 1 / 20 for gap in gaps), "after the floor, one slot at a time"

    def test_retry_after_zero_is_not_send_everything_now(self) -> None:
        clock = FakeClock()
        controller = throttled(clock, accepted=20, retry_after=0.0)
        waits = [go(controller) for _ in range(20)]
        assert waits[0] > 0
        assert len(set(waits)) == 20
        assert waits[-1] >= 19 / 20

    def test_what_a_burst_took_is_paid_back_before_sending_again(self) -> None:
        clock = FakeClock()
        controller = burst(clock, accepted=INITIAL_WINDOW - 1, refused=1)
        # 9 taken at once: at the new rate (8.1/s) they are paid for 1.1 s from the burst,
        # but the limiter's allowance for them is back within about a second anyway.
        paid_back = min(9 / (9 * BETA), MAX_PAYBACK)
        assert go(controller) == pytest.approx(paid_back, rel=0.01)

    def test_a_new_client_sends_its_initial_window_before_its_first_answer(self) -> None:
        controller = RateController(clock=FakeClock())
        assert [go(controller) for _ in range(3 * INITIAL_WINDOW)].count(0.0) == INITIAL_WINDOW

    def test_a_burst_of_refusals_is_one_cut(self) -> None:
        controller = burst(FakeClock(), accepted=6, refused=4)
        assert controller.rate == pytest.approx(6 * BETA)

    def test_the_first_rate_waits_for_the_whole_first_round(self) -> None:
        # The refusals of a burst may come back before its successes (another process's
        # answers, a slower winner): judged at once, they would set the first rate from the
        # requests in flight, not from what the limiter took.
        clock = FakeClock()
        controller = RateController(clock=clock)
        for _ in range(INITIAL_WINDOW):
            go(controller)
        for _ in range(INITIAL_WINDOW - 2):
            controller.on_response(True, 1.0)
        assert go(controller) < 0, "held until the round is answered"
        for _ in range(2):
            controller.on_response(False, None)
        assert go(controller) >= 1.0, "the round's Retry-After is the floor"
        assert controller.rate == pytest.approx(2 * BETA)

    def test_a_round_refused_whole_starts_again_slowly_after_its_retry_after(self) -> None:
        # Nothing accepted (a storm, a quota others hold): nothing is known of the rate. A
        # rate guessed from the round's size paced 50 callers through a short storm at a
        # crawl; instead one request finds out, once the Retry-After is over, as TCP does.
        clock = FakeClock()
        controller = burst(clock, accepted=0, refused=INITIAL_WINDOW, retry_after=0.5)
        assert 0 > go(controller) >= -0.5, "held until the Retry-After is over"
        clock.advance(0.5)
        assert go(controller) == 0.0, "one request finds out"
        assert go(controller) < 0, "the others wait for its answer"
        controller.on_response(False, None)
        assert go(controller) == 0.0
        assert controller.rate is None, "nothing accepted was ever refused: not paced"

    def test_a_new_client_keeps_to_twice_its_successes_until_round_hold(self) -> None:
        # 12 answered without a 429 say nothing of the quota: a burst of 40 more (threads
        # joining, other processes' shares) may meet a window they spent. 12 may go.
        clock = FakeClock()
        controller = RateController(clock=clock)
        for _ in range(12):
            go(controller)
            controller.on_response(False, None)
        assert [go(controller) for _ in range(40)].count(0.0) == 12
        clock.advance(ROUND_HOLD)
        assert go(controller) == 0.0
        assert controller.rate is None, "no 429: nothing paced, ever"

    def test_a_round_left_unanswered_holds_sends_at_most_round_hold(self) -> None:
        clock = FakeClock()
        controller = RateController(clock=clock)
        for _ in range(3):
            go(controller)
        controller.on_response(False, None)  # two answers never come
        assert go(controller) == -POLL
        clock.advance(ROUND_HOLD)
        assert go(controller) == 0.0

    def test_refusals_without_a_success_between_back_off_without_cutting(self) -> None:
        clock = FakeClock()
        controller = throttled(clock, accepted=20)
        rate = controller.rate
        waits = []
        for _ in range(6):
            waits.append(go(controller))
            clock.advance(waits[-1])
            controller.on_response(True, None)  # the window has not turned yet
        assert rate is not None
        assert controller.rate is not None
        assert rate <= controller.rate <= 20, "not cut again, not past the last limit"
        assert waits[1:] == sorted(waits[1:])  # waits[0]: the floor of the first 429
        assert waits[2] == pytest.approx(2 * waits[1], rel=0.01), "doubling"
        assert waits[-1] <= MAX_BACKOFF

    def test_after_a_long_retry_after_the_queue_is_not_released_at_a_grown_rate(self) -> None:
        clock = FakeClock()
        controller = throttled(clock, accepted=20, retry_after=30.0)
        waits = [go(controller) for _ in range(10)]
        assert all(b - a >= 1 / 20 for a, b in itertools.pairwise(waits))

    def test_forgets_after_a_quiet_spell_and_costs_nothing_again(self) -> None:
        clock = FakeClock()
        controller = throttled(clock)
        clock.advance(go(controller) + FORGET_AFTER + 1)
        assert go(controller) == 0.0
        assert controller.rate is None

    def test_regrows_smoothly_while_nothing_is_refused(self) -> None:
        clock = FakeClock()
        controller = throttled(clock, accepted=20)
        rates = []
        for _ in range(200):
            clock.advance(go(controller))
            controller.on_response(False, None)
            rates.append(controller.rate or 0.0)
        assert rates == sorted(rates)
        assert rates[0] < 20 <= rates[-1]

    def test_threads_get_distinct_evenly_spaced_slots(self) -> None:
        clock = FakeClock()
        controller = throttled(clock, accepted=10)
        go(controller)  # past the floor
        waits: list[float] = []
        lock = threading.Lock()

        def take() -> None:
            mine = [go(controller) for _ in range(5)]
            with lock:
                waits.extend(mine)

        threads = [threading.Thread(target=take) for _ in range(10)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        waits.sort()
        assert len(waits) == 50
        # No two threads got the same slot, and none was skipped: every gap is one slot at the
        # rate of that moment (which regrows along the slots, up to twice the cut rate here).
        gaps = [b - a for a, b in itertools.pairwise(waits)]
        assert min(gaps) > 1 / 50
        assert max(gaps) <= 1 / (10 * BETA) + 1e-9

    def test_a_cancelled_wait_holds_nothing(self) -> None:
        clock = FakeClock()
        controller = throttled(clock, accepted=20, retry_after=0.5)

        async def main() -> None:
            async def call() -> None:
                await asyncio.sleep((await controller.areserve()).wait / 1000)  # scaled down

            tasks = [asyncio.create_task(call()) for _ in range(50)]
            await asyncio.sleep(0)
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        asyncio.run(main())
        assert not controller._lock.locked()
        # The 50 cancelled slots were points in time; once that time has passed, nothing of
        # them is left: the next call goes at once, the one after one slot later.
        clock.advance(go(controller) + 1.0)
        assert go(controller) == 0.0
        assert go(controller) == pytest.approx(1 / controller.rate, rel=0.01)  # type: ignore[operator]

    def test_async_twins_feed_the_same_state(self) -> None:
        clock = FakeClock()
        controller = RateController(clock=clock)

        async def main() -> float:
            for _ in range(20):
                await controller.aon_response(False, None)
            await controller.aon_response(True, 2.0)
            return (await controller.areserve()).wait

        assert asyncio.run(main()) >= 2.0

    def test_a_first_round_of_two_is_no_burst_its_rate_is_the_pace_of_its_success(self) -> None:
        clock = FakeClock()
        controller = burst(clock, accepted=1, refused=1)  # the 429 50 ms after the 200
        # One success in the 50 ms it was busy: 20 a second, not "one, so one a second".
        assert controller.rate == pytest.approx(BETA / 0.05)

    def test_a_first_round_of_three_is_a_burst_its_rate_is_what_it_took(self) -> None:
        clock = FakeClock()
        controller = RateController(clock=clock, rng=random.Random(0))
        for _ in range(3):
            go(controller)
        controller.on_response(False, None)
        controller.on_response(False, None)
        clock.advance(1.5)  # its 429 comes late: the last second saw less than the round took
        controller.on_response(True, None)
        assert controller.rate == pytest.approx(2 * BETA)

    @pytest.mark.parametrize("out", [5, 1])
    def test_with_nothing_accepted_lately_the_first_rate_is_guessed_from_those_in_flight(
        self, out: int
    ) -> None:
        clock = FakeClock()
        controller = quiet_after_a_first_round(clock)  # quiet: nothing accepted in the last second
        for _ in range(out):
            assert go(controller) == 0.0
        controller.on_response(True, None)  # the key was spent by others meanwhile
        assert controller.rate == pytest.approx(out * BETA), "as many as it had out"

    def test_after_a_quiet_spell_the_first_429_cuts_from_the_pace_since(self) -> None:
        clock = FakeClock()
        controller = RateController(clock=clock, rng=random.Random(0))
        for _ in range(INITIAL_WINDOW):  # a first round all at once, all accepted
            go(controller)
        for _ in range(INITIAL_WINDOW):
            controller.on_response(False, None)
        clock.advance(3.0)
        for _ in range(4):  # 4 accepted in 0.1 s: 40 a second, not 4
            go(controller)
            controller.on_response(False, None)
        clock.advance(0.1)
        go(controller)
        controller.on_response(True, None)
        assert controller.rate == pytest.approx(40 * BETA)

    def test_a_guessed_rate_still_refused_with_nothing_accepted_is_halved(self) -> None:
        clock = FakeClock()
        controller = quiet_after_a_first_round(clock)
        for _ in range(5):
            go(controller)
        for _ in range(5):  # all five refused: a rate guessed from them, then the stale rest
            controller.on_response(True, None)
        guessed = controller.rate
        assert guessed == pytest.approx(5 * BETA)
        clock.advance(go(controller))
        controller.on_response(True, None)  # sent after the cut, refused, none accepted
        assert controller.rate == pytest.approx(guessed / 2 * BETA, rel=0.05)

    def test_an_overshoot_after_a_quiet_spell_cuts_from_the_rate_not_from_nothing(self) -> None:
        clock = FakeClock()
        controller = throttled(clock, accepted=20)
        clock.advance(go(controller))
        controller.on_response(False, None)  # sent after the cut, accepted
        clock.advance(3.0)  # quiet: nothing accepted in the last second
        clock.advance(go(controller))
        before = controller.rate
        assert before is not None
        controller.on_response(True, None)
        assert controller.rate == pytest.approx(before * BETA, rel=0.05)

    @pytest.mark.parametrize(("retry_after", "least"), [(0.5, 1 / 0.5), (None, MIN_RATE)])
    def test_a_cut_from_a_slow_pace_stops_at_one_request_per_retry_after(
        self, retry_after: float | None, least: float
    ) -> None:
        clock = FakeClock()
        controller = throttled(clock, accepted=20)
        clock.advance(3.0)
        clock.advance(go(controller))
        controller.on_response(False, None)  # one accepted in the last second: a slow pace
        clock.advance(0.9)
        clock.advance(go(controller))
        controller.on_response(True, retry_after)
        # Without a Retry-After, only what was accepted (almost nothing) and MIN_RATE hold it.
        assert controller.rate == pytest.approx(least)

    def test_the_first_burst_answered_late_raises_the_rate_to_what_it_took(self) -> None:
        clock = FakeClock()
        controller = quiet_after_a_first_round(clock)
        for _ in range(12):
            go(controller)
        controller.on_response(False, None)
        clock.advance(0.5)
        controller.on_response(True, None)  # the first 429: one accepted in 0.5 s, 2 a second
        assert controller.rate == pytest.approx(2 * BETA)
        for _ in range(9):  # then the rest of the burst: 10 accepted
            controller.on_response(False, None)
        controller.on_response(True, None)  # a 429 of the same burst
        assert controller.rate == pytest.approx(10 * BETA)

    @pytest.mark.parametrize(
        ("retry_after", "hold", "source"),
        [(1.0, 1.0, "retry-after"), (None, BACKOFF_BASE, "backoff")],
    )
    def test_a_round_refused_whole_says_what_holds_it(
        self, retry_after: float | None, hold: float, source: str
    ) -> None:
        controller = burst(FakeClock(), accepted=0, refused=INITIAL_WINDOW, retry_after=retry_after)
        held = controller.reserve()
        assert held.wait == pytest.approx(-hold), "held for the Retry-After, or a backoff"
        assert held.source == source

    def test_rounds_refused_whole_in_a_row_back_off_doubling(self) -> None:
        clock = FakeClock()
        controller = burst(clock, accepted=0, refused=INITIAL_WINDOW)
        assert controller.reserve().wait == pytest.approx(-BACKOFF_BASE)
        clock.advance(BACKOFF_BASE)
        go(controller)  # one request finds out whether the storm is over: it is not
        controller.on_response(True, None)
        assert controller.reserve().wait == pytest.approx(-2 * BACKOFF_BASE)

    def test_a_send_held_by_the_slow_start_says_rate_control(self) -> None:
        controller = RateController(clock=FakeClock())
        for _ in range(INITIAL_WINDOW):
            go(controller)
        held = controller.reserve()
        assert held.wait == -POLL, "ask again shortly"
        assert held.source == "rate-control"

    def test_a_wait_says_where_it_comes_from(self) -> None:
        clock = FakeClock()
        assert throttled(clock, accepted=20, retry_after=1.0).reserve().source == "retry-after"
        controller = throttled(clock, accepted=20)
        paying_back = controller.reserve()
        assert paying_back.source == "rate-control", "paying back what was taken"
        controller.release(paying_back)
        clock.advance(5.0)
        clock.advance(go(controller))
        controller.on_response(True, None)  # refused again, no success between
        assert controller.reserve().source == "backoff"

    def test_a_paced_caller_is_handed_a_moment_after_an_expected_429_s_retry_after(
        self,
    ) -> None:
        clock = FakeClock()
        controller = throttled(clock, accepted=20)  # paced
        clock.advance(go(controller))
        controller.on_response(False, None, Quota(30, 0, None))  # accepted: nothing left
        clock.advance(go(controller))  # so this one finds out when the window turns
        controller.on_response(True, 3.0, Quota(30, 0, None))  # expected: no cut, a hold
        assert controller.reserve().wait == pytest.approx(3.0)

    @pytest.mark.parametrize(("sends", "cut"), [(SPORADIC, True), (SPORADIC + 1, False)])
    def test_a_refusal_below_the_last_limit_cuts_unless_past_sporadic_sends_a_refusal(
        self, sends: int, cut: bool
    ) -> None:
        clock = FakeClock()
        controller = throttled(clock, accepted=20)
        for _ in range(sends):
            clock.advance(go(controller))
            controller.on_response(False, None)
        before = controller.rate
        assert before is not None
        controller.on_response(True, None)
        assert controller.rate is not None
        assert (controller.rate < before) is cut

    def test_async_twins_take_the_stated_quota(self) -> None:
        controller = RateController(clock=FakeClock())

        async def main() -> tuple[Slot | None, Slot | None]:
            assert await controller.aconfirm(await controller.areserve()) is None
            await controller.aon_response(False, None, Quota(30, 0, None))  # spent
            probe = await controller.aconfirm(await controller.areserve())
            return probe, await controller.aconfirm(await controller.areserve())

        probe, after = asyncio.run(main())
        assert probe is None, "one request goes to find out when the window turns"
        assert after is not None, "the others wait for its answer"

    def test_async_twins_hand_a_moment_back(self) -> None:
        controller = throttled(FakeClock(), accepted=20)

        async def main() -> tuple[Slot, Slot]:
            given_up = await controller.areserve()
            await controller.arelease(given_up)
            return given_up, await controller.areserve()

        given_up, next_one = asyncio.run(main())
        assert next_one.at == given_up.at

    def test_moments_handed_out_before_a_retry_after_are_moved_past_it_in_order(self) -> None:
        clock = FakeClock()
        controller = throttled(clock, accepted=20)
        waiting = [controller.reserve() for _ in range(3)]
        controller.on_response(True, 1.0)  # one of them, answered: moves the three back
        shift = controller.reserve().shift
        moved = [controller.confirm(slot) for slot in waiting]
        for slot, again in zip(waiting, moved, strict=True):
            assert again is not None, "none goes at its old moment"
            assert again.at == pytest.approx(slot.at + shift)  # type: ignore[operator]
            assert again.wait == pytest.approx(again.at - clock.now)  # type: ignore[operator]
            assert again.source == "retry-after"

    def test_a_moment_handed_back_after_a_retry_after_moved_the_schedule_goes_to_the_next(
        self,
    ) -> None:
        clock = FakeClock()
        controller = throttled(clock, accepted=20)
        waiting = [controller.reserve() for _ in range(3)]
        controller.on_response(True, 1.0)  # one of them, answered: moves the three back
        last = controller.reserve()
        assert last.shift > 0
        assert all(slot.wait > 0 for slot in waiting)
        controller.release(last)  # its caller gives up
        assert controller.reserve().at == pytest.approx(last.at)


def simulate(
    limiter: str,
    clock: FakeClock,
    workers: int = 50,
    events: int = 200,
    latency: float = 0.005,
) -> tuple[int, int, float]:
    """Run `workers` against a fake limiter of 20/s; return (successes, 429s, seconds)."""
    controller = RateController(clock=clock, rng=random.Random(3))
    start = clock.now
    window: dict[str, float] = {"start": start, "count": 0, "level": 0.0, "last": start}

    def answer(now: float) -> tuple[bool, float | None]:
        if (
            limiter == "fixed-window"
        ):  # 20 per window of 1 s from its first hit; Retry-After whole s
            if now >= window["start"] + 1:
                window["start"], window["count"] = now, 0
            window["count"] += 1
            return window["count"] > 20, float(math.ceil(window["start"] + 1 - now))
        # leaky bucket, burst 20: the level drains at 20/s; no Retry-After
        window["level"] = max(0.0, window["level"] - (now - window["last"]) * 20)
        window["last"] = now
        if window["level"] + 1 > 21:
            return True, None
        window["level"] += 1
        return False, None

    remaining, limited, carried_out = events, 0, 0
    hints: dict[int, float | None] = {}
    queue = [(start, n, "reserve") for n in range(workers)]
    heapq.heapify(queue)
    while queue:
        at, worker, step = heapq.heappop(queue)
        clock.now = at
        if step in ("reserve", "retry"):
            if step == "reserve" and remaining <= 0:
                continue
            wait = go(controller)
            if wait < 0:  # held: ask again
                heapq.heappush(queue, (at - wait, worker, step))
                continue
            remaining -= step == "reserve"
            heapq.heappush(queue, (at + wait, worker, "send"))
        elif step == "send":
            refused, retry_after = answer(at)
            hints[worker] = retry_after
            heapq.heappush(queue, (at + latency, worker, "429" if refused else "200"))
            limited += refused
        else:
            controller.on_response(step == "429", hints[worker] if step == "429" else None)
            if step == "429":
                heapq.heappush(queue, (at, worker, "retry"))
            else:
                carried_out += 1
                heapq.heappush(queue, (at, worker, "reserve"))
    return carried_out, limited, clock.now - start


@pytest.mark.parametrize("limiter", ["fixed-window", "leaky-bucket"])
def test_fifty_workers_against_a_limiter_all_complete_once(limiter: str) -> None:
    # How close to the quota and how few 429s: make bench's, against real limiters and the
    # naive loop in the same run. Here: every request is carried out exactly once.
    carried_out, limited, seconds = simulate(limiter, FakeClock())
    print(f"{limiter}: {limited} 429s in {seconds:.2f} s")
    assert carried_out == 200


def test_backoff_doubles_and_is_capped() -> None:
    assert [backoff(0.05, n) for n in range(3)] == [0.05, 0.1, 0.2]
    assert backoff(10.0, 0) == 0.1
    assert backoff(0.05, 10) == MAX_BACKOFF


def test_controller_for_picks_the_store() -> None:
    import meetbit

    assert type(controller_for(None, "key")) is RateController
    with pytest.raises(meetbit.ConfigurationError, match="redis://"):
        controller_for("memcached://x", "key")


def share_one_limiter(
    controllers: list[RateController], clock: FakeClock, seconds: float, workers: int = 8
) -> list[list[float]]:
    """Each controller's `workers` send without pause through it to one fixed window of 20/s
    (no Retry-After, as slowapi); return the times of each controller's accepted requests."""
    window = {"start": -math.inf, "count": 0}
    accepted: list[list[float]] = [[] for _ in controllers]
    start = clock.now
    queue = [(start + go(controller), n, w) for n, controller in enumerate(controllers)
             for w in range(workers)]  # fmt: skip
    heapq.heapify(queue)
    while queue:
        at, n, worker = heapq.heappop(queue)
        if at > start + seconds:
            break
        clock.now = at
        if at >= window["start"] + 1:
            window["start"], window["count"] = at, 0
        window["count"] += 1
        refused = window["count"] > 20
        clock.now = at + 0.005  # the answer
        controllers[n].on_response(refused, None)
        if not refused:
            accepted[n].append(at)
        heapq.heappush(queue, (clock.now + go(controllers[n]), n, worker))
    return accepted


def test_processes_with_unequal_shares_of_one_quota_converge_towards_equal_shares() -> None:
    # Two processes on one key: the first burst gave one 16 of the quota's 20, the other 4.
    # Neither sees the other; cuts that keep the same fraction, then regrowth by the same
    # requests/s, even them out, slowly: from 1:4 to about 1:1.5 within 20 s here.
    clock = FakeClock()
    large, small = throttled(clock, accepted=16), throttled(clock, accepted=4)
    assert large.rate is not None
    assert small.rate is not None
    assert small.rate / large.rate == pytest.approx(0.25)
    accepted = share_one_limiter([large, small], clock, seconds=20.0)
    late = [sum(1 for at in times if at >= clock.now - 8) for times in accepted]
    print(f"accepted in the last 8 s: {late}")
    assert sum(late) >= 0.9 * 20 * 8, "the quota stays used"
    assert min(late) / max(late) >= 0.6, "the small share caught up"


def sequential(
    controller: RateController,
    clock: FakeClock,
    calls: int,
    refused: Any,
    retry_after: float | None,
    latency: float = 0.00016,
) -> list[float]:
    """One caller making `calls` calls, each retried until accepted; `refused(n)` says whether
    the n-th request is refused. Returns when each call completed."""
    done, sent = [], 0
    for _ in range(calls):
        while True:
            wait_and_send(controller, clock)
            clock.advance(latency)
            sent += 1
            if refused(sent):
                controller.on_response(True, retry_after)
                continue
            controller.on_response(False, None)
            done.append(clock.now)
            break
    return done


@pytest.mark.parametrize("retry_after", [0.0, 1.0])
def test_sporadic_refusals_settle_instead_of_declining(retry_after: float) -> None:
    # A gateway refusing 2 % of requests whatever the pace. Waiting out each refusal alone
    # (its Retry-After, or the documented backoff for 0) allows `bound` calls a second; the
    # rate must not be cut again and again until throughput is a fraction of that (it fell
    # from ~6,000 calls/s to 45, then 37, 32, 29 per following hundred).
    clock, draw = FakeClock(), random.Random(20)
    refused = lambda n: draw.random() < 0.02  # noqa: E731
    done = sequential(RateController(clock=clock), clock, 3000, refused, retry_after)
    wait = retry_after or BACKOFF_BASE
    bound = 1 / (0.02 / 0.98 * wait + 0.00016 / 0.98)

    def throughput(first: int, last: int) -> float:
        return (last - first) / (done[last - 1] - done[first])

    second, third = throughput(1000, 2000), throughput(2000, 3000)
    print(
        f"Retry-After {retry_after}: {throughput(0, 1000):.0f}, {second:.0f}, {third:.0f} calls/s per thousand; bound {bound:.0f}"
    )
    assert third >= 0.8 * second, "settled, not declining"
    assert throughput(1500, 3000) >= bound / 2, "at least half of what waiting alone allows"


def test_a_caller_refused_every_other_time_is_not_paced_below_what_is_accepted() -> None:
    # Refusing every other request whatever the pace: each refusal costs its Retry-After
    # (0.05 s); pacing must not add seconds per call (it paced at one call per ~2.2 s).
    clock = FakeClock()
    done = sequential(RateController(clock=clock), clock, 60, lambda n: n % 2 == 0, 0.05)
    seconds_per_call = (done[-1] - done[9]) / 50
    assert seconds_per_call < 4 * 0.05


def test_a_transient_429_after_idle_time_costs_its_retry_after_not_seconds() -> None:
    # One call, 6 s idle, two calls, one 429 (Retry-After: 0.2), then eight calls against a
    # server that accepts everything: back to its former pace within about one Retry-After
    # plus a second (they took 3.4 s: the cut came from a rate diluted by the idle time).
    clock = FakeClock()
    controller = RateController(clock=clock)
    sequential(controller, clock, 1, lambda n: False, None)
    clock.advance(6.0)
    sequential(controller, clock, 2, lambda n: False, None)
    started = clock.now
    sequential(controller, clock, 9, lambda n: n == 1, 0.2)
    assert clock.now - started < 0.2 + MAX_JITTER + 1.0


def test_the_fake_clock_is_not_shipped() -> None:
    import meetbit._rate.clock

    assert not hasattr(meetbit._rate.clock, "FakeClock")


def test_decisions_are_the_same_when_the_state_goes_through_json_between_steps() -> None:
    # What the Redis store does: before each step, the state is read (JSON) into a fresh
    # controller; after it, written back. Thousands of seeded random event sequences must get
    # the same decisions, step for step, as one controller that keeps its state in memory.
    for seed in range(1500):
        draw = random.Random(seed)
        clock_a, clock_b = FakeClock(), FakeClock()
        kept = RateController(clock=clock_a, rng=random.Random(seed))
        jitter = random.Random(seed)  # one source across steps, as each process has
        state = RateController(clock=clock_b, rng=jitter).export_state()
        slots: list[Any] = []
        for _ in range(40):
            step, seconds = draw.random(), draw.choice([0.0, 0.001, 0.05, 0.3, 1.2])
            clock_a.advance(seconds)
            clock_b.advance(seconds)
            passed = RateController(clock=clock_b, rng=jitter)
            passed.import_state(json.loads(json.dumps(state)))
            if step < 0.35:
                got = (kept.reserve(), passed.reserve())
                slots.append(got[0])
            elif step < 0.55 and slots:
                slot = slots.pop(draw.randrange(len(slots)))
                got = (kept.confirm(slot), passed.confirm(slot))
            elif step < 0.6 and slots:
                slot = slots.pop(draw.randrange(len(slots)))
                got = (kept.release(slot), passed.release(slot))
            else:
                throttled = draw.random() < 0.4
                retry_after = draw.choice([None, 0.0, 0.2, 1.0]) if throttled else None
                quota = draw.choice(
                    [None, None, Quota(30, draw.randrange(0, 30), None), Quota(30, 0, 2.0)]
                )
                kept.on_response(throttled, retry_after, quota)
                passed.on_response(throttled, retry_after, quota)
                got = (None, None)
            assert got[0] == got[1], f"seed {seed}: {got}"
            state = passed.export_state()
        assert json.dumps(kept.export_state()) == json.dumps(state), f"seed {seed}"


@pytest.mark.parametrize("late", [0.05, 0.3])
def test_a_moment_confirmed_late_is_not_sent_before_a_retry_after_set_meanwhile(
    late: float,
) -> None:
    # docs/retries.md: a Retry-After moves every moment already handed out. One handed out
    # while pacing, whose caller wakes `late` after it, then meets another caller's 429.
    clock = FakeClock()
    controller = throttled(clock, accepted=20)
    clock.advance(5.0)  # the pace's next moment is free now
    slot = controller.reserve()
    clock.advance(slot.wait + late)
    controller.on_response(True, 1.0)
    over = clock.now + 1.0
    turn = controller.confirm(slot)
    while turn is not None:
        clock.advance(turn.wait)
        turn = controller.confirm(turn)
    assert clock.now >= over, f"sent {over - clock.now:.3f} s before the Retry-After was over"


class TestOneControllerPerKey:
    """Clients of one access key and host share one controller (meetbit._rate.acquire)."""

    @staticmethod
    def client(key_id: str) -> meetbit.Client:
        return meetbit.Client("acme.meetbit.com", access_key_id=key_id, access_key_secret="s")

    def test_clients_share_it_until_the_last_of_them_closes(self, request: Any) -> None:
        key_id = f"registry-{request.node.name}"
        first, second = self.client(key_id), self.client(key_id)
        shared = first._controller
        assert second._controller is shared
        assert self.client(f"{key_id}-other")._controller is not shared, "another key"
        first.close()
        third = self.client(key_id)
        assert third._controller is shared, "still used by the second"
        second.close()
        third.close()
        assert self.client(key_id)._controller is not shared, "the last closed: a new one"

    @pytest.mark.parametrize("value", ["off", " OFF ", "0", "false", "No"])
    def test_meetbit_rate_control_off_paces_nothing(
        self, value: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("MEETBIT_RATE_CONTROL", value)
        assert isinstance(self.client("registry-off")._controller, Unpaced)

    def test_without_it_calls_are_paced(self) -> None:
        assert not isinstance(self.client("registry-on")._controller, Unpaced)

    def test_a_client_dropped_without_close_gives_its_use_back(self, request: Any) -> None:
        key_id = f"registry-{request.node.name}"
        dropped = self.client(key_id)
        shared = dropped._controller
        del dropped
        gc.collect()
        assert self.client(key_id)._controller is not shared, "its finalizer let it go"

    def test_a_finalizer_inside_the_registry_s_lock_does_not_wait_for_it(
        self, request: Any
    ) -> None:
        # The garbage collector may run a dropped client's finalizer on the very thread that
        # holds the registry's lock (acquire building a controller): it hung there for good.
        key_id = f"registry-{request.node.name}"
        dropped = self.client(key_id)
        shared = dropped._controller
        finalizer = dropped._rate._finalizer
        assert finalizer is not None

        def collect_inside_the_lock() -> None:
            with meetbit._rate._LOCK:
                finalizer()

        worker = threading.Thread(target=collect_inside_the_lock, daemon=True)
        worker.start()
        finish(worker, 5)
        assert self.client(key_id)._controller is not shared, "the next acquire let it go"
