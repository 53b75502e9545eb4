// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {BreakerCore} from "./BreakerCore.sol";

/// @notice Implemented by contracts protected by a standalone `CircuitBreaker`, so the breaker
/// can have them pay a queued outflow once it is due.
interface IBreakerProtected {
    /// @notice Transfer `amount` of `asset` to `recipient`. Must only accept calls from the breaker.
    function settleQueuedOutflow(address asset, address recipient, uint256 amount) external;

    /// @notice A queued outflow of `amount` of `asset` to `recipient` (left through `scope`) was
    /// vetoed: give the recipient back what it had consumed (re-mint shares, cancel debt). Must
    /// only accept calls from the breaker; revert if the contract cannot (the veto then fails).
    function restoreVetoedOutflow(bytes32 scope, address asset, address recipient, uint256 amount) external;
}

/// @title CircuitBreaker
/// @notice One breaker for a protocol made of several contracts. Protected contracts register
/// with the slow path and call the hooks below; pauses, limits, freezes and quarantines then
/// apply across all of them (limits are per asset, protocol-wide). Costs one external call more
/// than the `Breakable` mixin (see the gas table in the README).
contract CircuitBreaker is BreakerCore {
    mapping(address => bool) private _protected;

    event ProtectedContractRegistered(address indexed protectedContract);
    event ProtectedContractDeregistered(address indexed protectedContract);

    error UnregisteredCaller(address caller);
    error AlreadyRegistered(address protectedContract);

    /// @param admin receives DEFAULT_ADMIN_ROLE, EMERGENCY_ROLE and RECOVERY_ROLE (hand them to
    /// the guardian multisig and renounce).
    constructor(address admin, uint64 maxPauseDuration, uint64 gracePeriod) {
        _initBreaker(admin, maxPauseDuration, gracePeriod);
    }

    modifier onlyProtected() {
        if (!_protected[msg.sender]) revert UnregisteredCaller(msg.sender);
        _;
    }

    /// @notice Allow `protectedContract` to call the hooks.
    function registerProtected(address protectedContract) external onlyRole(RECOVERY_ROLE) {
        if (protectedContract == address(0)) revert ZeroAddress();
        if (protectedContract.code.length == 0) revert NotAContract(protectedContract);
        if (_protected[protectedContract]) revert AlreadyRegistered(protectedContract);
        _protected[protectedContract] = true;
        emit ProtectedContractRegistered(protectedContract);
    }

    /// @notice Stop accepting hook calls from `protectedContract`.
    function deregisterProtected(address protectedContract) external onlyRole(RECOVERY_ROLE) {
        if (!_protected[protectedContract]) revert UnregisteredCaller(protectedContract);
        _protected[protectedContract] = false;
        emit ProtectedContractDeregistered(protectedContract);
    }

    /// @notice True if `account` may call the hooks.
    function isProtected(address account) external view returns (bool) {
        return _protected[account];
    }

    /// @notice Unsettled queued outflows of `asset` that `source` owes (they stay in it until
    /// settled): subtract it from what backs the source's shares. Per source, so two protected
    /// contracts of one asset never see each other's queues.
    function queuedLiability(address source, address asset) external view returns (uint256) {
        return _queuedLiability(source, asset);
    }

    /// @notice Revert with ScopePaused while `scope` or the global scope is paused.
    function checkScope(bytes32 scope) external view {
        _checkScope(scope);
    }

    /// @notice Hook for an exit: see BreakerCore._guardOutflow. Returns what to pay now and the
    /// queued id of the rest (0 if none); the caller keeps the queued tokens until settled.
    function onOutflow(bytes32 scope, address asset, uint256 amount, address from, address to)
        external
        onlyProtected
        returns (uint256 payNow, uint256 queueId)
    {
        return _guardOutflow(scope, asset, amount, from, to, msg.sender);
    }

    /// @notice Hook for an entry bringing `amount` of `asset` in from `from` (the caller) for `to`.
    function onInflow(bytes32 scope, address asset, uint256 amount, address from, address to)
        external
        onlyProtected
    {
        _guardInflow(scope, asset, amount, from, to);
    }

    /// @notice Hook for a migration of `owner`'s position (submitted by `operator`): see
    /// BreakerCore._guardMigration.
    function onMigration(address asset, uint256 amount, address owner, address operator) external onlyProtected {
        _guardMigration(asset, amount, owner, operator, msg.sender);
    }

    /// @notice Revert with AccountIsQuarantined if `operator`, `from` or `to` is quarantined:
    /// call it from the protected contract's share / receipt token transfers.
    function checkClaimTransfer(address operator, address from, address to) external view {
        _guardClaimTransfer(operator, from, to);
    }

    /// @notice Hook for a repayment or collateral top-up: never blocked.
    function onRepayment(address asset, uint256 amount) external onlyProtected {
        _recordRepayment(asset, amount);
    }

    function _payQueuedOutflow(QueuedOutflow memory q) internal override {
        IBreakerProtected(q.source).settleQueuedOutflow(q.asset, q.recipient, q.amount);
    }

    /// @dev The tokens of a vetoed outflow never left the protected contract; it restores the
    /// recipient's entitlement.
    function _returnVetoedOutflow(uint256, QueuedOutflow memory q) internal override {
        IBreakerProtected(q.source).restoreVetoedOutflow(q.scope, q.asset, q.recipient, q.amount);
    }
}
