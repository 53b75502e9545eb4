// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// Fuzz tests of the breaker's arithmetic and bounds:
///  - refill math: availableCapacity == min(max, remaining + elapsed * max / window), and the
///    guarded path (the transient ledger's first-touch refill) agrees to the wei;
///  - per-transaction netting: a round trip (in X then out X, or out X then in X) in ONE
///    transaction leaves the capacity exactly unchanged, and cannot mint capacity;
///  - bounds validation: every configuration entry point either succeeds within its bounds or
///    reverts with the specific error and arguments.

import {BreakerCore} from "../../../contracts/breaker/BreakerCore.sol";
import {ICircuitBreaker} from "../../../contracts/breaker/ICircuitBreaker.sol";
import {BreakerBase} from "./BreakerBase.sol";

contract BreakerFuzzTest is BreakerBase {
    uint256 internal constant MAX_U96 = type(uint96).max;

    function _mode(bool queue) internal pure returns (ICircuitBreaker.BreachMode) {
        return queue ? ICircuitBreaker.BreachMode.Queue : ICircuitBreaker.BreachMode.Revert;
    }

    function _register(uint256 max, uint64 window, bool queue, bool credit) internal {
        h.setLimit(b, cfg(max, window, 0, _mode(queue), queue ? 1 hours : 0, credit));
        tokenB.mint(address(h), 3 * max);
    }

    // ------------------------------------------------------------------ refill math

    function testFuzz_refillMath(uint256 max, uint64 window, uint256 used, uint256 elapsed) public {
        max = bound(max, 1, MAX_U96);
        window = uint64(bound(window, 60, 30 days));
        used = bound(used, 0, max);
        elapsed = bound(elapsed, 0, 90 days);
        _register(max, window, false, false);
        h.outflow(bytes32(0), b, used, ALICE, ALICE);
        nextTx(elapsed);

        uint256 expected = max - used + elapsed * max / window;
        if (expected > max) expected = max;
        assertEq(h.availableCapacity(b), expected, "view");

        // The guarded path computes the same figure: one wei more is refused, exactly it passes.
        if (expected < MAX_U96) {
            vm.expectRevert(abi.encodeWithSelector(BreakerCore.OutflowLimitExceeded.selector, b, expected + 1, expected));
            h.outflow(bytes32(0), b, expected + 1, ALICE, ALICE);
        }
        h.outflow(bytes32(0), b, expected, ALICE, ALICE);
        assertEq(h.availableCapacity(b), 0, "drained");
    }

    /// @dev Refill credited in two steps never exceeds the one-step refill (floors only lose),
    /// and matches the step-wise model exactly.
    function testFuzz_refillStepwise(uint256 max, uint64 window, uint256 used, uint256 e1, uint256 e2) public {
        max = bound(max, 1, MAX_U96);
        window = uint64(bound(window, 60, 30 days));
        used = bound(used, 1, max);
        e1 = bound(e1, 0, 40 days);
        e2 = bound(e2, 0, 40 days);
        _register(max, window, false, true);
        h.outflow(bytes32(0), b, used, ALICE, ALICE);
        nextTx(e1);
        h.outflow(bytes32(0), b, 0, ALICE, ALICE); // touch: settles the refill so far
        nextTx(e2);
        uint256 step1 = max - used + e1 * max / window;
        if (step1 > max) step1 = max;
        uint256 step2 = step1 + e2 * max / window;
        if (step2 > max) step2 = max;
        uint256 oneShot = max - used + (e1 + e2) * max / window;
        if (oneShot > max) oneShot = max;
        assertEq(h.availableCapacity(b), step2, "step-wise model");
        assertLe(step2, oneShot, "never more than the continuous refill");
    }

    // ------------------------------------------------------------------ netting

    function testFuzz_nettingInThenOut(uint256 x, uint256 used, uint256 elapsed, bool credit, bool queue) public {
        uint256 max = 1_000e18;
        used = bound(used, 0, max);
        elapsed = bound(elapsed, 0, 2 days);
        x = bound(x, 0, MAX_U96 - max);
        _register(max, WINDOW, queue, credit);
        tokenB.mint(address(h), 2 * x); // inflows are accounted, not transferred, by the harness
        h.outflow(bytes32(0), b, used, ALICE, ALICE);
        nextTx(elapsed);
        uint256 cap0 = h.availableCapacity(b);

        (uint256 payNow, uint256 id) = h.roundTrip(b, x, x, false, ALICE);
        assertEq(payNow, x, "paid in full");
        assertEq(id, 0, "nothing queued");
        assertEq(h.availableCapacity(b), cap0, "capacity unchanged (same tx)");
        nextTx(0);
        assertEq(h.availableCapacity(b), cap0, "capacity unchanged (next tx)");

        // A round trip cannot mint capacity: X in, X + cap0 out passes, one wei more does not.
        if (!queue) {
            vm.expectRevert(abi.encodeWithSelector(BreakerCore.OutflowLimitExceeded.selector, b, x + cap0 + 1, x + cap0));
            h.roundTrip(b, x, x + cap0 + 1, false, ALICE);
        } else {
            (payNow, id) = h.roundTrip(b, x, x + cap0 + 1, false, ALICE);
            assertEq(payNow, x + cap0, "headroom");
            assertEq(h.queuedOutflow(id).amount, 1, "one wei queued");
            nextTx(0);
            assertEq(h.availableCapacity(b), 0, "used up");
        }
    }

    function testFuzz_nettingOutThenIn(uint256 x, uint256 used, uint256 elapsed, bool credit, bool queue) public {
        uint256 max = 1_000e18;
        used = bound(used, 0, max);
        elapsed = bound(elapsed, 0, 2 days);
        _register(max, WINDOW, queue, credit);
        h.outflow(bytes32(0), b, used, ALICE, ALICE);
        nextTx(elapsed);
        uint256 cap0 = h.availableCapacity(b);
        x = bound(x, 0, 2 * max);

        if (x > cap0 && !queue) {
            vm.expectRevert(abi.encodeWithSelector(BreakerCore.OutflowLimitExceeded.selector, b, x, cap0));
            h.roundTrip(b, x, x, true, ALICE);
            assertEq(h.availableCapacity(b), cap0, "revert changes nothing");
            return;
        }
        (uint256 payNow,) = h.roundTrip(b, x, x, true, ALICE);
        if (x <= cap0) {
            assertEq(payNow, x, "paid");
            assertEq(h.availableCapacity(b), cap0, "capacity unchanged");
        } else {
            // Queue mode: only cap0 was paid, so the x that came back is a net inflow of x - cap0:
            // credited (up to max) only when the asset credits inflows.
            assertEq(payNow, cap0, "headroom only");
            uint256 expected = credit ? x : cap0;
            if (expected > max) expected = max;
            assertEq(h.availableCapacity(b), expected, "net inflow credited only with credit");
        }
    }

    // ------------------------------------------------------------------ queue split

    function testFuzz_queueSplit(uint256 amount, uint256 used, uint64 delay) public {
        uint256 max = 1_000e18;
        used = bound(used, 0, max);
        amount = bound(amount, 1, 5 * max);
        delay = uint64(bound(delay, 1 hours, 30 days));
        h.setLimit(b, cfg(max, WINDOW, 0, ICircuitBreaker.BreachMode.Queue, delay, false));
        h.outflow(bytes32(0), b, used, ALICE, ALICE);
        uint256 cap0 = max - used;
        uint256 bobBefore = tokenB.balanceOf(BOB);
        (uint256 payNow, uint256 id) = h.outflow(WITHDRAW, b, amount, ALICE, BOB);
        uint256 expectPay = amount < cap0 ? amount : cap0;
        assertEq(payNow, expectPay, "pays the headroom");
        assertEq(tokenB.balanceOf(BOB) - bobBefore, expectPay, "received");
        if (amount > cap0) {
            assertEq(id, 1, "queued");
            assertEq(h.queuedTotal(b), amount - cap0, "excess queued");
            assertEq(tokenB.balanceOf(address(h.outflowEscrow())), amount - cap0, "escrowed");
            assertEq(h.queuedOutflow(id).claimableAt, block.timestamp + delay, "delay");
        } else {
            assertEq(id, 0, "nothing queued");
            assertEq(h.queuedTotal(b), 0, "no liability");
        }
    }

    // ------------------------------------------------------------------ bounds validation

    function testFuzz_pauseDurationBounds(uint64 d) public {
        d = uint64(bound(d, 0, 2 * MAX_PAUSE));
        if (d < 60 || d > MAX_PAUSE) {
            vm.expectRevert(abi.encodeWithSelector(BreakerCore.InvalidDuration.selector, d, uint64(60), MAX_PAUSE));
            h.pause(DEPOSIT, d);
            assertFalse(h.isPaused(DEPOSIT), "not paused");
        } else {
            h.pause(DEPOSIT, d);
            assertEq(h.pausedUntil(DEPOSIT), T0 + d, "until");
            vm.warp(T0 + d - 1);
            assertTrue(h.isPaused(DEPOSIT), "paused until the last second");
            vm.warp(T0 + d);
            assertFalse(h.isPaused(DEPOSIT), "expired");
        }
    }

    function testFuzz_extendBounds(uint64 d1, uint256 elapsed, uint64 d2) public {
        d1 = uint64(bound(d1, 60, MAX_PAUSE));
        elapsed = bound(elapsed, 0, d1 - 1);
        d2 = uint64(bound(d2, 0, 2 * MAX_PAUSE));
        h.pause(WITHDRAW, d1);
        vm.warp(T0 + elapsed);
        uint64 until = uint64(T0 + elapsed) + d2;
        if (d2 < 60 || d2 > MAX_PAUSE) {
            vm.expectRevert(abi.encodeWithSelector(BreakerCore.InvalidDuration.selector, d2, uint64(60), MAX_PAUSE));
        } else if (until <= T0 + d1) {
            vm.expectRevert(
                abi.encodeWithSelector(BreakerCore.ExtensionNotLater.selector, WITHDRAW, uint64(T0 + d1), until)
            );
        }
        h.extendPause(WITHDRAW, d2);
        uint256 expectedUntil = (d2 >= 60 && d2 <= MAX_PAUSE && until > T0 + d1) ? until : T0 + d1;
        assertEq(h.pausedUntil(WITHDRAW), expectedUntil, "until");
    }

    function testFuzz_setLimitBounds(uint256 cap, uint64 window, bool queue, uint64 delay) public {
        cap = bound(cap, 0, 2 * MAX_U96);
        window = uint64(bound(window, 0, 60 days));
        delay = uint64(bound(delay, 0, 60 days));
        ICircuitBreaker.LimitConfig memory c = cfg(cap, window, 0, _mode(queue), delay, false);
        bool ok = true;
        if (cap == 0 || cap > MAX_U96) {
            ok = false;
            vm.expectRevert(abi.encodeWithSelector(BreakerCore.InvalidCapacity.selector, cap, MAX_U96));
        } else if (window < 60 || window > 30 days) {
            ok = false;
            vm.expectRevert(abi.encodeWithSelector(BreakerCore.InvalidWindow.selector, window, uint64(60), uint64(30 days)));
        } else if (queue && (delay < 1 hours || delay > 30 days)) {
            ok = false;
            vm.expectRevert(
                abi.encodeWithSelector(BreakerCore.InvalidSettlementDelay.selector, delay, uint64(1 hours), uint64(30 days))
            );
        } else if (!queue && delay != 0) {
            ok = false;
            vm.expectRevert(abi.encodeWithSelector(BreakerCore.InvalidSettlementDelay.selector, delay, uint64(0), uint64(0)));
        }
        h.setLimit(b, c);
        if (ok) {
            ICircuitBreaker.LimitConfig memory got = h.limitOf(b);
            assertEq(got.maxCapacity, cap, "cap");
            assertEq(got.window, window, "window");
            assertEq(got.settlementDelay, delay, "delay");
            assertTrue(got.mode == c.mode, "mode");
            assertEq(h.availableCapacity(b), cap, "starts full");
        } else {
            assertEq(h.assets().length, 1, "not registered");
        }
    }

    function testFuzz_setPauseBounds(uint64 maxPause, uint64 grace) public {
        maxPause = uint64(bound(maxPause, 0, 60 days));
        grace = uint64(bound(grace, 0, 14 days));
        bool ok = true;
        if (maxPause < 60 || maxPause > 30 days) {
            ok = false;
            vm.expectRevert(abi.encodeWithSelector(BreakerCore.InvalidDuration.selector, maxPause, uint64(60), uint64(30 days)));
        } else if (grace > 7 days) {
            ok = false;
            vm.expectRevert(abi.encodeWithSelector(BreakerCore.InvalidGracePeriod.selector, grace, uint64(7 days)));
        }
        h.setPauseBounds(maxPause, grace);
        (uint64 m, uint64 g) = h.pauseBounds();
        assertEq(m, ok ? maxPause : MAX_PAUSE, "max");
        assertEq(g, ok ? grace : GRACE, "grace");
    }

    function testFuzz_sentinelBounds(uint64 maxDuration, uint64 cooldown, uint64 d) public {
        maxDuration = uint64(bound(maxDuration, 0, 2 * MAX_PAUSE));
        cooldown = uint64(bound(cooldown, 0, 60 days));
        if (maxDuration < 60 || maxDuration > MAX_PAUSE) {
            vm.expectRevert(abi.encodeWithSelector(BreakerCore.InvalidDuration.selector, maxDuration, uint64(60), MAX_PAUSE));
            h.setSentinel(SENTINEL, maxDuration, cooldown);
            return;
        }
        if (cooldown > 30 days) {
            vm.expectRevert(abi.encodeWithSelector(BreakerCore.InvalidCooldown.selector, cooldown, uint64(30 days)));
            h.setSentinel(SENTINEL, maxDuration, cooldown);
            return;
        }
        h.setSentinel(SENTINEL, maxDuration, cooldown);
        d = uint64(bound(d, 0, 2 * MAX_PAUSE));
        if (d > maxDuration) {
            vm.expectRevert(abi.encodeWithSelector(BreakerCore.InvalidDuration.selector, d, uint64(60), maxDuration));
        } else if (d < 60) {
            vm.expectRevert(abi.encodeWithSelector(BreakerCore.InvalidDuration.selector, d, uint64(60), MAX_PAUSE));
        }
        vm.prank(SENTINEL);
        h.sentinelPause(GLOBAL, d);
        bool fired = d >= 60 && d <= maxDuration;
        assertTrue(h.isPaused(GLOBAL) == fired, "paused iff within bounds");
        (, bool armed,,,) = h.sentinelState();
        assertTrue(armed != fired, "disarmed iff fired");
        if (fired) {
            // once re-armed it may fire again only after the cooldown
            h.unpause(GLOBAL);
            h.armSentinel();
            if (cooldown > 0) {
                vm.expectRevert(abi.encodeWithSelector(BreakerCore.SentinelCoolingDown.selector, uint64(T0 + cooldown)));
                vm.prank(SENTINEL);
                h.sentinelPause(GLOBAL, 60);
                vm.warp(T0 + cooldown);
            }
            vm.prank(SENTINEL);
            h.sentinelPause(GLOBAL, 60);
        }
    }

    function testFuzz_lowerLimit(uint256 newCap, uint256 used, uint256 elapsed) public {
        used = bound(used, 0, CAP);
        elapsed = bound(elapsed, 0, 2 days);
        newCap = bound(newCap, 0, 2 * CAP);
        h.outflow(bytes32(0), a, used, ALICE, ALICE);
        nextTx(elapsed);
        uint256 avail = h.availableCapacity(a);
        if (newCap == 0 || newCap >= CAP) {
            vm.expectRevert(abi.encodeWithSelector(BreakerCore.LimitNotLower.selector, a, CAP, newCap));
            h.lowerLimit(a, newCap);
            return;
        }
        h.lowerLimit(a, newCap);
        assertEq(h.availableCapacity(a), avail < newCap ? avail : newCap, "min(available, new)");
        assertEq(h.limitOf(a).maxCapacity, newCap, "max");
    }
}
