// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Breakable} from "../../../contracts/breaker/Breakable.sol";
import {ProtectedVault} from "../../../contracts/examples/ProtectedVault.sol";
import {CircuitBreaker, IBreakerProtected} from "../../../contracts/breaker/CircuitBreaker.sol";

/// @dev The breaker's per-transaction ledger lives in transient storage at
/// LEDGER_TSLOT + uint160(asset). A Solidity test function is ONE transaction for the EVM
/// (Hardhat's `isolate` mode is off), so tests that model several transactions call
/// `endTx(asset)` to clear the entry, which is exactly what a transaction boundary does.
library LedgerSlot {
    /// keccak256(abi.encode(uint256(keccak256("breakwater.transient.ledger")) - 1)), as in BreakerCore.
    uint256 internal constant BASE = 0x8d3dbc3b2b3e23e36e1cb51eda40a3c31260b6ed75adf9470035dbba2df7f74f;

    function clear(address asset) internal {
        uint256 slot;
        unchecked {
            slot = BASE + uint160(asset);
        }
        assembly ("memory-safe") {
            tstore(slot, 0)
        }
    }

    function read(address asset) internal view returns (uint256 entry) {
        uint256 slot;
        unchecked {
            slot = BASE + uint160(asset);
        }
        assembly ("memory-safe") {
            entry := tload(slot)
        }
    }
}

/// @notice A multi-asset Breakable that exposes the integration hooks directly. It holds
/// the tokens it pays out (tests mint to it); inflows are accounted without moving tokens.
contract BreakableHarness is Breakable {
    using SafeERC20 for IERC20;

    constructor(address admin, uint64 maxPause, uint64 grace) Breakable(admin, maxPause, grace) {}

    function endTx(address asset) external {
        LedgerSlot.clear(asset);
    }

    function ledgerEntry(address asset) external view returns (uint256) {
        return LedgerSlot.read(asset);
    }

    /// @dev A guarded exit paying `to` like ProtectedVault does (excess to the escrow).
    function outflow(bytes32 scope, address asset, uint256 amount, address from, address to)
        public
        returns (uint256 payNow, uint256 queueId)
    {
        (payNow, queueId) = _guardOutflow(scope, asset, amount, from, to, address(this));
        if (payNow != 0) IERC20(asset).safeTransfer(to, payNow);
        if (queueId != 0) IERC20(asset).safeTransfer(address(outflowEscrow), amount - payNow);
    }

    function inflow(bytes32 scope, address asset, uint256 amount, address account) public {
        _guardInflow(scope, asset, amount, account, account);
    }

    function repayment(address asset, uint256 amount) external {
        _recordRepayment(asset, amount);
    }

    /// @dev One transaction (one call) that deposits `x` then withdraws `y`, or the reverse.
    function roundTrip(address asset, uint256 x, uint256 y, bool outFirst, address account)
        external
        returns (uint256 payNow, uint256 queueId)
    {
        if (outFirst) {
            (payNow, queueId) = outflow(bytes32(0), asset, y, account, account);
            inflow(bytes32(0), asset, x, account);
        } else {
            inflow(bytes32(0), asset, x, account);
            (payNow, queueId) = outflow(bytes32(0), asset, y, account, account);
        }
    }

    function guarded(bytes32 scope) external view whenScopeActive(scope) returns (bool) {
        return true;
    }

    function _transferOutAsset(address asset, address to, uint256 amount) internal override {
        IERC20(asset).safeTransfer(to, amount);
    }

    /// @notice What vetoes restored to each recipient, per asset (the harness books no positions).
    mapping(address => mapping(address => uint256)) public restored;

    function _restoreVetoedOutflow(uint256, QueuedOutflow memory q) internal override returns (bool) {
        restored[q.recipient][q.asset] += q.amount;
        return true;
    }
}

/// @notice ProtectedVault plus a transaction-boundary helper for the ledger of its asset.
contract VaultHarness is ProtectedVault {
    constructor(IERC20 asset_, address admin, uint64 maxPause, uint64 grace)
        ProtectedVault(asset_, "Vault", "vT", admin, maxPause, grace)
    {}

    function endTx() external {
        LedgerSlot.clear(asset());
    }

    function ledgerEntry() external view returns (uint256) {
        return LedgerSlot.read(asset());
    }
}

/// @notice A contract protected by a standalone CircuitBreaker.
contract ProtectedPool is IBreakerProtected {
    using SafeERC20 for IERC20;

    CircuitBreaker public immutable breaker;

    error OnlyBreaker();

    constructor(CircuitBreaker breaker_) {
        breaker = breaker_;
    }

    function withdraw(bytes32 scope, address asset, uint256 amount, address to)
        external
        returns (uint256 payNow, uint256 queueId)
    {
        (payNow, queueId) = breaker.onOutflow(scope, asset, amount, msg.sender, to);
        if (payNow != 0) IERC20(asset).safeTransfer(to, payNow);
    }

    function deposit(bytes32 scope, address asset, uint256 amount) external {
        breaker.onInflow(scope, asset, amount, msg.sender, msg.sender);
    }

    function repay(address asset, uint256 amount) external {
        breaker.onRepayment(asset, amount);
    }

    function settleQueuedOutflow(address asset, address recipient, uint256 amount) external {
        if (msg.sender != address(breaker)) revert OnlyBreaker();
        IERC20(asset).safeTransfer(recipient, amount);
    }

    /// @notice What vetoes restored to each recipient, per asset.
    mapping(address => mapping(address => uint256)) public restored;

    function restoreVetoedOutflow(bytes32, address asset, address recipient, uint256 amount) external {
        if (msg.sender != address(breaker)) revert OnlyBreaker();
        restored[recipient][asset] += amount;
    }
}
