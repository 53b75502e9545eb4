// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// Unit tests of BreakerCore / Breakable / OutflowEscrow through BreakableHarness: every
/// bad-input revert with its exact error data, role checks, and the happy paths the fuzz and
/// invariant suites rely on. One Solidity test function is one EVM transaction, so tests that
/// model several transactions call `nextTx` (clears the per-transaction ledger, then warps).

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {BreakerCore} from "../../../contracts/breaker/BreakerCore.sol";
import {Breakable} from "../../../contracts/breaker/Breakable.sol";
import {ICircuitBreaker} from "../../../contracts/breaker/ICircuitBreaker.sol";
import {OutflowEscrow} from "../../../contracts/breaker/OutflowEscrow.sol";
import {TestToken} from "../../../contracts/test/TestToken.sol";
import {BreakerBase} from "./BreakerBase.sol";
import {BreakableHarness, LedgerSlot} from "./BreakerHarness.sol";

contract BreakerUnitTest is BreakerBase {
    bytes32 internal emergency;
    bytes32 internal recovery;

    function setUp() public override {
        super.setUp();
        emergency = h.EMERGENCY_ROLE();
        recovery = h.RECOVERY_ROLE();
    }

    function _unauthorized(address who, bytes32 role) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, who, role);
    }

    // ------------------------------------------------------------------ setup / constants

    function test_constructorRejectsZeroAdminAndBadBounds() public {
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.ZeroAddress.selector));
        new BreakableHarness(address(0), MAX_PAUSE, GRACE);
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.InvalidDuration.selector, uint64(59), uint64(60), uint64(30 days)));
        new BreakableHarness(address(this), 59, GRACE);
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.InvalidGracePeriod.selector, uint64(7 days + 1), uint64(7 days)));
        new BreakableHarness(address(this), MAX_PAUSE, 7 days + 1);
    }

    function test_ledgerSlotMatchesCore() public {
        h.outflow(bytes32(0), a, 1, ALICE, ALICE);
        assertTrue(h.ledgerEntry(a) != 0, "harness reads the core's ledger slot");
        h.endTx(a);
        assertEq(h.ledgerEntry(a), 0, "cleared");
        assertEq(LedgerSlot.BASE, uint256(keccak256(abi.encode(uint256(keccak256("breakwater.transient.ledger")) - 1))), "base");
    }

    function test_initialState() public view {
        (uint64 maxPause, uint64 grace) = h.pauseBounds();
        assertEq(maxPause, MAX_PAUSE, "max pause");
        assertEq(grace, GRACE, "grace");
        assertTrue(h.hasRole(emergency, address(this)), "emergency");
        assertTrue(h.hasRole(recovery, address(this)), "recovery");
        assertEq(h.assets().length, 1, "assets");
        assertEq(h.availableCapacity(a), CAP, "full");
        assertFalse(h.alarmRaised(), "no alarm");
        assertEq(h.outflowEscrow().owner(), address(h), "escrow owner");
        ICircuitBreaker.LimitConfig memory c = h.limitOf(a);
        assertEq(c.maxCapacity, CAP, "cap");
        assertEq(c.window, WINDOW, "window");
        assertTrue(c.inflowCredit, "credit");
    }

    // ------------------------------------------------------------------ pause

    function test_pause_badInputs() public {
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.InvalidScope.selector, bytes32(0)));
        h.pause(bytes32(0), 1 hours);
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.UnknownAsset.selector, b));
        h.pause(assetScope(b), 1 hours);
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.InvalidDuration.selector, uint64(59), uint64(60), MAX_PAUSE));
        h.pause(GLOBAL, 59);
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.InvalidDuration.selector, MAX_PAUSE + 1, uint64(60), MAX_PAUSE));
        h.pause(GLOBAL, MAX_PAUSE + 1);
        h.pause(GLOBAL, 1 hours);
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.AlreadyPaused.selector, GLOBAL, uint64(T0 + 1 hours)));
        h.pause(GLOBAL, 2 hours);
        vm.expectRevert(_unauthorized(STRANGER, emergency));
        vm.prank(STRANGER);
        h.pause(DEPOSIT, 1 hours);
    }

    function test_pause_expiresAndCanBeRepaused() public {
        h.pause(WITHDRAW, 1 hours);
        assertTrue(h.isPaused(WITHDRAW), "paused");
        assertFalse(h.isPaused(DEPOSIT), "other scope free");
        assertEq(h.pausedUntil(WITHDRAW), T0 + 1 hours, "until");
        assertTrue(h.alarmRaised(), "alarm");
        assertFalse(h.inGracePeriod(WITHDRAW), "no grace while paused");
        vm.warp(T0 + 1 hours);
        assertFalse(h.isPaused(WITHDRAW), "expired at until");
        assertTrue(h.inGracePeriod(WITHDRAW), "grace");
        assertFalse(h.inGracePeriod(DEPOSIT), "never paused: no grace");
        vm.warp(T0 + 1 hours + GRACE);
        assertFalse(h.inGracePeriod(WITHDRAW), "grace over");
        h.pause(WITHDRAW, 2 hours);
        assertEq(h.pausedUntil(WITHDRAW), block.timestamp + 2 hours, "repaused");
    }

    function test_globalPausePausesEveryScope() public {
        h.pause(GLOBAL, 1 hours);
        assertTrue(h.isPaused(DEPOSIT), "deposit");
        assertTrue(h.isPaused(assetScope(a)), "asset");
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.ScopePaused.selector, GLOBAL, uint64(T0 + 1 hours)));
        h.guarded(DEPOSIT);
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.ScopePaused.selector, GLOBAL, uint64(T0 + 1 hours)));
        h.outflow(WITHDRAW, a, 1, ALICE, ALICE);
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.ScopePaused.selector, GLOBAL, uint64(T0 + 1 hours)));
        h.inflow(DEPOSIT, a, 1, ALICE);
        // repayments are never blocked
        h.repayment(a, 1);
    }

    function test_scopeAndAssetPausesBlockOutflows() public {
        h.pause(WITHDRAW, 1 hours);
        assertTrue(h.guarded(DEPOSIT), "other scope passes");
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.ScopePaused.selector, WITHDRAW, uint64(T0 + 1 hours)));
        h.guarded(WITHDRAW);
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.ScopePaused.selector, WITHDRAW, uint64(T0 + 1 hours)));
        h.outflow(WITHDRAW, a, 1, ALICE, ALICE);
        h.outflow(DEPOSIT, a, 1, ALICE, ALICE); // different scope passes
        h.outflow(bytes32(0), a, 1, ALICE, ALICE); // no scope
        h.unpause(WITHDRAW);
        h.pause(assetScope(a), 1 hours);
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.ScopePaused.selector, assetScope(a), uint64(T0 + 1 hours)));
        h.outflow(bytes32(0), a, 1, ALICE, ALICE);
    }

    // ------------------------------------------------------------------ unpause / extend

    function test_unpause_badInputsAndEffect() public {
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.NotPaused.selector, GLOBAL));
        h.unpause(GLOBAL);
        h.pause(GLOBAL, 1 hours);
        vm.expectRevert(_unauthorized(STRANGER, recovery));
        vm.prank(STRANGER);
        h.unpause(GLOBAL);
        vm.warp(T0 + 10);
        h.unpause(GLOBAL);
        assertFalse(h.isPaused(GLOBAL), "unpaused");
        assertEq(h.pausedUntil(GLOBAL), T0 + 10, "until = now");
        assertFalse(h.alarmRaised(), "alarm cleared");
        assertEq(h.pausedScopes().length, 0, "forgotten");
        assertTrue(h.inGracePeriod(DEPOSIT), "global grace applies to every scope");
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.NotPaused.selector, GLOBAL));
        h.unpause(GLOBAL);
        // an expired pause cannot be unpaused either
        h.pause(DEPOSIT, 1 hours);
        vm.warp(block.timestamp + 1 hours);
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.NotPaused.selector, DEPOSIT));
        h.unpause(DEPOSIT);
    }

    function test_extendPause_badInputsAndEffect() public {
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.NotPaused.selector, DEPOSIT));
        h.extendPause(DEPOSIT, 1 hours);
        h.pause(DEPOSIT, 2 hours);
        vm.warp(T0 + 30 minutes);
        vm.expectRevert(
            abi.encodeWithSelector(BreakerCore.ExtensionNotLater.selector, DEPOSIT, uint64(T0 + 2 hours), uint64(T0 + 2 hours))
        );
        h.extendPause(DEPOSIT, 90 minutes);
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.InvalidDuration.selector, MAX_PAUSE + 1, uint64(60), MAX_PAUSE));
        h.extendPause(DEPOSIT, MAX_PAUSE + 1);
        vm.expectRevert(_unauthorized(STRANGER, recovery));
        vm.prank(STRANGER);
        h.extendPause(DEPOSIT, 3 hours);
        h.extendPause(DEPOSIT, 3 hours);
        assertEq(h.pausedUntil(DEPOSIT), T0 + 30 minutes + 3 hours, "extended");
        vm.warp(T0 + 30 minutes + 3 hours);
        assertFalse(h.isPaused(DEPOSIT), "expires at the extension");
    }

    // ------------------------------------------------------------------ alarm

    function test_alarm_staysWhileAnyPauseOrQuarantine() public {
        h.pause(DEPOSIT, 1 hours);
        h.pause(WITHDRAW, 3 hours);
        h.quarantine(ALICE);
        vm.warp(T0 + 2 hours);
        h.refreshAlarm();
        assertTrue(h.alarmRaised(), "withdraw still paused");
        assertEq(h.pausedScopes().length, 1, "expired deposit forgotten");
        vm.warp(T0 + 3 hours);
        h.refreshAlarm();
        assertTrue(h.alarmRaised(), "quarantine keeps the alarm");
        h.release(ALICE);
        assertFalse(h.alarmRaised(), "cleared on release");
        h.refreshAlarm(); // no-op without alarm
        assertFalse(h.alarmRaised(), "still clear");
    }

    function test_alarm_assetRegisteredDuringPauseIsGuarded() public {
        h.pause(GLOBAL, 1 hours);
        h.setLimit(b, cfg(CAP, WINDOW, 0, ICircuitBreaker.BreachMode.Revert, 0, false));
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.ScopePaused.selector, GLOBAL, uint64(T0 + 1 hours)));
        h.outflow(bytes32(0), b, 1, ALICE, ALICE);
        vm.warp(T0 + 1 hours);
        h.outflow(bytes32(0), b, 1, ALICE, ALICE); // expired, alarm still up: slow path passes
        h.refreshAlarm();
        assertFalse(h.alarmRaised(), "cleared");
        h.outflow(bytes32(0), b, 1, ALICE, ALICE);
    }

    // ------------------------------------------------------------------ freeze

    function test_freeze_badInputsAndEffect() public {
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.UnknownAsset.selector, b));
        h.freezeAsset(b);
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.AssetNotFrozen.selector, a));
        h.unfreezeAsset(a);
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.UnknownAsset.selector, b));
        h.unfreezeAsset(b);
        vm.expectRevert(_unauthorized(STRANGER, emergency));
        vm.prank(STRANGER);
        h.freezeAsset(a);
        h.freezeAsset(a);
        assertTrue(h.isFrozen(a), "frozen");
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.AssetIsFrozen.selector, a));
        h.freezeAsset(a);
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.AssetIsFrozen.selector, a));
        h.outflow(bytes32(0), a, 1, ALICE, ALICE);
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.AssetIsFrozen.selector, a));
        h.inflow(bytes32(0), a, 1, ALICE);
        vm.expectRevert(_unauthorized(STRANGER, recovery));
        vm.prank(STRANGER);
        h.unfreezeAsset(a);
        h.unfreezeAsset(a);
        assertFalse(h.isFrozen(a), "unfrozen");
        h.outflow(bytes32(0), a, 1, ALICE, ALICE);
    }

    // ------------------------------------------------------------------ quarantine

    function test_quarantine_badInputsAndEffect() public {
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.ZeroAddress.selector));
        h.quarantine(address(0));
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.AccountNotQuarantined.selector, ALICE));
        h.release(ALICE);
        h.quarantine(ALICE);
        assertTrue(h.isQuarantined(ALICE), "quarantined");
        assertTrue(h.alarmRaised(), "alarm");
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.AccountIsQuarantined.selector, ALICE));
        h.quarantine(ALICE);
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.AccountIsQuarantined.selector, ALICE));
        h.outflow(bytes32(0), a, 1, ALICE, BOB);
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.AccountIsQuarantined.selector, ALICE));
        h.outflow(bytes32(0), a, 1, BOB, ALICE);
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.AccountIsQuarantined.selector, ALICE));
        h.inflow(bytes32(0), a, 1, ALICE);
        h.outflow(bytes32(0), a, 1, BOB, BOB);
        vm.expectRevert(_unauthorized(STRANGER, recovery));
        vm.prank(STRANGER);
        h.release(ALICE);
        h.release(ALICE);
        assertFalse(h.isQuarantined(ALICE), "released");
        h.outflow(bytes32(0), a, 1, ALICE, BOB);
    }

    // ------------------------------------------------------------------ limits

    function test_setLimit_badInputs() public {
        ICircuitBreaker.BreachMode R = ICircuitBreaker.BreachMode.Revert;
        ICircuitBreaker.BreachMode Q = ICircuitBreaker.BreachMode.Queue;
        uint256 maxU96 = type(uint96).max;
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.ZeroAddress.selector));
        h.setLimit(address(0), cfg(CAP, WINDOW, 0, R, 0, false));
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.NotAContract.selector, ALICE));
        h.setLimit(ALICE, cfg(CAP, WINDOW, 0, R, 0, false));
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.InvalidCapacity.selector, uint256(0), maxU96));
        h.setLimit(b, cfg(0, WINDOW, 0, R, 0, false));
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.InvalidCapacity.selector, maxU96 + 1, maxU96));
        h.setLimit(b, cfg(maxU96 + 1, WINDOW, 0, R, 0, false));
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.InvalidWindow.selector, uint64(59), uint64(60), uint64(30 days)));
        h.setLimit(b, cfg(CAP, 59, 0, R, 0, false));
        vm.expectRevert(
            abi.encodeWithSelector(BreakerCore.InvalidWindow.selector, uint64(30 days + 1), uint64(60), uint64(30 days))
        );
        h.setLimit(b, cfg(CAP, 30 days + 1, 0, R, 0, false));
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.InvalidSettlementDelay.selector, uint64(1), uint64(0), uint64(0)));
        h.setLimit(b, cfg(CAP, WINDOW, 0, R, 1, false));
        vm.expectRevert(
            abi.encodeWithSelector(BreakerCore.InvalidSettlementDelay.selector, uint64(1 hours - 1), uint64(1 hours), uint64(30 days))
        );
        h.setLimit(b, cfg(CAP, WINDOW, 0, Q, 1 hours - 1, false));
        vm.expectRevert(
            abi.encodeWithSelector(BreakerCore.InvalidSettlementDelay.selector, uint64(30 days + 1), uint64(1 hours), uint64(30 days))
        );
        h.setLimit(b, cfg(CAP, WINDOW, 0, Q, 30 days + 1, false));
        vm.expectRevert(_unauthorized(STRANGER, recovery));
        vm.prank(STRANGER);
        h.setLimit(b, cfg(CAP, WINDOW, 0, R, 0, false));
        // bounds themselves are accepted
        h.setLimit(b, cfg(maxU96, 30 days, 0, Q, 30 days, false));
        h.setLimit(b, cfg(1, 60, 0, Q, 1 hours, false));
        assertEq(h.assets().length, 2, "registered once");
    }

    function test_setLimit_tooManyAssets() public {
        for (uint256 i = 1; i < 32; i++) {
            h.setLimit(address(new TestToken("X", "X", 18)), cfg(CAP, WINDOW, 0, ICircuitBreaker.BreachMode.Revert, 0, false));
        }
        assertEq(h.assets().length, 32, "full");
        h.setLimit(a, cfg(CAP / 2, WINDOW, 0, ICircuitBreaker.BreachMode.Revert, 0, false)); // update still fine
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.TooManyAssets.selector, uint256(32)));
        h.setLimit(b, cfg(CAP, WINDOW, 0, ICircuitBreaker.BreachMode.Revert, 0, false));
    }

    function test_setLimit_raisingGrantsNoCapacityAtOnce() public {
        h.outflow(bytes32(0), a, 400e18, ALICE, ALICE);
        nextTx(0);
        assertEq(h.availableCapacity(a), 600e18, "used");
        h.setLimit(a, cfg(2 * CAP, WINDOW, 0, ICircuitBreaker.BreachMode.Revert, 0, false));
        assertEq(h.availableCapacity(a), 600e18, "no jump");
        assertFalse(h.limitOf(a).inflowCredit, "credit off");
        vm.warp(block.timestamp + 12 hours);
        assertEq(h.availableCapacity(a), 1600e18, "refills at the new rate");
        h.setLimit(a, cfg(CAP / 2, WINDOW, 0, ICircuitBreaker.BreachMode.Revert, 0, true));
        assertEq(h.availableCapacity(a), CAP / 2, "capped at the new max");
    }

    function test_lowerLimit_badInputsAndEffect() public {
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.UnknownAsset.selector, b));
        h.lowerLimit(b, 1);
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.LimitNotLower.selector, a, CAP, uint256(0)));
        h.lowerLimit(a, 0);
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.LimitNotLower.selector, a, CAP, CAP));
        h.lowerLimit(a, CAP);
        vm.expectRevert(_unauthorized(STRANGER, emergency));
        vm.prank(STRANGER);
        h.lowerLimit(a, 1);
        h.outflow(bytes32(0), a, 900e18, ALICE, ALICE);
        nextTx(0);
        h.lowerLimit(a, 500e18);
        assertEq(h.availableCapacity(a), 100e18, "keeps the lower available");
        h.lowerLimit(a, 50e18);
        assertEq(h.availableCapacity(a), 50e18, "capped");
        assertEq(h.limitOf(a).maxCapacity, 50e18, "max");
    }

    // ------------------------------------------------------------------ outflow guard

    function test_outflow_badInputs() public {
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.UnknownAsset.selector, b));
        h.outflow(bytes32(0), b, 1, ALICE, ALICE);
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.UnknownAsset.selector, b));
        h.inflow(bytes32(0), b, 1, ALICE);
        uint256 big = uint256(type(uint96).max) + 1;
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.AmountTooLarge.selector, big, uint256(type(uint96).max)));
        h.outflow(bytes32(0), a, big, ALICE, ALICE);
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.AmountTooLarge.selector, big, uint256(type(uint96).max)));
        h.inflow(bytes32(0), a, big, ALICE);
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.OutflowLimitExceeded.selector, a, CAP + 1, CAP));
        h.outflow(bytes32(0), a, CAP + 1, ALICE, ALICE);
        h.outflow(bytes32(0), a, 300e18, ALICE, ALICE);
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.OutflowLimitExceeded.selector, a, 701e18, 700e18));
        h.outflow(bytes32(0), a, 701e18, ALICE, ALICE);
        h.outflow(bytes32(0), a, 700e18, ALICE, ALICE);
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.OutflowLimitExceeded.selector, a, uint256(1), uint256(0)));
        h.outflow(bytes32(0), a, 1, ALICE, ALICE);
        assertEq(tokenA.balanceOf(ALICE), CAP, "paid the capacity");
        // an unregistered asset needs no accounting on repayment
        h.repayment(b, 1);
        // Finding 10: a repayment above 2^96-1 saturates the credit instead of reverting.
        h.repayment(a, big);
    }

    function test_outflow_refillAndInflowCredit() public {
        h.outflow(bytes32(0), a, CAP, ALICE, ALICE);
        nextTx(6 hours);
        assertEq(h.availableCapacity(a), CAP / 4, "quarter refilled");
        h.inflow(bytes32(0), a, 100e18, ALICE);
        nextTx(0);
        assertEq(h.availableCapacity(a), CAP / 4 + 100e18, "credited");
        h.repayment(a, 10_000e18);
        nextTx(0);
        assertEq(h.availableCapacity(a), CAP, "credit capped at max");
        // without credit, inflows in another transaction do not restore capacity
        h.setLimit(a, cfg(CAP, WINDOW, 0, ICircuitBreaker.BreachMode.Revert, 0, false));
        h.outflow(bytes32(0), a, CAP, ALICE, ALICE);
        nextTx(0);
        h.inflow(bytes32(0), a, CAP, ALICE);
        nextTx(0);
        assertEq(h.availableCapacity(a), 0, "no credit");
    }

    function test_netting_flashLoanRoundTrips() public {
        // in then out: X in, X + capacity out passes; one more wei does not
        h.roundTrip(a, 5000e18, 5000e18 + CAP, false, ALICE);
        assertEq(h.availableCapacity(a), 0, "capacity used, not more");
        nextTx(1 days);
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.OutflowLimitExceeded.selector, a, 5000e18 + CAP + 1, 5000e18 + CAP));
        h.roundTrip(a, 5000e18, 5000e18 + CAP + 1, false, ALICE);
        // out then in leaves the limiter where it was
        h.roundTrip(a, 400e18, 400e18, true, ALICE);
        assertEq(h.availableCapacity(a), CAP, "unchanged");
    }

    function test_minTvlBypass() public {
        h.setLimit(a, cfg(CAP, WINDOW, 2_000_000e18, ICircuitBreaker.BreachMode.Revert, 0, false));
        // tvl (1_000_000e18) < minTvl: the limit does not apply
        (uint256 payNow, uint256 id) = h.outflow(bytes32(0), a, 5 * CAP, ALICE, ALICE);
        assertEq(payNow, 5 * CAP, "paid in full");
        assertEq(id, 0, "nothing queued");
        nextTx(0);
        assertEq(h.availableCapacity(a), 0, "capacity consumed");
        // above minTvl the limit applies again
        h.setLimit(a, cfg(CAP, WINDOW, 1, ICircuitBreaker.BreachMode.Revert, 0, false));
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.OutflowLimitExceeded.selector, a, uint256(1), uint256(0)));
        h.outflow(bytes32(0), a, 1, ALICE, ALICE);
    }

    // ------------------------------------------------------------------ queue

    function _queueOne() internal returns (uint256 id) {
        h.setLimit(a, queueCfg(CAP, 1 days));
        uint256 payNow;
        (payNow, id) = h.outflow(WITHDRAW, a, CAP + 250e18, ALICE, BOB);
        assertEq(payNow, CAP, "headroom paid");
        assertEq(id, 1, "first id");
    }

    function test_queue_claimFlow() public {
        uint256 id = _queueOne();
        OutflowEscrow escrow = h.outflowEscrow();
        assertEq(tokenA.balanceOf(BOB), CAP, "paid now");
        assertEq(tokenA.balanceOf(address(escrow)), 250e18, "escrowed");
        assertEq(h.queuedTotal(a), 250e18, "liability");
        assertEq(h.queuedOutflowCount(), 1, "count");
        ICircuitBreaker.QueuedOutflow memory q = h.queuedOutflow(id);
        assertEq(q.recipient, BOB, "recipient");
        assertEq(q.amount, 250e18, "amount");
        assertEq(q.claimableAt, T0 + 1 days, "claimableAt");
        assertEq(q.source, address(h), "source");
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.QueuedOutflowNotClaimable.selector, id, uint64(T0 + 1 days)));
        h.claimQueuedOutflow(id);
        vm.warp(T0 + 1 days);
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.VetoWindowClosed.selector, id, uint64(T0 + 1 days)));
        h.vetoQueuedOutflow(id);
        vm.prank(STRANGER); // anyone may claim
        h.claimQueuedOutflow(id);
        assertEq(tokenA.balanceOf(BOB), CAP + 250e18, "claimed");
        assertEq(h.queuedTotal(a), 0, "settled");
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.QueuedOutflowSettled.selector, id));
        h.claimQueuedOutflow(id);
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.QueuedOutflowSettled.selector, id));
        h.vetoQueuedOutflow(id);
    }

    function test_queue_vetoFlow() public {
        uint256 id = _queueOne();
        uint256 before = tokenA.balanceOf(address(h));
        vm.expectRevert(_unauthorized(STRANGER, emergency));
        vm.prank(STRANGER);
        h.vetoQueuedOutflow(id);
        h.vetoQueuedOutflow(id);
        assertEq(tokenA.balanceOf(address(h)), before + 250e18, "returned to the pool");
        assertTrue(h.queuedOutflow(id).vetoed, "vetoed");
        assertTrue(h.queuedOutflow(id).settled, "settled");
        assertEq(h.queuedTotal(a), 0, "no liability");
        vm.warp(T0 + 1 days);
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.QueuedOutflowSettled.selector, id));
        h.claimQueuedOutflow(id);
    }

    function test_queue_badIds() public {
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.UnknownQueuedOutflow.selector, uint256(0)));
        h.claimQueuedOutflow(0);
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.UnknownQueuedOutflow.selector, uint256(1)));
        h.claimQueuedOutflow(1);
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.UnknownQueuedOutflow.selector, uint256(1)));
        h.vetoQueuedOutflow(1);
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.UnknownQueuedOutflow.selector, uint256(0)));
        h.queuedOutflow(0);
        _queueOne();
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.UnknownQueuedOutflow.selector, uint256(2)));
        h.queuedOutflow(2);
    }

    function test_queue_zeroRecipientReverts() public {
        h.setLimit(a, queueCfg(CAP, 1 days));
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.ZeroAddress.selector));
        h.outflow(WITHDRAW, a, CAP + 1, ALICE, address(0));
    }

    function test_queue_fullyQueuedWhenEmpty() public {
        h.setLimit(a, queueCfg(CAP, 1 days));
        h.outflow(WITHDRAW, a, CAP, ALICE, BOB);
        (uint256 payNow, uint256 id) = h.outflow(WITHDRAW, a, 10e18, ALICE, BOB);
        assertEq(payNow, 0, "nothing now");
        assertEq(h.queuedOutflow(id).amount, 10e18, "all queued");
        assertEq(h.queuedTotal(a), 10e18, "total");
    }

    function test_queue_claimBlockedByFreezePauseQuarantine() public {
        uint256 id = _queueOne();
        vm.warp(T0 + 1 days);
        h.freezeAsset(a);
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.AssetIsFrozen.selector, a));
        h.claimQueuedOutflow(id);
        h.unfreezeAsset(a);
        h.pause(GLOBAL, 1 hours);
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.ScopePaused.selector, GLOBAL, uint64(block.timestamp + 1 hours)));
        h.claimQueuedOutflow(id);
        h.unpause(GLOBAL);
        h.pause(assetScope(a), 1 hours);
        vm.expectRevert(
            abi.encodeWithSelector(BreakerCore.ScopePaused.selector, assetScope(a), uint64(block.timestamp + 1 hours))
        );
        h.claimQueuedOutflow(id);
        h.unpause(assetScope(a));
        h.quarantine(BOB);
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.AccountIsQuarantined.selector, BOB));
        h.claimQueuedOutflow(id);
        h.release(BOB);
        h.claimQueuedOutflow(id);
    }

    /// @dev Documents current behaviour: a queued outflow records no function scope, so a
    /// pause of the scope it came from (WITHDRAW) does not hold its claim back; only GLOBAL,
    /// the asset scope, a freeze or a quarantine of the recipient do. See the report.
    function test_queue_claimHeldByItsScopePauseAndStillVetoable() public {
        uint256 id = _queueOne();
        vm.warp(T0 + 1 days);
        h.pause(WITHDRAW, 1 hours);
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.ScopePaused.selector, WITHDRAW, uint64(T0 + 1 days + 1 hours)));
        h.claimQueuedOutflow(id);
        // Past its delay, but held by the pause: the guardians can still veto it.
        h.vetoQueuedOutflow(id);
        assertEq(h.queuedTotal(a), 0, "vetoed during the WITHDRAW pause");
        assertTrue(h.queuedOutflow(id).vetoed, "vetoed");
    }

    // ------------------------------------------------------------------ sentinel

    function test_sentinel_badInputs() public {
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.ZeroAddress.selector));
        h.setSentinel(address(0), 1 hours, 1 days);
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.InvalidDuration.selector, uint64(59), uint64(60), MAX_PAUSE));
        h.setSentinel(SENTINEL, 59, 1 days);
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.InvalidDuration.selector, MAX_PAUSE + 1, uint64(60), MAX_PAUSE));
        h.setSentinel(SENTINEL, MAX_PAUSE + 1, 1 days);
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.InvalidCooldown.selector, uint64(30 days + 1), uint64(30 days)));
        h.setSentinel(SENTINEL, 1 hours, 30 days + 1);
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.SentinelNotSet.selector));
        h.armSentinel();
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.NotSentinel.selector, SENTINEL));
        vm.prank(SENTINEL);
        h.sentinelPause(GLOBAL, 1 hours);
        vm.expectRevert(_unauthorized(STRANGER, recovery));
        vm.prank(STRANGER);
        h.setSentinel(STRANGER, 1 hours, 0);
    }

    function test_sentinel_lifecycle() public {
        h.setSentinel(SENTINEL, 2 hours, 1 days);
        (address s, bool armed, uint64 maxD, uint64 cd, uint64 last) = h.sentinelState();
        assertEq(s, SENTINEL, "sentinel");
        assertTrue(armed, "armed");
        assertEq(maxD, 2 hours, "maxDuration");
        assertEq(cd, 1 days, "cooldown");
        assertEq(last, 0, "never fired");
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.SentinelAlreadyArmed.selector));
        h.armSentinel();
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.NotSentinel.selector, STRANGER));
        vm.prank(STRANGER);
        h.sentinelPause(GLOBAL, 1 hours);
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.InvalidDuration.selector, uint64(2 hours + 1), uint64(60), uint64(2 hours)));
        vm.prank(SENTINEL);
        h.sentinelPause(GLOBAL, 2 hours + 1);
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.InvalidDuration.selector, uint64(59), uint64(60), MAX_PAUSE));
        vm.prank(SENTINEL);
        h.sentinelPause(GLOBAL, 59);
        vm.prank(SENTINEL);
        h.sentinelPause(GLOBAL, 2 hours);
        assertTrue(h.isPaused(GLOBAL), "paused");
        (, armed,,, last) = h.sentinelState();
        assertFalse(armed, "disarmed");
        assertEq(last, T0, "lastPauseAt");
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.SentinelNotArmed.selector));
        vm.prank(SENTINEL);
        h.sentinelPause(DEPOSIT, 1 hours);
        // the sentinel can do nothing else
        vm.expectRevert(_unauthorized(SENTINEL, recovery));
        vm.prank(SENTINEL);
        h.unpause(GLOBAL);
        vm.expectRevert(_unauthorized(SENTINEL, recovery));
        vm.prank(SENTINEL);
        h.extendPause(GLOBAL, 3 hours);
        vm.expectRevert(_unauthorized(SENTINEL, emergency));
        vm.prank(SENTINEL);
        h.freezeAsset(a);
        vm.expectRevert(_unauthorized(SENTINEL, recovery));
        vm.prank(SENTINEL);
        h.armSentinel();
        // re-armed, but still cooling down
        h.armSentinel();
        vm.warp(T0 + 3 hours);
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.SentinelCoolingDown.selector, uint64(T0 + 1 days)));
        vm.prank(SENTINEL);
        h.sentinelPause(DEPOSIT, 1 hours);
        vm.warp(T0 + 1 days);
        vm.prank(SENTINEL);
        h.sentinelPause(DEPOSIT, 1 hours);
        assertTrue(h.isPaused(DEPOSIT), "fired again after re-arm and cooldown");
        // replacing the sentinel arms the new one; the old key is powerless
        h.setSentinel(BOB, 1 hours, 0);
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.NotSentinel.selector, SENTINEL));
        vm.prank(SENTINEL);
        h.sentinelPause(WITHDRAW, 1 hours);
    }

    // ------------------------------------------------------------------ pause bounds

    function test_setPauseBounds() public {
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.InvalidDuration.selector, uint64(59), uint64(60), uint64(30 days)));
        h.setPauseBounds(59, 0);
        vm.expectRevert(
            abi.encodeWithSelector(BreakerCore.InvalidDuration.selector, uint64(30 days + 1), uint64(60), uint64(30 days))
        );
        h.setPauseBounds(30 days + 1, 0);
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.InvalidGracePeriod.selector, uint64(7 days + 1), uint64(7 days)));
        h.setPauseBounds(1 days, 7 days + 1);
        vm.expectRevert(_unauthorized(STRANGER, recovery));
        vm.prank(STRANGER);
        h.setPauseBounds(1 days, 0);
        h.setPauseBounds(30 days, 7 days);
        (uint64 m, uint64 g) = h.pauseBounds();
        assertEq(m, 30 days, "max");
        assertEq(g, 7 days, "grace");
        h.pause(GLOBAL, 30 days);
        h.setPauseBounds(1 hours, 0);
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.InvalidDuration.selector, uint64(2 hours), uint64(60), uint64(1 hours)));
        h.extendPause(GLOBAL, 2 hours);
    }

    // ------------------------------------------------------------------ Breakable rescue / escrow

    function test_rescueFrozen() public {
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.AssetNotFrozen.selector, a));
        h.rescueFrozen(a, 1);
        h.freezeAsset(a);
        vm.expectRevert(abi.encodeWithSelector(Breakable.ZeroAmount.selector));
        h.rescueFrozen(a, 0);
        vm.expectRevert(abi.encodeWithSelector(Breakable.RescueVaultNotSet.selector));
        h.rescueFrozen(a, 1);
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.ZeroAddress.selector));
        h.setRescueVault(address(0));
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.NotAContract.selector, BOB));
        h.setRescueVault(BOB);
        vm.expectRevert(_unauthorized(STRANGER, recovery));
        vm.prank(STRANGER);
        h.setRescueVault(b);
        address vault = address(tokenB); // any contract
        h.setRescueVault(vault);
        assertEq(h.rescueVault(), vault, "vault");
        vm.expectRevert(_unauthorized(STRANGER, recovery));
        vm.prank(STRANGER);
        h.rescueFrozen(a, 1);
        h.rescueFrozen(a, 123);
        assertEq(tokenA.balanceOf(vault), 123, "rescued");
    }

    function test_escrow_onlyOwner() public {
        OutflowEscrow escrow = h.outflowEscrow();
        vm.expectRevert(abi.encodeWithSelector(OutflowEscrow.NotOwner.selector, address(this)));
        escrow.release(a, address(this), 1);
    }

    function test_views_unknownAsset() public {
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.UnknownAsset.selector, b));
        h.limitOf(b);
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.UnknownAsset.selector, b));
        h.availableCapacity(b);
        assertEq(h.queuedTotal(b), 0, "no queue");
        assertFalse(h.isFrozen(b), "not frozen");
    }

    // ------------------------------------------------------------------ limit change mid-transaction

    /// @dev Regression (fixed in 5e28425 by `_resetLedger` in setLimit / lowerLimit): a limit
    /// change inside a transaction that already touched the asset's ledger. Before the fix the
    /// ledger kept the old start, the next outflow in the same
    /// transaction stored available = oldStart - net (> the new max), and the following
    /// transaction's first touch used it uncapped: 990 could leave under a max of 100 while
    /// availableCapacity() reported 100. (GuardianMultisig lets anyone submit an approved
    /// execute() / executeQueued(), so an attacker can wrap the guardians' lowerLimit.)
    function test_lowerLimitMidTransactionIsNotUndone() public {
        h.outflow(bytes32(0), a, 0, ALICE, ALICE); // touch the ledger: start = 1000
        h.lowerLimit(a, 100e18);
        h.outflow(bytes32(0), a, 10e18, ALICE, ALICE);
        assertEq(h.availableCapacity(a), 90e18, "same tx: new limit applies");
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.OutflowLimitExceeded.selector, a, 91e18, 90e18));
        h.outflow(bytes32(0), a, 91e18, ALICE, ALICE);
        nextTx(0);
        assertEq(h.availableCapacity(a), 90e18, "next tx: view");
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.OutflowLimitExceeded.selector, a, 91e18, 90e18));
        h.outflow(bytes32(0), a, 91e18, ALICE, ALICE);
    }

    function test_setLimitMidTransactionIsNotUndone() public {
        h.inflow(bytes32(0), a, 0, ALICE); // touch the ledger
        h.setLimit(a, cfg(100e18, WINDOW, 0, ICircuitBreaker.BreachMode.Revert, 0, false));
        h.outflow(bytes32(0), a, 10e18, ALICE, ALICE);
        nextTx(0);
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.OutflowLimitExceeded.selector, a, 91e18, 90e18));
        h.outflow(bytes32(0), a, 91e18, ALICE, ALICE);
    }
}
