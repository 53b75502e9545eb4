// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

/// @title OutflowEscrow
/// @notice Holds the excess of outflows queued by a `Breakable` contract until they are
/// claimed (paid to the recipient) or vetoed (returned to the protected contract). Keeping
/// queued tokens out of the protected contract's balance means its accounting needs no
/// liability read on every call, and a second exploit transaction cannot take them.
contract OutflowEscrow {
    using SafeERC20 for IERC20;

    /// @notice The protected contract that deployed this escrow: the only one that may release.
    address public immutable owner;

    error NotOwner(address caller);

    constructor() {
        owner = msg.sender;
    }

    /// @notice Send `amount` of `token` to `to`. Only the owning protected contract may call.
    function release(address token, address to, uint256 amount) external {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        IERC20(token).safeTransfer(to, amount);
    }
}
