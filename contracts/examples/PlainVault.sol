// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ERC4626} from "@openzeppelin/contracts/token/ERC20/extensions/ERC4626.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";

/// @title PlainVault
/// @notice The unprotected baseline of the gas benchmark: the same ERC-4626 shape as
/// ProtectedVault with no breaker.
contract PlainVault is ERC4626 {
    constructor(IERC20 asset_) ERC20("Plain vault", "pVLT") ERC4626(asset_) {}
}

/// @title PausableVault
/// @notice Benchmark reference: the same vault behind OpenZeppelin's `whenNotPaused`.
contract PausableVault is ERC4626, Pausable {
    constructor(IERC20 asset_) ERC20("Pausable vault", "zVLT") ERC4626(asset_) {}

    function _deposit(address caller, address receiver, uint256 assets, uint256 shares)
        internal
        override
        whenNotPaused
    {
        super._deposit(caller, receiver, assets, shares);
    }

    function _withdraw(address caller, address receiver, address owner, uint256 assets, uint256 shares)
        internal
        override
        whenNotPaused
    {
        super._withdraw(caller, receiver, owner, assets, shares);
    }
}
