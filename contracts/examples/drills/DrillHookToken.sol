// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice Receiver hook of DrillHookToken (ERC-777 `tokensReceived` in miniature).
interface IDrillTokenRecipient {
    /// @notice Called on the recipient after its balance was credited.
    function tokensReceived(address from, uint256 amount) external;
}

/// @title DrillHookToken
/// @notice DRILL ONLY. An ERC-20 with ERC-777-style receiver hooks: a contract that registered
/// a hook is called back after every transfer TO it (after the balances were updated). The hook
/// plays the role of the native-ETH `raw_call` in the Curve/Vyper pools of 2023-07-30: it hands
/// control to the recipient in the middle of the sender's function. Open mint (test token).
contract DrillHookToken is ERC20 {
    /// @notice Contracts that asked to be called back on receipt.
    mapping(address => bool) public hasHook;

    event HookRegistered(address indexed account, bool enabled);

    constructor(string memory name_, string memory symbol_) ERC20(name_, symbol_) {}

    /// @notice Register (or remove) the caller's receive hook.
    function registerHook(bool enabled) external {
        hasHook[msg.sender] = enabled;
        emit HookRegistered(msg.sender, enabled);
    }

    /// @notice Mint `amount` to `to`. Test token: no access control.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function _update(address from, address to, uint256 value) internal override {
        super._update(from, to, value);
        if (to != address(0) && hasHook[to]) IDrillTokenRecipient(to).tokensReceived(from, value);
    }
}
