// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// Invariants of PauseGate (handler = random sequences of arming, sentinel pauses, attacker
/// pauses, releases, extensions, early ends and time warps against the real targets of
/// PauseGateBase):
///  INV-1 the sentinel causes no more than one pause per arming (successful sentinel pauses <=
///        armings), only of registered targets, and nobody else ever pauses through the gate;
///  INV-2 every sentinel pause is bounded: expiry - pausedAt <= the target's maxDuration unless
///        the admin extended it;
///  INV-3 a gate pause never outlives its expiry: once expired it is releasable by anyone (when
///        the gate holds the unpause permission), and every such release attempted succeeded;
///  INV-4 the targets' pause state is exactly the gate's records (the gate is their only pauser).

import {Vm} from "../utils/Test.sol";
import {IPauseGate} from "../../../contracts/adapters/IPauseGate.sol";
import {PauseGate} from "../../../contracts/adapters/PauseGate.sol";
import {PauseGateBase} from "./PauseGateBase.sol";

contract PauseGateHandler {
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));
    PauseGate public immutable gate;
    address public immutable admin;
    address public immutable sentinel;
    address[] public targets;

    uint256 public armings;
    uint256 public sentinelPauses;
    uint256 public foreignPauses;
    uint256 public failedOverdueReleases;
    uint256 public unregisteredPauses;

    constructor(PauseGate gate_, address admin_, address sentinel_, address[] memory targets_) {
        gate = gate_;
        admin = admin_;
        sentinel = sentinel_;
        targets = targets_;
    }

    function _target(uint256 i) internal view returns (address) {
        return targets[i % targets.length];
    }

    function arm() external {
        vm.prank(admin);
        try gate.armSentinel() {
            armings++;
        } catch {}
    }

    function sentinelPause(uint256 i, uint64 duration, bool registered) external {
        address t = registered ? _target(i) : address(uint160(0xDEAD0000 + (i % 7)));
        duration = duration % 2 days; // half in bounds (1..1 day), some 0, some too long
        vm.prank(sentinel);
        try gate.sentinelPause(t, duration) {
            sentinelPauses++;
            if (!registered) unregisteredPauses++;
        } catch {}
    }

    function strangerPause(uint256 i, uint64 duration, address who) external {
        if (who == sentinel) return;
        vm.prank(who);
        try gate.sentinelPause(_target(i), duration % 1 days + 1) {
            foreignPauses++;
        } catch {}
    }

    function release(uint256 i, address who) external {
        address t = _target(i);
        bool overdue = gate.isReleasable(t);
        vm.prank(who);
        try gate.release(t) {}
        catch {
            if (overdue) failedOverdueReleases++;
        }
    }

    function extend(uint256 i, uint64 by) external {
        address t = _target(i);
        IPauseGate.GatePause memory p = gate.gatePause(t);
        if (p.expiry == 0) return;
        vm.prank(admin);
        try gate.extendPause(t, p.expiry + (by % 3 days) + 1) {} catch {}
    }

    function endEarly(uint256 i) external {
        vm.prank(admin);
        try gate.endPause(_target(i)) {} catch {}
    }

    function warp(uint64 dt) external {
        vm.warp(block.timestamp + (dt % 2 days));
    }
}

contract PauseGateInvariantTest is PauseGateBase {
    PauseGateHandler internal handler;
    address[] internal releasable;

    function setUp() public override {
        super.setUp();
        releasable.push(address(token));
        releasable.push(address(managed));
        releasable.push(address(bespoke));
        handler = new PauseGateHandler(gate, address(this), SENTINEL, releasable);
        targetContract(address(handler));
    }

    function invariant_onePausePerArming() public view {
        assertLe(handler.sentinelPauses(), handler.armings(), "sentinel pauses <= armings");
        assertEq(handler.foreignPauses(), 0, "nobody but the sentinel pauses");
        assertEq(handler.unregisteredPauses(), 0, "only registered targets");
    }

    function invariant_pausesBoundedUnlessExtended() public view {
        for (uint256 i = 0; i < releasable.length; i++) {
            address t = releasable[i];
            IPauseGate.GatePause memory p = gate.gatePause(t);
            if (p.expiry == 0 || p.extended) continue;
            assertLe(p.expiry - p.pausedAt, gate.targetConfig(t).maxDuration, "pause within maxDuration");
        }
    }

    function invariant_neverOutlivesExpiry() public view {
        assertEq(handler.failedOverdueReleases(), 0, "every release after expiry succeeded");
        for (uint256 i = 0; i < releasable.length; i++) {
            address t = releasable[i];
            IPauseGate.GatePause memory p = gate.gatePause(t);
            if (p.expiry != 0 && block.timestamp >= p.expiry) assertTrue(gate.isReleasable(t), "expired => releasable");
        }
    }

    function invariant_targetsMatchGateRecords() public view {
        for (uint256 i = 0; i < releasable.length; i++) {
            address t = releasable[i];
            assertEq(_targetPaused(t) ? 1 : 0, gate.gatePause(t).expiry != 0 ? 1 : 0, "target paused <=> gate record");
        }
    }
}
