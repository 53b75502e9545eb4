// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC4626} from "@openzeppelin/contracts/interfaces/IERC4626.sol";

/// @notice Test-only: the two flash-loan round trips an attacker could use to grief the
/// outflow limiter, each in ONE transaction. Fund it with tokens (standing in for a flash
/// loan) before calling; it keeps whatever it ends with.
contract FlashRoundTrip {
    /// @notice Deposit `amount` into `vault`, then withdraw `amount` back (in then out).
    function depositThenWithdraw(IERC4626 vault, uint256 amount) external {
        IERC20(vault.asset()).approve(address(vault), amount);
        vault.deposit(amount, address(this));
        vault.withdraw(amount, address(this), address(this));
    }

    /// @notice Withdraw `amount` of this contract's position, then deposit it back (out then in).
    function withdrawThenDeposit(IERC4626 vault, uint256 amount) external {
        vault.withdraw(amount, address(this), address(this));
        IERC20(vault.asset()).approve(address(vault), amount);
        vault.deposit(amount, address(this));
    }

    /// @notice Open a position in `vault` (a separate transaction, for the out-then-in trip).
    function deposit(IERC4626 vault, uint256 amount) external {
        IERC20(vault.asset()).approve(address(vault), amount);
        vault.deposit(amount, address(this));
    }

    /// @notice Withdraw `amount` (a separate transaction: the cross-transaction round trip).
    function withdraw(IERC4626 vault, uint256 amount) external {
        vault.withdraw(amount, address(this), address(this));
    }
}
