// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// MerkleClaims: invariant and fuzz tests.
///
/// Setup: two rounds over the same 8-leaf tree (so cross-round replay is
/// exercised), two tokens, token B of round 0 deliberately underfunded.
/// The handler claims (self and relayed with signatures, valid and forged),
/// warps time and sweeps, in random order.
///
/// Invariants:
///  M1 a leaf is paid at most once per round (`paidCount <= 1`);
///  M2 per round and token, total claimed <= funded amount;
///  M3 solvency: balance >= sum over unswept rounds of (funded - claimed), and
///     `reserved` equals the funded total of unswept rounds;
///  M4 claimed tokens go only to the leaf's account: each account's balance is
///     the sum of its paid leaves; the relayer/handler never receives tokens;
///  M5 no successful claim after the deadline, no successful sweep before it,
///     at most one sweep per round.

import {Test, Vm} from "../utils/Test.sol";
import {MerkleClaims} from "../../../contracts/migration/MerkleClaims.sol";
import {TestToken} from "../../../contracts/test/TestToken.sol";
import {Hashes} from "@openzeppelin/contracts/utils/cryptography/Hashes.sol";

/// Builds a Merkle tree compatible with OpenZeppelin MerkleProof (sorted pairs).
library TestMerkle {
    function root(bytes32[] memory leaves) internal pure returns (bytes32) {
        bytes32[] memory level = leaves;
        while (level.length > 1) level = _up(level);
        return level[0];
    }

    function proof(bytes32[] memory leaves, uint256 index) internal pure returns (bytes32[] memory out) {
        bytes32[] memory tmp = new bytes32[](32);
        uint256 n;
        bytes32[] memory level = leaves;
        while (level.length > 1) {
            uint256 sib = index ^ 1;
            if (sib < level.length) tmp[n++] = level[sib];
            level = _up(level);
            index /= 2;
        }
        out = new bytes32[](n);
        for (uint256 i; i < n; ++i) out[i] = tmp[i];
    }

    function _up(bytes32[] memory level) private pure returns (bytes32[] memory next) {
        next = new bytes32[]((level.length + 1) / 2);
        for (uint256 i; i < next.length; ++i) {
            next[i] = 2 * i + 1 < level.length ? Hashes.commutativeKeccak256(level[2 * i], level[2 * i + 1]) : level[2 * i];
        }
    }
}

contract MerkleClaimsHandler {
    // solhint-disable-next-line const-name-snakecase
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));
    uint256 public constant N = 8;
    uint256 public constant ROUNDS = 2;

    MerkleClaims public immutable claims;
    TestToken public immutable tokenA;
    TestToken public immutable tokenB;

    address[] public accounts;
    uint256[] internal _pks;
    bytes32[] internal _leaves;

    mapping(uint256 round => mapping(uint256 leaf => uint256)) public paidCount;
    mapping(address account => mapping(address token => uint256)) public expectedBalance;
    uint256 public lateClaims;
    uint256 public earlySweeps;
    mapping(uint256 round => uint256) public sweeps;
    uint256 public successfulClaims;

    constructor(MerkleClaims claims_, TestToken a, TestToken b) {
        claims = claims_;
        tokenA = a;
        tokenB = b;
        for (uint256 i; i < N; ++i) {
            uint256 pk = uint256(keccak256(abi.encode("claimant", i))) % (2 ** 200) + 1;
            _pks.push(pk);
            accounts.push(vm.addr(pk));
            (address[] memory t, uint256[] memory amts) = leafOf(i);
            _leaves.push(keccak256(bytes.concat(keccak256(abi.encode(accounts[i], t, amts)))));
        }
    }

    function leafOf(uint256 i) public view returns (address[] memory t, uint256[] memory amts) {
        // Odd leaves pay both tokens, even leaves only token A.
        if (i % 2 == 1) {
            t = new address[](2);
            amts = new uint256[](2);
            t[1] = address(tokenB);
            amts[1] = (i + 1) * 7e6;
        } else {
            t = new address[](1);
            amts = new uint256[](1);
        }
        t[0] = address(tokenA);
        amts[0] = (i + 1) * 1e18;
    }

    function leaves() external view returns (bytes32[] memory) {
        return _leaves;
    }

    function root() external view returns (bytes32) {
        return TestMerkle.root(_leaves);
    }

    function totals() external pure returns (uint256 a, uint256 b) {
        for (uint256 i; i < N; ++i) {
            a += (i + 1) * 1e18;
            if (i % 2 == 1) b += (i + 1) * 7e6;
        }
    }

    // ---------------------------------------------------------------- actions

    function claimSelf(uint256 roundSeed, uint256 leafSeed) external {
        uint256 r = roundSeed % ROUNDS;
        uint256 i = leafSeed % N;
        (address[] memory t, uint256[] memory amts) = leafOf(i);
        bytes32[] memory p = TestMerkle.proof(_leaves, i);
        vm.prank(accounts[i]);
        try claims.claim(r, t, amts, p) {
            _record(r, i, t, amts);
        } catch {}
    }

    function claimRelayed(uint256 roundSeed, uint256 leafSeed, uint256 signerSeed, uint256 signRoundSeed) external {
        uint256 r = roundSeed % ROUNDS;
        uint256 i = leafSeed % N;
        // Usually the right signer and round; sometimes another account's key or another round's digest.
        uint256 signer = signerSeed % 4 == 0 ? (i + 1) % N : i;
        uint256 signRound = signRoundSeed % 4 == 0 ? (r + 1) % ROUNDS : r;
        bytes32 digest = claims.acceptanceDigest(signRound, accounts[signer]);
        (uint8 v, bytes32 rr, bytes32 s) = vm.sign(_pks[signer], digest);
        (address[] memory t, uint256[] memory amts) = leafOf(i);
        bytes32[] memory p = TestMerkle.proof(_leaves, i);
        try claims.claimWithSig(r, accounts[i], t, amts, p, abi.encodePacked(rr, s, v)) {
            require(signer == i && signRound == r, "forged signature accepted");
            _record(r, i, t, amts);
        } catch {}
    }

    /// Claim with inflated amounts: must never succeed.
    function claimForged(uint256 leafSeed, uint256 extra) external {
        uint256 i = leafSeed % N;
        (address[] memory t, uint256[] memory amts) = leafOf(i);
        amts[0] += (extra % 1e20) + 1;
        bytes32[] memory p = TestMerkle.proof(_leaves, i);
        vm.prank(accounts[i]);
        try claims.claim(0, t, amts, p) {
            revert("forged leaf paid");
        } catch {}
    }

    function warp(uint256 secs) external {
        vm.warp(block.timestamp + (secs % 3 days));
    }

    function sweep(uint256 roundSeed) external {
        uint256 r = roundSeed % ROUNDS;
        uint64 deadline = claims.roundInfo(r).deadline;
        try claims.sweep(r) {
            if (block.timestamp <= deadline) earlySweeps++;
            sweeps[r]++;
        } catch {}
    }

    function _record(uint256 r, uint256 i, address[] memory t, uint256[] memory amts) private {
        if (block.timestamp > claims.roundInfo(r).deadline) lateClaims++;
        paidCount[r][i]++;
        successfulClaims++;
        for (uint256 k; k < t.length; ++k) {
            expectedBalance[accounts[i]][t[k]] += amts[k];
        }
    }
}

contract MerkleClaimsTest is Test {
    MerkleClaims internal claims;
    TestToken internal tokenA;
    TestToken internal tokenB;
    MerkleClaimsHandler internal handler;
    address internal constant TREASURY = address(0x7EA5);

    function setUp() public {
        tokenA = new TestToken("A", "A", 18);
        tokenB = new TestToken("B", "B", 6);
        claims = new MerkleClaims(address(this));
        handler = new MerkleClaimsHandler(claims, tokenA, tokenB);
        (uint256 totalA, uint256 totalB) = handler.totals();
        tokenA.mint(address(this), 10 * totalA);
        tokenB.mint(address(this), 10 * totalB);
        tokenA.approve(address(claims), type(uint256).max);
        tokenB.approve(address(claims), type(uint256).max);
        address[] memory t = new address[](2);
        t[0] = address(tokenA);
        t[1] = address(tokenB);
        uint256[] memory amts = new uint256[](2);
        amts[0] = totalA;
        amts[1] = totalB - 20e6; // round 0 underfunded in B: the last B claims must fail, not overpay
        bytes32 root = handler.root();
        claims.createRound(root, keccak256("terms v1"), uint64(block.timestamp + 2 days), TREASURY, t, amts);
        amts[1] = totalB;
        claims.createRound(root, keccak256("terms v2"), uint64(block.timestamp + 4 days), TREASURY, t, amts);
        targetContract(address(handler));
    }

    // ------------------------------------------------------------ invariants

    function invariant_leafPaidAtMostOnce() public view {
        for (uint256 r; r < 2; ++r) {
            for (uint256 i; i < 8; ++i) {
                assertLe(handler.paidCount(r, i), 1, "leaf paid twice");
                assertEq(
                    claims.isLeafClaimed(r, handler.leaves()[i]) ? 1 : 0, handler.paidCount(r, i), "claimed flag"
                );
            }
        }
    }

    function invariant_claimedNeverExceedsFunded() public view {
        for (uint256 r; r < 2; ++r) {
            (uint256 fa, uint256 ca) = claims.tokenAccount(r, address(tokenA));
            (uint256 fb, uint256 cb) = claims.tokenAccount(r, address(tokenB));
            assertLe(ca, fa, "claimed A > funded A");
            assertLe(cb, fb, "claimed B > funded B");
        }
    }

    function invariant_solvent() public view {
        TestToken[2] memory toks = [tokenA, tokenB];
        for (uint256 k; k < 2; ++k) {
            uint256 owed;
            uint256 res;
            for (uint256 r; r < 2; ++r) {
                if (claims.roundInfo(r).swept) continue;
                (uint256 f, uint256 c) = claims.tokenAccount(r, address(toks[k]));
                owed += f - c;
                res += f;
            }
            assertGe(toks[k].balanceOf(address(claims)), owed, "insolvent");
            assertEq(claims.reserved(address(toks[k])), res, "reserved");
        }
    }

    function invariant_tokensOnlyToAccounts() public view {
        for (uint256 i; i < 8; ++i) {
            address a = handler.accounts(i);
            assertEq(tokenA.balanceOf(a), handler.expectedBalance(a, address(tokenA)), "account A");
            assertEq(tokenB.balanceOf(a), handler.expectedBalance(a, address(tokenB)), "account B");
        }
        assertEq(tokenA.balanceOf(address(handler)), 0, "relayer got tokens");
    }

    function invariant_deadlineRespected() public view {
        assertEq(handler.lateClaims(), 0, "claim after deadline");
        assertEq(handler.earlySweeps(), 0, "sweep before deadline");
        assertLe(handler.sweeps(0), 1, "swept twice");
        assertLe(handler.sweeps(1), 1, "swept twice");
    }

    // ------------------------------------------------------------ fuzz

    /// Nobody outside the tree can claim, whatever they pass.
    function testFuzz_outsiderCannotClaim(address outsider, uint256 amount, bytes32 sibling) public {
        for (uint256 i; i < 8; ++i) vm.assume(outsider != handler.accounts(i));
        address[] memory t = new address[](1);
        t[0] = address(tokenA);
        uint256[] memory amts = new uint256[](1);
        amts[0] = amount;
        bytes32[] memory p = new bytes32[](1);
        p[0] = sibling;
        bytes32 leaf = claims.leafHash(outsider, t, amts);
        vm.prank(outsider);
        vm.expectRevert(abi.encodeWithSelector(MerkleClaims.InvalidProof.selector, uint256(0), leaf));
        claims.claim(0, t, amts, p);
    }

    /// Every leaf is claimable exactly once, at any time up to the deadline, and pays its amounts.
    function testFuzz_claimOncePerLeaf(uint256 leafSeed, uint256 when) public {
        uint256 i = leafSeed % 8;
        vm.warp(block.timestamp + bound(when, 0, 2 days));
        (address[] memory t, uint256[] memory amts) = handler.leafOf(i);
        bytes32[] memory p = TestMerkle.proof(handler.leaves(), i);
        address account = handler.accounts(i);
        vm.prank(account);
        claims.claim(1, t, amts, p);
        assertEq(tokenA.balanceOf(account), amts[0], "paid");
        bytes32 leaf = handler.leaves()[i]; // before prank: an external call would consume it
        vm.prank(account);
        vm.expectRevert(abi.encodeWithSelector(MerkleClaims.AlreadyClaimed.selector, uint256(1), leaf));
        claims.claim(1, t, amts, p);
    }

    /// Claims after the deadline revert; sweeps before it revert; sweep returns exactly the remainder.
    function testFuzz_deadlineAndSweep(uint256 early, uint256 late) public {
        uint64 deadline = claims.roundInfo(0).deadline;
        vm.warp(bound(early, block.timestamp, deadline));
        vm.expectRevert(abi.encodeWithSelector(MerkleClaims.ClaimWindowOpen.selector, uint256(0), deadline, block.timestamp));
        claims.sweep(0);
        vm.warp(bound(late, uint256(deadline) + 1, uint256(deadline) + 365 days));
        (address[] memory t, uint256[] memory amts) = handler.leafOf(0);
        bytes32[] memory p = TestMerkle.proof(handler.leaves(), 0);
        address account = handler.accounts(0);
        vm.prank(account);
        vm.expectRevert(
            abi.encodeWithSelector(MerkleClaims.ClaimWindowClosed.selector, uint256(0), deadline, block.timestamp)
        );
        claims.claim(0, t, amts, p);
        (uint256 fa,) = claims.tokenAccount(0, address(tokenA));
        claims.sweep(0);
        assertEq(tokenA.balanceOf(TREASURY), fa, "remainder to treasury");
    }
}
