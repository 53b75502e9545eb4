// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";

/// @title LegacyVault
/// @notice The example protocol's older savings vault, deployed before it adopted Breakwater: a plain
/// OpenZeppelin contract (Pausable behind PAUSER_ROLE, AccessControl) that cannot inherit Breakable.
/// Breakwater protects it from the outside, through a PauseGate holding PAUSER_ROLE.
///
/// It carries a deliberate bug for the drills and tests: `withdrawFor` (meant for a holder's approved
/// delegate) never checks the delegation, so anyone can withdraw anyone's deposit to themselves.
contract LegacyVault is AccessControl, Pausable, ReentrancyGuard {
    using SafeERC20 for IERC20;

    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");

    IERC20 public immutable asset;
    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => bool)) public isDelegate;
    uint256 public totalDeposits;

    event Deposited(address indexed account, uint256 amount);
    event Withdrawn(address indexed account, address indexed to, uint256 amount);
    event DelegateSet(address indexed account, address indexed delegate, bool allowed);

    error NoAmount();
    error InsufficientBalance(address account, uint256 requested, uint256 available);

    constructor(IERC20 asset_, address admin) {
        asset = asset_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(PAUSER_ROLE, admin);
    }

    function deposit(uint256 amount) external nonReentrant whenNotPaused {
        if (amount == 0) revert NoAmount();
        balanceOf[msg.sender] += amount;
        totalDeposits += amount;
        asset.safeTransferFrom(msg.sender, address(this), amount);
        emit Deposited(msg.sender, amount);
    }

    function withdraw(uint256 amount) external nonReentrant whenNotPaused {
        _withdraw(msg.sender, msg.sender, amount);
    }

    /// @notice Let `delegate` withdraw your deposit to itself (a custodian, a migration contract).
    function setDelegate(address delegate, bool allowed) external {
        isDelegate[msg.sender][delegate] = allowed;
        emit DelegateSet(msg.sender, delegate, allowed);
    }

    /// @notice A delegate withdraws `account`'s deposit to itself.
    /// @dev BUG (deliberate): the `isDelegate[account][msg.sender]` check is missing.
    function withdrawFor(address account, uint256 amount) external nonReentrant whenNotPaused {
        _withdraw(account, msg.sender, amount);
    }

    function pause() external onlyRole(PAUSER_ROLE) {
        _pause();
    }

    function unpause() external onlyRole(PAUSER_ROLE) {
        _unpause();
    }

    function _withdraw(address account, address to, uint256 amount) private {
        if (amount == 0) revert NoAmount();
        uint256 available = balanceOf[account];
        if (amount > available) revert InsufficientBalance(account, amount, available);
        balanceOf[account] = available - amount;
        totalDeposits -= amount;
        asset.safeTransfer(to, amount);
        emit Withdrawn(account, to, amount);
    }
}
