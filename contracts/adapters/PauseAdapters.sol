// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IPauseGate} from "./IPauseGate.sol";

/// @notice The pause surface of OpenZeppelin `Pausable` contracts (with a role or owner guarding it).
interface IPausableTarget {
    function pause() external;
    function unpause() external;
    function paused() external view returns (bool);
}

/// @notice The part of OpenZeppelin `AccessManager` the gate calls.
interface IAccessManagerTarget {
    function setTargetClosed(address target, bool closed) external;
    function isTargetClosed(address target) external view returns (bool);
}

/// @title PauseAdapters
/// @notice The calls a PauseGate makes per adapter type, and the two low-level helpers it uses
/// to make them (target errors bubble up wrapped with the callee and selector).
library PauseAdapters {
    /// @dev (pauseCall, unpauseCall, stateCall) of an OpenZeppelin Pausable target.
    function pausable() internal pure returns (bytes memory, bytes memory, bytes memory) {
        return (
            abi.encodeCall(IPausableTarget.pause, ()),
            abi.encodeCall(IPausableTarget.unpause, ()),
            abi.encodeCall(IPausableTarget.paused, ())
        );
    }

    /// @dev (pauseCall, unpauseCall, stateCall) on an AccessManager for `target`.
    function accessManaged(address target) internal pure returns (bytes memory, bytes memory, bytes memory) {
        return (
            abi.encodeCall(IAccessManagerTarget.setTargetClosed, (target, true)),
            abi.encodeCall(IAccessManagerTarget.setTargetClosed, (target, false)),
            abi.encodeCall(IAccessManagerTarget.isTargetClosed, (target))
        );
    }

    /// @dev Call `callee` with `data`; a failure reverts with TargetCallFailed(callee, selector, reason).
    function callTarget(address callee, bytes memory data) internal {
        // Low-level on purpose: the target's own revert data is wrapped in TargetCallFailed.
        // solhint-disable-next-line avoid-low-level-calls
        (bool ok, bytes memory ret) = callee.call(data);
        if (!ok) revert IPauseGate.TargetCallFailed(callee, bytes4(data), ret);
        // A call to an address without code "succeeds": refuse it, it paused nothing.
        if (ret.length == 0 && callee.code.length == 0) revert IPauseGate.TargetCallFailed(callee, bytes4(data), ret);
    }

    /// @dev Read a bool state view; (false, false) when there is none or it does not answer a bool.
    function readState(address callee, bytes memory stateCall) internal view returns (bool known, bool paused) {
        if (stateCall.length == 0) return (false, false);
        (bool ok, bytes memory ret) = callee.staticcall(stateCall);
        if (!ok || ret.length != 32) return (false, false);
        uint256 w = abi.decode(ret, (uint256));
        if (w > 1) return (false, false);
        return (true, w == 1);
    }
}
