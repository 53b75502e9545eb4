// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

/// @title RescueVault
/// @notice Holding pen for assets rescued out of a protected contract during an
/// incident (`IBreakableRescue.rescueFrozen` sends them here). Funds leave only
/// towards destinations registered beforehand under a timelock, so a single
/// compromised approval can never drain the vault to an arbitrary address.
/// @dev Roles:
///  - RECOVERY_ROLE (slow path of the guardian multisig): propose destinations,
///    release funds to active destinations, change the delay within bounds.
///  - EMERGENCY_ROLE (fast path): cancel a pending or revoke an active
///    destination. That is the safe direction, so it needs no delay.
///  - DEFAULT_ADMIN_ROLE: grants and revokes the roles (the multisig itself).
/// Invariant: the balance of any asset only decreases through `release`, and
/// `release` only pays a destination whose `activeAt` is non-zero and in the past.
contract RescueVault is AccessControl, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    bytes32 public constant RECOVERY_ROLE = keccak256("RECOVERY_ROLE");
    bytes32 public constant EMERGENCY_ROLE = keccak256("EMERGENCY_ROLE");

    /// @notice Pseudo-address that stands for native ETH in `release` and `balanceOf`.
    address public constant NATIVE = address(0);

    /// @notice Lower bound of `delay`: even the slow path cannot make a fresh
    /// destination usable in the same block it is proposed.
    uint64 public constant MIN_DELAY = 1 hours;
    /// @notice Upper bound of `delay`, so a typo cannot lock the funds for years.
    uint64 public constant MAX_DELAY = 30 days;

    /// @notice Registration of one destination. `activeAt == 0` means unregistered.
    struct Destination {
        uint64 activeAt; // timestamp from which funds may be released to it
        bytes32 label; // free-form tag for operators (e.g. "new-vault-v2")
    }

    /// @notice Seconds between proposing a destination and it becoming active.
    uint64 public delay;

    mapping(address destination => Destination) private _destinations;

    /// @notice A destination was proposed; usable from `activeAt`.
    event DestinationProposed(address indexed destination, bytes32 label, uint64 activeAt);
    /// @notice A pending destination was cancelled or an active one revoked.
    event DestinationRemoved(address indexed destination, address indexed by, bool wasActive);
    /// @notice Funds left the vault.
    event Released(address indexed asset, address indexed destination, uint256 amount, address indexed by);
    /// @notice Native ETH arrived.
    event NativeReceived(address indexed from, uint256 amount);
    /// @notice The proposal delay changed. Applies to proposals made afterwards.
    event DelayChanged(uint64 oldDelay, uint64 newDelay);

    error ZeroAddress();
    error ZeroAmount();
    error InvalidDestination(address destination);
    error DelayOutOfBounds(uint64 delay, uint64 min, uint64 max);
    error DestinationAlreadyRegistered(address destination, uint64 activeAt);
    error DestinationNotRegistered(address destination);
    error DestinationNotActive(address destination, uint64 activeAt, uint256 nowTs);
    error InsufficientVaultBalance(address asset, uint256 balance, uint256 amount);

    /// @param admin Holder of all three roles (the guardian multisig).
    /// @param initialDelay Timelock for destinations, MIN_DELAY..MAX_DELAY.
    constructor(address admin, uint64 initialDelay) {
        if (admin == address(0)) revert ZeroAddress();
        _checkDelay(initialDelay);
        delay = initialDelay;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(RECOVERY_ROLE, admin);
        _grantRole(EMERGENCY_ROLE, admin);
        emit DelayChanged(0, initialDelay);
    }

    /// @notice Accept native ETH (e.g. rescued from a protected contract).
    receive() external payable {
        emit NativeReceived(msg.sender, msg.value);
    }

    // ------------------------------------------------------------------ slow path

    /// @notice Register `destination`; it becomes usable after `delay` seconds.
    /// @param destination Recipient to allow (new vault, MerkleClaims, treasury...).
    /// @param label Operator tag, emitted for indexers.
    /// @return activeAt Timestamp from which `release` may pay `destination`.
    function proposeDestination(address destination, bytes32 label)
        external
        onlyRole(RECOVERY_ROLE)
        returns (uint64 activeAt)
    {
        if (destination == address(0)) revert ZeroAddress();
        // Sending to itself would be a no-op that still looks like an outflow in logs.
        if (destination == address(this)) revert InvalidDestination(destination);
        uint64 existing = _destinations[destination].activeAt;
        if (existing != 0) revert DestinationAlreadyRegistered(destination, existing);
        activeAt = uint64(block.timestamp) + delay;
        _destinations[destination] = Destination(activeAt, label);
        emit DestinationProposed(destination, label, activeAt);
    }

    /// @notice Send `amount` of `asset` (NATIVE = ETH) to an active destination.
    /// @dev For fee-on-transfer tokens the vault's balance drops by `amount`
    /// and the destination receives whatever the token delivers.
    function release(address asset, address destination, uint256 amount)
        external
        onlyRole(RECOVERY_ROLE)
        nonReentrant
    {
        if (amount == 0) revert ZeroAmount();
        if (destination == address(0)) revert ZeroAddress();
        uint64 activeAt = _destinations[destination].activeAt;
        if (activeAt == 0) revert DestinationNotRegistered(destination);
        if (block.timestamp < activeAt) revert DestinationNotActive(destination, activeAt, block.timestamp);
        uint256 balance = balanceOf(asset);
        if (balance < amount) revert InsufficientVaultBalance(asset, balance, amount);

        emit Released(asset, destination, amount, msg.sender);
        if (asset == NATIVE) {
            Address.sendValue(payable(destination), amount);
        } else {
            IERC20(asset).safeTransfer(destination, amount);
        }
    }

    /// @notice Change the delay applied to future proposals (already pending
    /// destinations keep their `activeAt`).
    function setDelay(uint64 newDelay) external onlyRole(RECOVERY_ROLE) {
        _checkDelay(newDelay);
        emit DelayChanged(delay, newDelay);
        delay = newDelay;
    }

    // ------------------------------------------------------------------ fast path

    /// @notice Cancel a pending destination or revoke an active one.
    /// @dev Either role may do it: removing a destination only restricts outflows.
    function removeDestination(address destination) external {
        if (!hasRole(EMERGENCY_ROLE, msg.sender)) _checkRole(RECOVERY_ROLE);
        uint64 activeAt = _destinations[destination].activeAt;
        if (activeAt == 0) revert DestinationNotRegistered(destination);
        delete _destinations[destination];
        emit DestinationRemoved(destination, msg.sender, block.timestamp >= activeAt);
    }

    // ---------------------------------------------------------------------- views

    /// @notice Registration of `account` (activeAt 0 = unregistered).
    function destinationOf(address account) external view returns (Destination memory) {
        return _destinations[account];
    }

    /// @notice True if `release` may pay `account` now.
    function isActiveDestination(address account) external view returns (bool) {
        uint64 activeAt = _destinations[account].activeAt;
        return activeAt != 0 && block.timestamp >= activeAt;
    }

    /// @notice The vault's balance of `asset` (NATIVE = ETH).
    function balanceOf(address asset) public view returns (uint256) {
        return asset == NATIVE ? address(this).balance : IERC20(asset).balanceOf(address(this));
    }

    function _checkDelay(uint64 d) private pure {
        if (d < MIN_DELAY || d > MAX_DELAY) revert DelayOutOfBounds(d, MIN_DELAY, MAX_DELAY);
    }
}
