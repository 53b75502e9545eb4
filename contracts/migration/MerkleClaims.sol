// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Ownable, Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

/// @title MerkleClaims
/// @notice Post-incident compensation in rounds. Each round has a Merkle root
/// over leaves `(address account, address[] tokens, uint256[] amounts)` built
/// with OpenZeppelin's `StandardMerkleTree` (double-hashed leaves), a terms
/// hash, a claim deadline and a treasury that receives the unclaimed remainder.
/// @dev Roles: the owner (guardian multisig, slow path) creates rounds; anyone
/// claims for themself, relays a claim carrying the account's EIP-712
/// acceptance of the terms (EOA or EIP-1271, e.g. a Safe), or sweeps after the
/// deadline. Claimed tokens always go to the account.
///
/// Invariants:
///  I1 a leaf (by hash) is paid at most once per round;
///  I2 per round and token, claimed <= funded;
///  I3 the balance of every token >= sum over unswept rounds of (funded - claimed)
///     (funding is checked against `balance - reserved`, `reserved` = sum of
///     funded amounts of unswept rounds, which is conservative);
///  I4 no claim after the deadline, no sweep before it, at most one sweep.
/// Non-standard tokens: SafeERC20 handles missing return values; funding is
/// measured by balance delta, so fee-on-transfer shortfalls revert at creation.
contract MerkleClaims is Ownable2Step, EIP712, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @notice EIP-712 type the account signs to accept a round's terms.
    bytes32 public constant ACCEPT_TERMS_TYPEHASH =
        keccak256("AcceptTerms(uint256 roundId,address account,bytes32 termsHash)");

    /// @notice Shortest claim window a round may have, so accounts get a fair chance.
    uint64 public constant MIN_CLAIM_PERIOD = 1 days;

    struct Round {
        bytes32 root;
        bytes32 termsHash; // hash of the terms document claimants accept
        address treasury; // receives the unclaimed remainder
        uint64 deadline; // last second at which claims are accepted
        bool swept;
        address[] tokens;
    }

    /// @dev funded and claimed share one slot: a claim costs one SLOAD + SSTORE per token.
    struct TokenAccount {
        uint128 funded;
        uint128 claimed;
    }

    /// @notice Number of rounds created; round ids are 0..roundCount-1.
    uint256 public roundCount;

    /// @notice Sum of funded amounts of unswept rounds, per token.
    mapping(address token => uint256) public reserved;

    mapping(uint256 roundId => Round) private _rounds;
    mapping(uint256 roundId => mapping(address token => TokenAccount)) private _accounts;
    mapping(uint256 roundId => mapping(bytes32 leaf => bool)) private _claimed;

    /// @notice A round was created and funded.
    event RoundCreated(
        uint256 indexed roundId,
        bytes32 root,
        bytes32 termsHash,
        uint64 deadline,
        address treasury,
        address[] tokens,
        uint256[] amounts
    );
    /// @notice A round was funded with `amount` of `token` (`pulled` of it from the creator).
    event RoundFunded(uint256 indexed roundId, address indexed token, uint256 amount, uint256 pulled);
    /// @notice A leaf was paid to `account`.
    event Claimed(
        uint256 indexed roundId,
        address indexed account,
        bytes32 indexed leaf,
        address[] tokens,
        uint256[] amounts,
        address submitter
    );
    /// @notice The unclaimed `amount` of `token` went back to the treasury.
    event Swept(uint256 indexed roundId, address indexed token, address indexed treasury, uint256 amount);

    error ZeroAddress();
    error ZeroRoot();
    error ZeroAmount(address token);
    error EmptyRound();
    error LengthMismatch(uint256 tokens, uint256 amounts);
    error DuplicateToken(address token);
    error AmountTooLarge(address token, uint256 amount);
    error DeadlineTooSoon(uint64 deadline, uint256 earliest);
    error InsufficientFunding(address token, uint256 required, uint256 available);
    error RoundNotFound(uint256 roundId);
    error ClaimWindowClosed(uint256 roundId, uint64 deadline, uint256 nowTs);
    error ClaimWindowOpen(uint256 roundId, uint64 deadline, uint256 nowTs);
    error AlreadySwept(uint256 roundId);
    error AlreadyClaimed(uint256 roundId, bytes32 leaf);
    error InvalidProof(uint256 roundId, bytes32 leaf);
    error InvalidSignature(uint256 roundId, address account);
    error ClaimExceedsFunding(uint256 roundId, address token, uint256 amount, uint256 remaining);

    /// @param initialOwner The guardian multisig.
    constructor(address initialOwner) Ownable(initialOwner) EIP712("Breakwater MerkleClaims", "1") {}

    // ---------------------------------------------------------------- owner

    /// @notice Create and fund a round. For each token, the part of `amounts[i]`
    /// not covered by this contract's unreserved balance (e.g. sent by the
    /// RescueVault) is pulled from the caller, who must have approved it.
    /// @param root Merkle root of `StandardMerkleTree.of(leaves, ["address","address[]","uint256[]"])`.
    /// @param termsHash Hash of the terms claimants accept (signed in `claimWithSig`).
    /// @param deadline Last timestamp at which claims succeed (>= now + MIN_CLAIM_PERIOD).
    /// @param treasury Receives the unclaimed remainder after the deadline.
    /// @param tokens Distinct tokens paid by this round.
    /// @param amounts Total per token over all leaves (the amount funded).
    /// @return roundId Id of the new round.
    function createRound(
        bytes32 root,
        bytes32 termsHash,
        uint64 deadline,
        address treasury,
        address[] calldata tokens,
        uint256[] calldata amounts
    ) external onlyOwner nonReentrant returns (uint256 roundId) {
        if (root == bytes32(0)) revert ZeroRoot();
        if (treasury == address(0)) revert ZeroAddress();
        if (tokens.length == 0) revert EmptyRound();
        if (tokens.length != amounts.length) revert LengthMismatch(tokens.length, amounts.length);
        uint256 earliest = block.timestamp + MIN_CLAIM_PERIOD;
        if (deadline < earliest) revert DeadlineTooSoon(deadline, earliest);

        roundId = roundCount++;
        Round storage r = _rounds[roundId];
        r.root = root;
        r.termsHash = termsHash;
        r.treasury = treasury;
        r.deadline = deadline;
        r.tokens = tokens;

        for (uint256 i; i < tokens.length; ++i) {
            address token = tokens[i];
            uint256 amount = amounts[i];
            if (token == address(0)) revert ZeroAddress();
            if (amount == 0) revert ZeroAmount(token);
            if (amount > type(uint128).max) revert AmountTooLarge(token, amount);
            // Quadratic, but rounds hold a handful of tokens.
            for (uint256 j; j < i; ++j) {
                if (tokens[j] == token) revert DuplicateToken(token);
            }
            uint256 pulled = _fund(token, amount);
            reserved[token] += amount;
            _accounts[roundId][token].funded = uint128(amount);
            emit RoundFunded(roundId, token, amount, pulled);
        }
        emit RoundCreated(roundId, root, termsHash, deadline, treasury, tokens, amounts);
    }

    // ---------------------------------------------------------------- claims

    /// @notice Claim the caller's leaf in round `roundId`. Calling it accepts the round's terms.
    /// @param tokens Tokens of the leaf, in leaf order.
    /// @param amounts Amounts of the leaf, in leaf order.
    /// @param proof Merkle proof of the leaf.
    function claim(uint256 roundId, address[] calldata tokens, uint256[] calldata amounts, bytes32[] calldata proof)
        external
        nonReentrant
    {
        _claim(roundId, msg.sender, tokens, amounts, proof);
    }

    /// @notice Submit `account`'s claim with its EIP-712 `AcceptTerms` signature
    /// (ECDSA for an EOA, EIP-1271 for a contract wallet such as a Safe).
    /// The tokens go to `account`, never to the submitter.
    /// @dev No nonce is needed: a leaf is payable once, and the signature is bound
    /// to the round, the terms, this contract and this chain.
    function claimWithSig(
        uint256 roundId,
        address account,
        address[] calldata tokens,
        uint256[] calldata amounts,
        bytes32[] calldata proof,
        bytes calldata signature
    ) external nonReentrant {
        bytes32 digest = acceptanceDigest(roundId, account);
        if (!SignatureChecker.isValidSignatureNowCalldata(account, digest, signature)) {
            revert InvalidSignature(roundId, account);
        }
        _claim(roundId, account, tokens, amounts, proof);
    }

    /// @notice After the deadline, send every token's unclaimed remainder to the treasury. Anyone may call.
    function sweep(uint256 roundId) external nonReentrant {
        Round storage r = _rounds[roundId];
        if (r.root == bytes32(0)) revert RoundNotFound(roundId);
        if (block.timestamp <= r.deadline) revert ClaimWindowOpen(roundId, r.deadline, block.timestamp);
        if (r.swept) revert AlreadySwept(roundId);
        r.swept = true;

        address treasury = r.treasury;
        uint256 n = r.tokens.length;
        for (uint256 i; i < n; ++i) {
            address token = r.tokens[i];
            TokenAccount memory a = _accounts[roundId][token];
            uint256 remainder = a.funded - a.claimed;
            reserved[token] -= a.funded;
            emit Swept(roundId, token, treasury, remainder);
            if (remainder != 0) IERC20(token).safeTransfer(treasury, remainder);
        }
    }

    // ---------------------------------------------------------------- views

    /// @notice The round's parameters.
    function roundInfo(uint256 roundId) external view returns (Round memory) {
        return _rounds[roundId];
    }

    /// @notice Funded and claimed amounts of `token` in round `roundId`.
    function tokenAccount(uint256 roundId, address token) external view returns (uint256 funded, uint256 claimed) {
        TokenAccount memory a = _accounts[roundId][token];
        return (a.funded, a.claimed);
    }

    /// @notice True if the leaf `(account, tokens, amounts)` was paid in round `roundId`.
    function isClaimed(uint256 roundId, address account, address[] calldata tokens, uint256[] calldata amounts)
        external
        view
        returns (bool)
    {
        return _claimed[roundId][leafHash(account, tokens, amounts)];
    }

    /// @notice True if the leaf with hash `leaf` was paid in round `roundId`.
    function isLeafClaimed(uint256 roundId, bytes32 leaf) external view returns (bool) {
        return _claimed[roundId][leaf];
    }

    /// @notice The StandardMerkleTree leaf hash of `(account, tokens, amounts)`.
    function leafHash(address account, address[] calldata tokens, uint256[] calldata amounts)
        public
        pure
        returns (bytes32)
    {
        return keccak256(bytes.concat(keccak256(abi.encode(account, tokens, amounts))));
    }

    /// @notice The EIP-712 digest `account` signs to accept round `roundId`'s terms.
    /// @dev Reverts for an unknown round so nobody signs terms that do not exist yet.
    function acceptanceDigest(uint256 roundId, address account) public view returns (bytes32) {
        Round storage r = _rounds[roundId];
        if (r.root == bytes32(0)) revert RoundNotFound(roundId);
        return _hashTypedDataV4(keccak256(abi.encode(ACCEPT_TERMS_TYPEHASH, roundId, account, r.termsHash)));
    }

    /// @notice The EIP-712 domain separator.
    function DOMAIN_SEPARATOR() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    // ---------------------------------------------------------------- internal

    function _claim(
        uint256 roundId,
        address account,
        address[] calldata tokens,
        uint256[] calldata amounts,
        bytes32[] calldata proof
    ) private {
        Round storage r = _rounds[roundId];
        bytes32 root = r.root;
        if (root == bytes32(0)) revert RoundNotFound(roundId);
        if (block.timestamp > r.deadline) revert ClaimWindowClosed(roundId, r.deadline, block.timestamp);
        if (tokens.length != amounts.length) revert LengthMismatch(tokens.length, amounts.length);

        bytes32 leaf = leafHash(account, tokens, amounts);
        if (_claimed[roundId][leaf]) revert AlreadyClaimed(roundId, leaf);
        if (!MerkleProof.verifyCalldata(proof, root, leaf)) revert InvalidProof(roundId, leaf);
        _claimed[roundId][leaf] = true;

        // All accounting before any transfer: a reentrant token sees a spent leaf.
        _book(roundId, tokens, amounts);
        emit Claimed(roundId, account, leaf, tokens, amounts, msg.sender);
        for (uint256 i; i < tokens.length; ++i) {
            if (amounts[i] != 0) IERC20(tokens[i]).safeTransfer(account, amounts[i]);
        }
    }

    /// @dev Add a leaf's amounts to the round's claimed totals, never past the funded ones.
    function _book(uint256 roundId, address[] calldata tokens, uint256[] calldata amounts) private {
        for (uint256 i; i < tokens.length; ++i) {
            TokenAccount storage a = _accounts[roundId][tokens[i]];
            uint256 amount = amounts[i];
            uint256 claimed = a.claimed;
            uint256 remaining = uint256(a.funded) - claimed;
            // Guards against a root whose leaves add up to more than was funded.
            if (amount > remaining) revert ClaimExceedsFunding(roundId, tokens[i], amount, remaining);
            a.claimed = uint128(claimed + amount);
        }
    }

    /// @dev Make sure `amount` of `token` is held beyond what other rounds reserve;
    /// pull the shortfall from the caller. Returns the amount pulled.
    function _fund(address token, uint256 amount) private returns (uint256 pulled) {
        uint256 available = _unreserved(token);
        if (available < amount) {
            uint256 shortfall = amount - available;
            // Clear error instead of the token's own revert when nothing was approved.
            uint256 allowed = IERC20(token).allowance(msg.sender, address(this));
            if (allowed < shortfall) revert InsufficientFunding(token, amount, available + allowed);
            uint256 before = IERC20(token).balanceOf(address(this));
            IERC20(token).safeTransferFrom(msg.sender, address(this), shortfall);
            pulled = IERC20(token).balanceOf(address(this)) - before;
            available = _unreserved(token);
            // Fee-on-transfer tokens deliver less than pulled: the round would be underfunded.
            if (available < amount) revert InsufficientFunding(token, amount, available);
        }
    }

    function _unreserved(address token) private view returns (uint256) {
        uint256 balance = IERC20(token).balanceOf(address(this));
        uint256 res = reserved[token];
        return balance > res ? balance - res : 0;
    }
}
