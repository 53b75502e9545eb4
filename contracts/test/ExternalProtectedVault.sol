// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ERC4626} from "@openzeppelin/contracts/token/ERC20/extensions/ERC4626.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {CircuitBreaker, IBreakerProtected} from "../breaker/CircuitBreaker.sol";
import {Scopes} from "../breaker/Scopes.sol";

/// @notice Test-only: an ERC-4626 vault protected by a standalone CircuitBreaker through its
/// hooks. Queued outflows stay in the vault until the breaker settles them; `totalAssets`
/// excludes what this vault owes (`queuedLiability(this, asset)`: per source, so several
/// vaults of one asset on one breaker do not see each other's queues).
contract ExternalProtectedVault is ERC4626, IBreakerProtected {
    using SafeERC20 for IERC20;

    CircuitBreaker public immutable breaker;

    event Donated(address indexed from, uint256 amount);

    error NotBreaker(address caller);

    constructor(IERC20 asset_, CircuitBreaker breaker_) ERC20("External vault", "xVLT") ERC4626(asset_) {
        breaker = breaker_;
    }

    /// @notice Assets backing shares: the balance minus outflows queued but not yet settled.
    function totalAssets() public view override returns (uint256) {
        return IERC20(asset()).balanceOf(address(this)) - breaker.queuedLiability(address(this), asset());
    }

    /// @notice Give `amount` to the vault (a repayment-like inflow: never blocked).
    function donate(uint256 amount) external {
        breaker.onRepayment(asset(), amount);
        IERC20(asset()).safeTransferFrom(msg.sender, address(this), amount);
        emit Donated(msg.sender, amount);
    }

    /// @inheritdoc IBreakerProtected
    function settleQueuedOutflow(address asset_, address recipient, uint256 amount) external {
        if (msg.sender != address(breaker)) revert NotBreaker(msg.sender);
        IERC20(asset_).safeTransfer(recipient, amount);
    }

    /// @inheritdoc IBreakerProtected
    /// @dev The queued assets never left; re-mint the receiver the shares they buy.
    function restoreVetoedOutflow(bytes32, address, address recipient, uint256 amount) external {
        if (msg.sender != address(breaker)) revert NotBreaker(msg.sender);
        // The liability is already released, so totalAssets() includes `amount` again.
        uint256 shares = amount * (totalSupply() + 1) / (totalAssets() - amount + 1);
        _mint(recipient, shares);
    }

    function _update(address from, address to, uint256 value) internal override {
        if (from != address(0) && to != address(0)) breaker.checkClaimTransfer(_msgSender(), from, to);
        super._update(from, to, value);
    }

    function _deposit(address caller, address receiver, uint256 assets, uint256 shares) internal override {
        breaker.onInflow(Scopes.DEPOSIT, asset(), assets, caller, receiver);
        super._deposit(caller, receiver, assets, shares);
    }

    function _withdraw(address caller, address receiver, address owner, uint256 assets, uint256 shares)
        internal
        override
    {
        if (caller != owner) _spendAllowance(owner, caller, shares);
        (uint256 payNow,) = breaker.onOutflow(Scopes.WITHDRAW, asset(), assets, owner, receiver);
        _burn(owner, shares);
        if (payNow != 0) IERC20(asset()).safeTransfer(receiver, payNow);
        emit Withdraw(caller, receiver, owner, assets, shares);
    }
}
