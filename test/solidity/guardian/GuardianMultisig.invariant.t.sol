// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// Invariants of GuardianMultisig checked here (handler = random sequences of queue,
/// execute, veto, re-execute, reconfigure and time warps against a recording breaker):
///  INV-1 an action executes at most once (no id executes twice; the breaker saw exactly
///        as many unpause / pause calls as distinct ids executed);
///  INV-2 nothing restorative executes before its delay (every executed queued action ran
///        at or after queuedAt + delay);
///  INV-3 guardian count >= every threshold (each kind's and the veto quorum) >= 1.

import {Test, Vm} from "../utils/Test.sol";
import {GuardianMultisig} from "../../../contracts/guardian/GuardianMultisig.sol";
import {MockBreaker} from "./MockBreaker.sol";
import {GuardianTestLib as L} from "./GuardianBase.sol";

contract GuardianHandler {
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));
    GuardianMultisig public immutable ms;
    MockBreaker public immutable breaker;

    bytes32[] public queuedIds;
    mapping(bytes32 => uint64) public queuedAt;
    mapping(bytes32 => uint256) public executions;
    uint256 public distinctUnpauses;
    uint256 public distinctPauses;
    uint256 public doubleExecutions;
    uint256 public earlyExecutions;
    uint256 public nonce = 1;

    constructor(GuardianMultisig ms_, MockBreaker breaker_) {
        ms = ms_;
        breaker = breaker_;
    }

    function _action(uint8 kind, address target, bytes memory data) internal returns (GuardianMultisig.Action memory a) {
        a = GuardianMultisig.Action({kind: kind, target: target, data: data, nonce: nonce++, deadline: block.timestamp + 1 days});
    }

    function _signers(uint256 seed) internal view returns (uint256[] memory) {
        uint256 n = ms.guardianCount();
        // Only the original keys can sign; after a guardian change some may be gone.
        return n == 5 ? L.three(seed) : new uint256[](0);
    }

    function queueUnpause(uint256 seed) external {
        GuardianMultisig.Action memory a = _action(5, address(breaker), abi.encode(bytes32(seed)));
        bytes32 id = ms.hashAction(a);
        try ms.queue(a, L.approvals(id, _signers(seed))) {
            queuedIds.push(id);
            queuedAt[id] = uint64(block.timestamp);
        } catch {}
    }

    function queueThreshold(uint256 seed, uint16 threshold) external {
        bytes memory data = abi.encode(uint8(seed % 21), threshold % 7, uint64(1 days + seed % 3 days));
        GuardianMultisig.Action memory a = _action(16, address(ms), data);
        bytes32 id = ms.hashAction(a);
        try ms.queue(a, L.approvals(id, _signers(seed))) {
            queuedIds.push(id);
            queuedAt[id] = uint64(block.timestamp);
        } catch {}
    }

    function queueGuardians(uint256 seed, uint8 count) external {
        address[] memory gs = new address[](count % 7);
        for (uint256 i = 0; i < gs.length; i++) gs[i] = vm.addr(L.keyOf(i));
        GuardianMultisig.Action memory a = _action(15, address(ms), abi.encode(gs));
        bytes32 id = ms.hashAction(a);
        try ms.queue(a, L.approvals(id, _signers(seed))) {
            queuedIds.push(id);
            queuedAt[id] = uint64(block.timestamp);
        } catch {}
    }

    function pause(uint256 seed) external {
        GuardianMultisig.Action memory a = _action(0, address(breaker), abi.encode(bytes32(seed), uint64(1 hours)));
        bytes32 id = ms.hashAction(a);
        uint256[] memory one = new uint256[](1);
        one[0] = seed % 5;
        try ms.execute(a, L.approvals(id, ms.guardianCount() == 5 ? one : new uint256[](0))) {
            distinctPauses++;
            executions[id]++;
            // Replaying the same action must fail.
            try ms.execute(a, L.approvals(id, one)) {
                doubleExecutions++;
            } catch {}
        } catch {}
    }

    function executeQueued(uint256 seed) external {
        if (queuedIds.length == 0) return;
        bytes32 id = queuedIds[seed % queuedIds.length];
        try ms.executeQueued(id) {
            if (executions[id]++ != 0) doubleExecutions++;
            // Delay as configured when queued is >= 1 day here; checked against the time queued.
            if (block.timestamp < queuedAt[id] + 1 days) earlyExecutions++;
            (GuardianMultisig.ActionState st,,,) = ms.actionInfo(id);
            if (st != GuardianMultisig.ActionState.Executed) doubleExecutions++;
        } catch {}
    }

    function countUnpause(bytes32 id) external view returns (bool) {
        return executions[id] > 0;
    }

    function veto(uint256 seed) external {
        if (queuedIds.length == 0 || ms.guardianCount() != 5) return;
        bytes32 id = queuedIds[seed % queuedIds.length];
        try ms.veto(id, L.approvals(ms.hashVeto(id), L.two(seed))) {} catch {}
    }

    function warp(uint32 secs) external {
        vm.warp(block.timestamp + (secs % 3 days));
    }

    function queuedCount() external view returns (uint256) {
        return queuedIds.length;
    }
}

contract GuardianMultisigInvariantTest is Test {
    GuardianMultisig internal ms;
    MockBreaker internal breaker;
    GuardianHandler internal handler;

    function setUp() public {
        vm.warp(1_700_000_000);
        breaker = new MockBreaker();
        (ms,) = L.deploy(breaker);
        handler = new GuardianHandler(ms, breaker);
        targetContract(address(handler));
    }

    /// INV-1
    function invariant_executesAtMostOnce() public view {
        assertEq(handler.doubleExecutions(), 0, "an action executed twice");
        assertEq(breaker.calls(breaker.pause.selector), handler.distinctPauses(), "pause calls != distinct pauses");
        uint256 executedUnpauses;
        uint256 n = handler.queuedCount();
        for (uint256 i = 0; i < n; i++) {
            bytes32 id = handler.queuedIds(i);
            uint256 e = handler.executions(id);
            assertLe(e, 1, "queued action executed more than once");
            (GuardianMultisig.ActionState st,,,) = ms.actionInfo(id);
            if (e == 1) assertTrue(st == GuardianMultisig.ActionState.Executed, "executed but state differs");
            (, uint8 pk,,) = ms.actionInfo(id);
            if (e == 1 && pk == 5) executedUnpauses++;
        }
        assertEq(breaker.calls(breaker.unpause.selector), executedUnpauses, "unpause calls != executed unpauses");
    }

    /// INV-2
    function invariant_nothingRestorativeBeforeDelay() public view {
        assertEq(handler.earlyExecutions(), 0, "a queued action executed before its delay");
    }

    /// INV-3
    function invariant_guardianCountCoversThresholds() public view {
        uint256 n = ms.guardianCount();
        assertGe(n, 1, "no guardians");
        for (uint8 k = 0; k < 21; k++) {
            (uint16 t,) = ms.policyOf(k);
            assertGe(t, 1, "threshold 0");
            assertLe(t, n, "threshold above guardian count");
        }
        assertGe(ms.vetoThreshold(), 1, "veto threshold 0");
        assertLe(ms.vetoThreshold(), n, "veto threshold above guardian count");
    }
}
