// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice TEST ONLY. On every transfer out of `victim`, calls `victim` with
/// `payload` (e.g. a second claim or release) and records whether it succeeded.
contract ReentrantTestToken is ERC20 {
    address public victim;
    bytes public payload;
    bool public reentered;
    bool public reentrySucceeded;
    bytes public reentryError;
    bool private _inside;

    constructor() ERC20("Reentrant", "REE") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Arm the attack: re-enter `victim_` with `payload_` on its next outgoing transfer.
    function arm(address victim_, bytes calldata payload_) external {
        victim = victim_;
        payload = payload_;
    }

    function _update(address from, address to, uint256 value) internal override {
        super._update(from, to, value);
        if (from == victim && victim != address(0) && !_inside) {
            _inside = true;
            reentered = true;
            // solhint-disable-next-line avoid-low-level-calls
            (bool ok, bytes memory err) = victim.call(payload);
            reentrySucceeded = ok;
            reentryError = err;
            _inside = false;
        }
    }
}
