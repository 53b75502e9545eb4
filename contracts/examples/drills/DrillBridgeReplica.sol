// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Breakable} from "../../breaker/Breakable.sol";
import {Scopes} from "../../breaker/Scopes.sol";

/// @title DrillBridgeReplica — DELIBERATELY VULNERABLE, for the `multi-tx-drain-copycats` drill only.
/// @notice The receiving side of a token bridge, modelled on the Nomad Replica (2022-08-01, ~$190M):
/// a message may be processed once its hash was proven under an acceptable root. An upgrade
/// initialised the trusted root to 0x00, and an unproven message's root reads as 0x00 — so ANY
/// message is "proven": anyone can withdraw anything, and copycats replay the first exploit
/// transaction with their own address. The contract integrates the inline breaker: deposits are
/// entries, `process` is an exit (`_guardOutflow`), so the keeper's sentinel pause stops the drain.
contract DrillBridgeReplica is Breakable {
    using SafeERC20 for IERC20;

    IERC20 public immutable token;
    /// @notice message hash => root it was proven under (0x00 = never proven).
    mapping(bytes32 => bytes32) public messageRoot;
    mapping(bytes32 => bool) public acceptableRoot;
    mapping(bytes32 => bool) public processed;

    event Deposited(address indexed from, uint256 amount, uint32 destination);
    event Proven(bytes32 indexed messageHash, bytes32 root);
    event Process(bytes32 indexed messageHash, address indexed recipient, uint256 amount, bytes32 root);

    error AlreadyProcessed(bytes32 messageHash);
    error NotAcceptable(bytes32 root);

    constructor(IERC20 token_, address admin, uint64 maxPause, uint64 grace) Breakable(admin, maxPause, grace) {
        token = token_;
        // THE BUG: the initialisation marks the zero root acceptable, and every unproven
        // message's root is the zero root.
        acceptableRoot[bytes32(0)] = true;
    }

    /// @notice The updater commits a new root (stand-in for the optimistic root updates).
    function commitRoot(bytes32 root) external onlyRole(DEFAULT_ADMIN_ROLE) {
        acceptableRoot[root] = true;
    }

    /// @notice Prove a message under a committed root (stand-in for the Merkle proof).
    function prove(bytes calldata message, bytes32 root) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (root == bytes32(0) || !acceptableRoot[root]) revert NotAcceptable(root);
        bytes32 h = keccak256(message);
        messageRoot[h] = root;
        emit Proven(h, root);
    }

    /// @notice Bridge tokens out to another chain (an entry: blocked while paused).
    function deposit(uint256 amount, uint32 destination) external {
        _guardInflow(Scopes.DEPOSIT, address(token), amount, msg.sender, msg.sender);
        token.safeTransferFrom(msg.sender, address(this), amount);
        emit Deposited(msg.sender, amount, destination);
    }

    /// @notice Deliver a message `abi.encode(uint256 nonce, address recipient, uint256 amount)`.
    function process(bytes calldata message) external returns (uint256 amount) {
        bytes32 h = keccak256(message);
        if (processed[h]) revert AlreadyProcessed(h);
        bytes32 root = messageRoot[h];
        if (!acceptableRoot[root]) revert NotAcceptable(root); // 0x00 passes: the bug
        processed[h] = true;
        address recipient;
        (, recipient, amount) = abi.decode(message, (uint256, address, uint256));
        (uint256 payNow, uint256 queueId) =
            _guardOutflow(Scopes.WITHDRAW, address(token), amount, recipient, recipient, address(this));
        if (payNow != 0) token.safeTransfer(recipient, payNow);
        if (queueId != 0) token.safeTransfer(address(outflowEscrow), amount - payNow);
        emit Process(h, recipient, amount, root);
    }

    function _transferOutAsset(address asset, address to, uint256 amount) internal override {
        IERC20(asset).safeTransfer(to, amount);
    }
}
