// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// Unit and fuzz tests of PauseGate against real targets (OpenZeppelin Wizard ERC20Pausable +
/// AccessControl, OpenZeppelin AccessManager closing a Wizard AccessManaged token, a bespoke
/// setPaused(bool) switch):
///  - the sentinel: one pause per arming, duration 1..maxDuration, cooldown, only registered targets;
///  - release: refused before expiry, accepted from anyone at or after it, refused (CannotRelease)
///    when the gate holds no unpause permission, harmless when the protocol already unpaused;
///  - the admin: extend (later, bounded), end early, register / deregister, all refused to others.

import {IPauseGate} from "../../../contracts/adapters/IPauseGate.sol";
import {PauseGate} from "../../../contracts/adapters/PauseGate.sol";
import {IAccessManaged} from "@openzeppelin/contracts/access/manager/IAccessManaged.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {WizardToken} from "../../../contracts/test/WizardToken.sol";
import {WizardManagedToken} from "../../../contracts/test/WizardManagedToken.sol";
import {PauseGateBase, BespokeSwitch} from "./PauseGateBase.sol";

contract PauseGateTest is PauseGateBase {
    // ------------------------------------------------------------------ sentinel

    function test_pausableTargetPausedAndReleased() public {
        gate.armSentinel();
        _sentinelPause(address(token), 2 hours);
        assertTrue(token.paused(), "token paused");
        vm.prank(USER);
        vm.expectRevert(Pausable.EnforcedPause.selector);
        token.transfer(ATTACKER, 1);

        vm.warp(block.timestamp + 2 hours);
        vm.prank(ATTACKER); // anyone
        gate.release(address(token));
        assertFalse(token.paused(), "token unpaused");
        assertEq(gate.gatePause(address(token)).expiry, 0, "record cleared");
    }

    function test_accessManagedTargetClosedAndReopened() public {
        bytes4[] memory sels = new bytes4[](1);
        sels[0] = WizardManagedToken.mint.selector;
        manager.setTargetFunctionRole(address(managed), sels, manager.PUBLIC_ROLE());
        managed.mint(USER, 1);
        gate.armSentinel();
        _sentinelPause(address(managed), 1 hours);
        assertTrue(manager.isTargetClosed(address(managed)), "closed");
        vm.expectRevert(abi.encodeWithSelector(IAccessManaged.AccessManagedUnauthorized.selector, address(this)));
        managed.mint(USER, 1);
        (bool known, bool paused) = gate.targetPaused(address(managed));
        assertTrue(known && paused, "state view");

        vm.warp(block.timestamp + 1 hours);
        gate.release(address(managed));
        assertFalse(manager.isTargetClosed(address(managed)), "reopened");
        managed.mint(USER, 1);
    }

    function testFuzz_oneSentinelPausePerArming(uint64 d1, uint64 d2) public {
        d1 = uint64(bound(d1, 1, MAX));
        d2 = uint64(bound(d2, 1, MAX));
        gate.armSentinel();
        _sentinelPause(address(token), d1);
        (, bool armed,,,) = gate.sentinelState();
        assertFalse(armed, "arming used up");
        // A second pause, of another target, even after the cooldown: refused until re-armed.
        vm.warp(block.timestamp + COOLDOWN);
        vm.prank(SENTINEL);
        vm.expectRevert(IPauseGate.SentinelNotArmed.selector);
        gate.sentinelPause(address(bespoke), d2);
        assertFalse(bespoke.paused(), "second target untouched");
    }

    function testFuzz_durationBounded(uint64 d) public {
        gate.armSentinel();
        if (d == 0 || d > MAX) {
            vm.prank(SENTINEL);
            vm.expectRevert(abi.encodeWithSelector(IPauseGate.DurationOutOfBounds.selector, address(token), d, MAX));
            gate.sentinelPause(address(token), d);
            return;
        }
        _sentinelPause(address(token), d);
        IPauseGate.GatePause memory p = gate.gatePause(address(token));
        assertEq(p.expiry, block.timestamp + d, "expiry = now + duration");
        assertEq(p.pausedAt, block.timestamp, "pausedAt");
    }

    function testFuzz_cooldownBetweenPauses(uint64 wait) public {
        wait = uint64(bound(wait, 0, 3 * COOLDOWN));
        gate.armSentinel();
        _sentinelPause(address(bespoke), 10 minutes);
        uint64 readyAt = uint64(block.timestamp) + COOLDOWN;
        gate.armSentinel();
        vm.warp(block.timestamp + wait);
        if (wait < COOLDOWN) {
            vm.prank(SENTINEL);
            vm.expectRevert(abi.encodeWithSelector(IPauseGate.SentinelCoolingDown.selector, readyAt, uint64(block.timestamp)));
            gate.sentinelPause(address(token), 10 minutes);
        } else {
            _sentinelPause(address(token), 10 minutes);
            assertTrue(token.paused(), "paused after cooldown");
        }
    }

    function testFuzz_onlySentinelPauses(address caller) public {
        vm.assume(caller != SENTINEL);
        gate.armSentinel();
        vm.prank(caller);
        vm.expectRevert(abi.encodeWithSelector(IPauseGate.NotSentinel.selector, caller, SENTINEL));
        gate.sentinelPause(address(token), 1 hours);
    }

    function testFuzz_unregisteredTargetRefused(address target) public {
        vm.assume(target != address(token) && target != address(managed) && target != address(bespoke) && target != address(oneWay));
        gate.armSentinel();
        vm.prank(SENTINEL);
        vm.expectRevert(abi.encodeWithSelector(IPauseGate.TargetNotRegistered.selector, target));
        gate.sentinelPause(target, 1 hours);
    }

    function test_targetCallFailureKeepsArming() public {
        // The gate lost its PAUSER_ROLE: the pause reverts with the target's error, arming kept.
        token.revokeRole(token.PAUSER_ROLE(), address(gate));
        gate.armSentinel();
        bytes memory inner = abi.encodeWithSelector(
            IAccessControl.AccessControlUnauthorizedAccount.selector, address(gate), token.PAUSER_ROLE()
        );
        vm.prank(SENTINEL);
        vm.expectRevert(abi.encodeWithSelector(IPauseGate.TargetCallFailed.selector, address(token), WizardToken.pause.selector, inner));
        gate.sentinelPause(address(token), 1 hours);
        (, bool armed,,,) = gate.sentinelState();
        assertTrue(armed, "still armed");
    }

    function test_alreadyPausedByGate() public {
        gate.armSentinel();
        _sentinelPause(address(bespoke), 1 hours);
        uint64 expiry = uint64(block.timestamp) + 1 hours;
        vm.warp(block.timestamp + COOLDOWN);
        gate.armSentinel();
        vm.prank(SENTINEL);
        vm.expectRevert(abi.encodeWithSelector(IPauseGate.AlreadyPausedByGate.selector, address(bespoke), expiry));
        gate.sentinelPause(address(bespoke), 1 hours);
    }

    // ------------------------------------------------------------------ release

    function testFuzz_releaseOnlyAtOrAfterExpiry(uint64 d, uint64 wait) public {
        d = uint64(bound(d, 1, MAX));
        wait = uint64(bound(wait, 0, 2 * MAX));
        gate.armSentinel();
        _sentinelPause(address(token), d);
        uint64 expiry = uint64(block.timestamp) + d;
        vm.warp(block.timestamp + wait);
        vm.prank(ATTACKER);
        if (wait < d) {
            vm.expectRevert(abi.encodeWithSelector(IPauseGate.PauseNotExpired.selector, address(token), expiry, uint64(block.timestamp)));
            gate.release(address(token));
            assertTrue(token.paused(), "still paused");
            assertFalse(gate.isReleasable(address(token)), "not releasable yet");
        } else {
            assertTrue(gate.isReleasable(address(token)), "releasable");
            gate.release(address(token));
            assertFalse(token.paused(), "released");
        }
    }

    function test_cannotReleaseWithoutUnpausePermission() public {
        assertFalse(gate.canRelease(address(oneWay)), "view says so");
        gate.armSentinel();
        _sentinelPause(address(oneWay), 1 hours);
        vm.warp(block.timestamp + 1 hours);
        assertFalse(gate.isReleasable(address(oneWay)), "not releasable");
        vm.expectRevert(abi.encodeWithSelector(IPauseGate.CannotRelease.selector, address(oneWay)));
        gate.release(address(oneWay));
        // The admin can close the gate's record; the protocol's own admin lifts the pause.
        gate.endPause(address(oneWay));
        assertTrue(oneWay.paused(), "still paused: only its operator can unpause");
        assertEq(gate.gatePause(address(oneWay)).expiry, 0, "record closed");
    }

    function test_releaseAfterProtocolAdminUnpaused() public {
        // The token's admin grants itself PAUSER_ROLE and unpauses before the gate's expiry.
        gate.armSentinel();
        _sentinelPause(address(token), 1 hours);
        token.grantRole(token.PAUSER_ROLE(), address(this));
        token.unpause();
        vm.warp(block.timestamp + 1 hours);
        gate.release(address(token)); // OZ unpause() would revert ExpectedPause: the gate skips it
        assertFalse(token.paused(), "unpaused");
        assertEq(gate.gatePause(address(token)).expiry, 0, "record cleared");
    }

    function test_releaseWithoutPause() public {
        vm.expectRevert(abi.encodeWithSelector(IPauseGate.NoGatePause.selector, address(token)));
        gate.release(address(token));
    }

    // ------------------------------------------------------------------ admin

    function testFuzz_extendPause(uint64 by) public {
        gate.armSentinel();
        _sentinelPause(address(token), 1 hours);
        uint64 expiry = uint64(block.timestamp) + 1 hours;
        uint64 max = uint64(block.timestamp) + gate.MAX_EXTENSION();
        uint64 newExpiry = uint64(bound(by, 0, 40 days)) + uint64(block.timestamp);
        if (newExpiry <= expiry || newExpiry > max) {
            vm.expectRevert(abi.encodeWithSelector(IPauseGate.ExpiryOutOfBounds.selector, address(token), newExpiry, expiry + 1, max));
            gate.extendPause(address(token), newExpiry);
            return;
        }
        gate.extendPause(address(token), newExpiry);
        vm.warp(expiry);
        vm.expectRevert(abi.encodeWithSelector(IPauseGate.PauseNotExpired.selector, address(token), newExpiry, expiry));
        gate.release(address(token));
        vm.warp(newExpiry);
        gate.release(address(token));
        assertFalse(token.paused(), "released at the new expiry");
    }

    function test_endPauseEarly() public {
        gate.armSentinel();
        _sentinelPause(address(managed), 1 days);
        gate.endPause(address(managed));
        assertFalse(manager.isTargetClosed(address(managed)), "reopened early");
    }

    function testFuzz_adminOnly(address caller) public {
        vm.assume(caller != address(this));
        bytes4 notAdmin = IPauseGate.NotAdmin.selector;
        vm.startPrank(caller);
        vm.expectRevert(abi.encodeWithSelector(notAdmin, caller));
        gate.armSentinel();
        vm.expectRevert(abi.encodeWithSelector(notAdmin, caller));
        gate.setSentinel(caller, 0);
        vm.expectRevert(abi.encodeWithSelector(notAdmin, caller));
        gate.registerPausable(caller, 1 hours, true);
        vm.expectRevert(abi.encodeWithSelector(notAdmin, caller));
        gate.extendPause(address(token), 1);
        vm.expectRevert(abi.encodeWithSelector(notAdmin, caller));
        gate.endPause(address(token));
        vm.expectRevert(abi.encodeWithSelector(notAdmin, caller));
        gate.deregister(address(token));
        vm.expectRevert(abi.encodeWithSelector(notAdmin, caller));
        gate.setAdmin(caller);
        vm.stopPrank();
    }

    function testFuzz_registrationBounds(uint64 maxDuration) public {
        address t = address(0x7777);
        uint64 cap = gate.MAX_PAUSE_DURATION();
        if (maxDuration == 0 || maxDuration > cap) {
            vm.expectRevert(abi.encodeWithSelector(IPauseGate.MaxDurationOutOfBounds.selector, t, maxDuration, cap));
            gate.registerPausable(t, maxDuration, true);
            return;
        }
        gate.registerPausable(t, maxDuration, true);
        vm.expectRevert(abi.encodeWithSelector(IPauseGate.TargetAlreadyRegistered.selector, t));
        gate.registerPausable(t, maxDuration, true);
    }

    function test_deregisterRefusedWhilePaused() public {
        gate.armSentinel();
        _sentinelPause(address(bespoke), 1 hours);
        vm.expectRevert(abi.encodeWithSelector(IPauseGate.TargetHasActivePause.selector, address(bespoke), uint64(block.timestamp) + 1 hours));
        gate.deregister(address(bespoke));
        gate.endPause(address(bespoke));
        gate.deregister(address(bespoke));
        assertEq(gate.targets().length, 3, "three left");
    }

    function test_setSentinelDisarms() public {
        gate.armSentinel();
        gate.setSentinel(address(0x1234), 0);
        (address s, bool armed,,,) = gate.sentinelState();
        assertEq(s, address(0x1234), "new sentinel");
        assertFalse(armed, "disarmed");
    }

    function test_selectorPairWithoutCodeRefused() public {
        address empty = address(0xE0);
        gate.registerSelectorPair(empty, abi.encodeCall(BespokeSwitch.setPaused, (true)), "", MAX);
        gate.armSentinel();
        vm.prank(SENTINEL);
        vm.expectRevert(abi.encodeWithSelector(IPauseGate.TargetCallFailed.selector, empty, BespokeSwitch.setPaused.selector, bytes("")));
        gate.sentinelPause(empty, 1 hours);
    }

    function test_gateCannotTargetItself() public {
        vm.expectRevert(abi.encodeWithSelector(IPauseGate.GateItself.selector, "target"));
        gate.registerSelectorPair(address(gate), abi.encodeCall(PauseGate.armSentinel, ()), "", MAX);
        vm.expectRevert(abi.encodeWithSelector(IPauseGate.GateItself.selector, "target"));
        gate.registerAccessManaged(address(gate), address(token), MAX, true);
        vm.expectRevert(abi.encodeWithSelector(IPauseGate.GateItself.selector, "newAdmin"));
        gate.setAdmin(address(gate));
    }
}
