// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {BreakerCore} from "./BreakerCore.sol";
import {IBreakableRescue} from "./ICircuitBreaker.sol";
import {OutflowEscrow} from "./OutflowEscrow.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @title Breakable
/// @notice The circuit breaker inlined into a protected contract: the cheapest
/// integration (a peace-time guarded outflow reads and writes one storage slot,
/// a pause-only check reads one). Tag every external function of the protocol:
///  - entry (deposit, mint, borrow, open):  `_guardInflow(scope, asset, amount, receiver)` (caller =
///                                           msg.sender) or `whenScopeActive`
///  - exit (withdraw, redeem, close):       `_guardOutflow` (pause + limiter)
///  - repay / top-up:                        `_recordRepayment`, never blocked
///  - liquidation:                           `_guardOutflow(LIQUIDATION, ...)` for the seized
///                                           collateral, and consult `inGracePeriod`
///  - transfers of the protocol's own claims (shares, receipt / debt tokens):
///                                           `_guardClaimTransfer(operator, from, to)` in the
///                                           token's transfers, so quarantine holds a position
///  - migration of a position out:          `_guardMigration` (works while paused)
/// The integrator implements `_transferOutAsset` (how the contract pays out), moves a queued
/// excess to `outflowEscrow` (see ProtectedVault) and, to allow fast vetoes of queued
/// outflows, `_restoreVetoedOutflow` (give the recipient its entitlement back).
abstract contract Breakable is BreakerCore, IBreakableRescue {
    /// @notice Holds queued outflows until they are claimed or vetoed.
    OutflowEscrow public immutable outflowEscrow;

    /// @custom:storage-location erc7201:breakwater.storage.Breakable
    struct BreakableStorage {
        address rescueVault;
    }

    // keccak256(abi.encode(uint256(keccak256("breakwater.storage.Breakable")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant BREAKABLE_STORAGE = 0xfa4e07e9d4a5fe2c4d354162081dcdb6f3c158377f80080048d608cca9e06400;

    event RescueVaultSet(address indexed vault);
    event FrozenAssetRescued(address indexed asset, address indexed vault, uint256 amount);

    error RescueVaultNotSet();
    error ZeroAmount();
    /// @notice The escrow received less than the queued amount (fee-on-transfer token): Queue
    /// mode needs a token that moves exact amounts, or later claims would take others' tokens.
    error EscrowShortfall(address asset, uint256 queued, uint256 received);

    /// @param admin receives DEFAULT_ADMIN_ROLE, EMERGENCY_ROLE and RECOVERY_ROLE (hand them to
    /// the guardian multisig and renounce).
    constructor(address admin, uint64 maxPauseDuration, uint64 gracePeriod) {
        _initBreaker(admin, maxPauseDuration, gracePeriod);
        outflowEscrow = new OutflowEscrow();
    }

    /// @dev Revert while `scope` or the global scope is paused.
    modifier whenScopeActive(bytes32 scope) {
        _checkScope(scope);
        _;
    }

    /// @inheritdoc IBreakableRescue
    function setRescueVault(address vault) external onlyRole(RECOVERY_ROLE) {
        if (vault == address(0)) revert ZeroAddress();
        if (vault.code.length == 0) revert NotAContract(vault);
        _brs().rescueVault = vault;
        emit RescueVaultSet(vault);
    }

    /// @inheritdoc IBreakableRescue
    function rescueFrozen(address asset, uint256 amount) external onlyRole(RECOVERY_ROLE) {
        if (!isFrozen(asset)) revert AssetNotFrozen(asset);
        if (amount == 0) revert ZeroAmount();
        address vault = _brs().rescueVault;
        if (vault == address(0)) revert RescueVaultNotSet();
        emit FrozenAssetRescued(asset, vault, amount);
        _transferOutAsset(asset, vault, amount);
    }

    /// @inheritdoc IBreakableRescue
    function rescueVault() external view returns (address) {
        return _brs().rescueVault;
    }

    /// @dev Transfer `amount` of `asset` held by this contract to `to`.
    function _transferOutAsset(address asset, address to, uint256 amount) internal virtual;

    /// @dev Move a queued excess to the escrow and check it arrived in full.
    function _escrowQueued(address asset, uint256 amount) internal {
        address escrow = address(outflowEscrow);
        uint256 before = IERC20(asset).balanceOf(escrow);
        _transferOutAsset(asset, escrow, amount);
        uint256 received = IERC20(asset).balanceOf(escrow) - before;
        if (received != amount) revert EscrowShortfall(asset, amount, received);
    }

    function _payQueuedOutflow(QueuedOutflow memory q) internal override {
        outflowEscrow.release(q.asset, q.recipient, q.amount);
    }

    /// @dev A vetoed outflow returns to this contract, and the recipient gets back what the
    /// outflow had taken from it (the fast path may only delay, never confiscate).
    function _returnVetoedOutflow(uint256 id, QueuedOutflow memory q) internal override {
        outflowEscrow.release(q.asset, address(this), q.amount);
        if (!_restoreVetoedOutflow(id, q)) revert VetoNotSupported(id);
    }

    /// @dev Give `q.recipient` back (for queued outflow `id`) the entitlement the queued outflow `q` had consumed (the
    /// tokens, `q.amount` of `q.asset`, are back in this contract): re-mint the burned shares,
    /// cancel the booked debt, re-credit the collateral. Return true once done. The default
    /// returns false: without this hook, queued outflows cannot be vetoed by the fast path.
    function _restoreVetoedOutflow(uint256 id, QueuedOutflow memory q) internal virtual returns (bool) {
        (id, q); // unused: the default supports no veto
        return false;
    }

    function _brs() private pure returns (BreakableStorage storage $) {
        assembly {
            $.slot := BREAKABLE_STORAGE
        }
    }
}
