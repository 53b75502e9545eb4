// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Breakable} from "../../breaker/Breakable.sol";

/// @notice Test-only token for the guardian tests (limits and rescues need a real contract asset).
contract GuardianTestToken is ERC20 {
    constructor(address holder, uint256 supply) ERC20("Guardian Test Token", "GTT") {
        _mint(holder, supply);
    }
}

/// @notice Test-only protected contract with the Breakable mixin inline, so the guardian
/// tests can drive `rescueFrozen` through a Rescue action.
contract GuardianTestVault is Breakable {
    using SafeERC20 for IERC20;

    constructor(address admin) Breakable(admin, 7 days, 1 days) {}

    function _transferOutAsset(address asset, address to, uint256 amount) internal override {
        IERC20(asset).safeTransfer(to, amount);
    }
}

/// @notice Test-only malicious EIP-1271 signer: says "valid" to any hash and any signature.
/// The multisig must count it only if it is a guardian, and then only once.
contract AlwaysValid1271 {
    /// @notice EIP-1271: always the magic value.
    function isValidSignature(bytes32, bytes calldata) external pure returns (bytes4) {
        return 0x1626ba7e;
    }
}
