// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Breakable} from "../../breaker/Breakable.sol";
import {Scopes} from "../../breaker/Scopes.sol";

/// @title RoundingVault
/// @notice DRILL ONLY — deliberately vulnerable. Do not deploy with real funds.
///
/// A vault whose shares are large units (no decimals; one share was `unitSize` tokens at
/// launch), modelled on the rounding class of the Radiant Capital exploit (2024-01-02, ~$4.5M):
/// there the attacker inflated the new USDC market's liquidity index so that ONE scaled unit
/// was worth a fortune, and a rounding step in the burn on withdrawal let each withdrawal take
/// almost a whole extra unit — in three transactions within seconds.
///
/// THE BUG: `withdraw(assets)` burns `assets * supply / totalAssets` shares ROUNDED DOWN (it
/// must round up, as ERC-4626's previewWithdraw does). Withdrawing just under two shares' worth
/// burns one share, so every call takes almost a share of the other holders' money; an attacker
/// contract loops it.
///
/// Breaker integration (README): deposit is an ENTRY (`_guardInflow(DEPOSIT)`), withdraw and
/// redeem are EXITS (`_guardOutflow(WITHDRAW)`), which is where the outflow limit caps what a
/// burst of transactions faster than any detection can take.
contract RoundingVault is ERC20, Breakable {
    using SafeERC20 for IERC20;

    IERC20 public immutable asset;
    /// @notice Tokens per share while the vault is empty.
    uint256 public immutable unitSize;

    event Deposit(address indexed owner, uint256 assets, uint256 shares);
    event Withdraw(address indexed owner, uint256 assets, uint256 shares, uint256 queueId);

    error ZeroShares();
    error InsufficientShares(address owner, uint256 requested, uint256 balance);

    constructor(IERC20 asset_, uint256 unitSize_, address admin, uint64 maxPause, uint64 grace)
        ERC20("Drill Units", "dUNIT")
        Breakable(admin, maxPause, grace)
    {
        if (address(asset_) == address(0)) revert ZeroAddress();
        if (unitSize_ == 0) revert ZeroAmount();
        asset = asset_;
        unitSize = unitSize_;
    }

    /// @notice Shares are whole units.
    function decimals() public pure override returns (uint8) {
        return 0;
    }

    /// @notice Deposit `assets` for whole shares, rounded down (entry: blocked while DEPOSIT or
    /// GLOBAL is paused). The remainder stays in the vault.
    function deposit(uint256 assets) external returns (uint256 shares) {
        shares = convertToShares(assets);
        if (shares == 0) revert ZeroShares();
        _guardInflow(Scopes.DEPOSIT, address(asset), assets, msg.sender, msg.sender);
        asset.safeTransferFrom(msg.sender, address(this), assets);
        _mint(msg.sender, shares);
        emit Deposit(msg.sender, assets, shares);
    }

    /// @notice Withdraw exactly `assets` tokens, burning the shares they are worth.
    /// @dev THE BUG: shares to burn are rounded DOWN (must be up).
    function withdraw(uint256 assets) external returns (uint256 shares) {
        shares = convertToShares(assets); // should be: ceil(assets * supply / totalAssets)
        if (shares == 0) revert ZeroShares();
        _exit(assets, shares);
    }

    /// @notice Burn `shares` and withdraw what they are worth (rounded down: correct).
    function redeem(uint256 shares) external returns (uint256 assets) {
        if (shares == 0) revert ZeroShares();
        assets = convertToAssets(shares);
        _exit(assets, shares);
    }

    /// @notice Tokens held by the vault.
    function totalAssets() public view returns (uint256) {
        return asset.balanceOf(address(this));
    }

    /// @notice Whole shares `assets` tokens buy (rounded down).
    function convertToShares(uint256 assets) public view returns (uint256) {
        uint256 supply = totalSupply();
        return supply == 0 ? assets / unitSize : assets * supply / totalAssets();
    }

    /// @notice Tokens `shares` are worth (rounded down).
    function convertToAssets(uint256 shares) public view returns (uint256) {
        uint256 supply = totalSupply();
        return supply == 0 ? shares * unitSize : shares * totalAssets() / supply;
    }

    function _exit(uint256 assets, uint256 shares) private {
        uint256 held = balanceOf(msg.sender);
        if (shares > held) revert InsufficientShares(msg.sender, shares, held);
        (uint256 payNow, uint256 queueId) =
            _guardOutflow(Scopes.WITHDRAW, address(asset), assets, msg.sender, msg.sender, address(this));
        _burn(msg.sender, shares);
        if (payNow != 0) asset.safeTransfer(msg.sender, payNow);
        if (queueId != 0) asset.safeTransfer(address(outflowEscrow), assets - payNow);
        emit Withdraw(msg.sender, assets, shares, queueId);
    }

    function _transferOutAsset(address token, address to, uint256 amount) internal override {
        IERC20(token).safeTransfer(to, amount);
    }
}
