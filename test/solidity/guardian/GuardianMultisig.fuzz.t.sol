// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "../utils/Test.sol";
import {GuardianMultisig} from "../../../contracts/guardian/GuardianMultisig.sol";
import {MockBreaker} from "./MockBreaker.sol";
import {GuardianTestLib as L} from "./GuardianBase.sol";

/// Fuzz tests of the signature checks (EOA / ECDSA path) and of action decoding.
contract GuardianMultisigFuzzTest is Test {
    uint256 internal constant SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141;
    GuardianMultisig internal ms;
    MockBreaker internal breaker;
    address[] internal gs;

    function setUp() public {
        vm.warp(1_700_000_000);
        breaker = new MockBreaker();
        (ms, gs) = L.deploy(breaker);
    }

    function _pause(uint256 nonce) internal view returns (GuardianMultisig.Action memory) {
        return GuardianMultisig.Action({
            kind: 0,
            target: address(breaker),
            data: abi.encode(keccak256("breakwater.scope.GLOBAL"), uint64(1 hours)),
            nonce: nonce,
            deadline: block.timestamp + 1 hours
        });
    }

    function _one(address signer, bytes memory sig) internal pure returns (GuardianMultisig.Approval[] memory a) {
        a = new GuardianMultisig.Approval[](1);
        a[0] = GuardianMultisig.Approval({signer: signer, signature: sig});
    }

    function testFuzz_validGuardianSignatureExecutesOnce(uint256 nonce, uint256 who) public {
        who = bound(who, 0, 4);
        GuardianMultisig.Action memory a = _pause(nonce);
        bytes32 id = ms.hashAction(a);
        ms.execute(a, _one(gs[who], L.sign(L.keyOf(who), id)));
        assertEq(breaker.calls(breaker.pause.selector), 1, "pause not called");
        assertTrue(ms.isNonceUsed(nonce), "nonce not used");
        vm.expectRevert(abi.encodeWithSelector(GuardianMultisig.NonceAlreadyUsed.selector, nonce));
        ms.execute(a, _one(gs[who], L.sign(L.keyOf(who), id)));
    }

    function testFuzz_nonGuardianKeyRejected(uint256 key) public {
        key = bound(key, 1, SECP256K1_N - 1);
        address signer = vm.addr(key);
        vm.assume(!ms.isGuardian(signer));
        GuardianMultisig.Action memory a = _pause(1);
        GuardianMultisig.Approval[] memory ap = _one(signer, L.sign(key, ms.hashAction(a)));
        vm.expectRevert(abi.encodeWithSelector(GuardianMultisig.NotGuardian.selector, signer));
        ms.execute(a, ap);
    }

    function testFuzz_otherKeyClaimingGuardianRejected(uint256 key, uint256 who) public {
        key = bound(key, 1, SECP256K1_N - 1);
        who = bound(who, 0, 4);
        vm.assume(vm.addr(key) != gs[who]);
        GuardianMultisig.Action memory a = _pause(2);
        GuardianMultisig.Approval[] memory ap = _one(gs[who], L.sign(key, ms.hashAction(a)));
        vm.expectRevert(abi.encodeWithSelector(GuardianMultisig.InvalidSignature.selector, gs[who]));
        ms.execute(a, ap);
    }

    function testFuzz_tamperedSignatureRejected(uint256 nonce, uint256 pos, uint8 xor) public {
        pos = bound(pos, 0, 64);
        vm.assume(xor != 0);
        GuardianMultisig.Action memory a = _pause(nonce);
        bytes memory sig = L.sign(L.keyOf(0), ms.hashAction(a));
        sig[pos] = bytes1(uint8(sig[pos]) ^ xor);
        vm.expectRevert(abi.encodeWithSelector(GuardianMultisig.InvalidSignature.selector, gs[0]));
        ms.execute(a, _one(gs[0], sig));
    }

    function testFuzz_highSRejected(uint256 nonce, uint256 who) public {
        who = bound(who, 0, 4);
        GuardianMultisig.Action memory a = _pause(nonce);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(L.keyOf(who), ms.hashAction(a));
        bytes memory malleated = abi.encodePacked(r, bytes32(SECP256K1_N - uint256(s)), v == 27 ? uint8(28) : uint8(27));
        vm.expectRevert(abi.encodeWithSelector(GuardianMultisig.InvalidSignature.selector, gs[who]));
        ms.execute(a, _one(gs[who], malleated));
    }

    function testFuzz_signatureForOtherActionRejected(uint256 nonce, uint256 otherNonce, uint256 otherDeadline) public {
        vm.assume(nonce != otherNonce);
        GuardianMultisig.Action memory a = _pause(nonce);
        GuardianMultisig.Action memory b = _pause(otherNonce);
        b.deadline = bound(otherDeadline, block.timestamp, type(uint256).max);
        bytes memory sigB = L.sign(L.keyOf(1), ms.hashAction(b));
        vm.expectRevert(abi.encodeWithSelector(GuardianMultisig.InvalidSignature.selector, gs[1]));
        ms.execute(a, _one(gs[1], sigB));
    }

    function testFuzz_otherChainRejected(uint64 chainId) public {
        vm.assume(chainId != block.chainid && chainId != 0);
        GuardianMultisig.Action memory a = _pause(3);
        uint256 home = block.chainid;
        vm.chainId(chainId);
        bytes32 foreign = ms.hashAction(a);
        vm.chainId(home);
        assertTrue(foreign != ms.hashAction(a), "digest not bound to chain id");
        vm.expectRevert(abi.encodeWithSelector(GuardianMultisig.InvalidSignature.selector, gs[2]));
        ms.execute(a, _one(gs[2], L.sign(L.keyOf(2), foreign)));
    }

    function testFuzz_expiredDeadlineRejected(uint256 late) public {
        late = bound(late, 1, 365 days);
        GuardianMultisig.Action memory a = _pause(4);
        bytes memory sig = L.sign(L.keyOf(0), ms.hashAction(a));
        vm.warp(a.deadline + late);
        vm.expectRevert(abi.encodeWithSelector(GuardianMultisig.DeadlineExpired.selector, a.deadline, block.timestamp));
        ms.execute(a, _one(gs[0], sig));
    }

    function testFuzz_randomDataNeverExecutesMalformed(uint8 kind, bytes calldata data) public {
        kind = uint8(bound(kind, 0, 3));
        GuardianMultisig.Action memory a =
            GuardianMultisig.Action({kind: kind, target: address(breaker), data: data, nonce: 9, deadline: block.timestamp});
        bytes32 id = ms.hashAction(a);
        vm.prank(gs[0]);
        try ms.execute(a, new GuardianMultisig.Approval[](0)) {
            // Accepted data must be exactly the kind's static layout.
            assertTrue(data.length == (kind == 0 ? 64 : 32), "accepted data of the wrong length");
        } catch (bytes memory err) {
            assertEq(bytes4(err), GuardianMultisig.MalformedActionData.selector, "unexpected error");
        }
        id;
    }

    function test_slowPathLowerLimitUsesLowerLimit() public {
        // Register a limit through the slow path, then tighten only the capacity through the fast path.
        address asset = address(this);
        bytes memory cfg = abi.encode(asset, uint256(1000), uint64(1 hours), uint256(0), uint8(0), uint64(0), true);
        GuardianMultisig.Action memory a =
            GuardianMultisig.Action({kind: 9, target: address(breaker), data: cfg, nonce: 10, deadline: block.timestamp + 1 days});
        bytes32 id = ms.hashAction(a);
        uint256[] memory idx = L.three(0);
        ms.queue(a, L.approvals(id, idx));
        vm.warp(block.timestamp + 2 days);
        ms.executeQueued(id);
        assertEq(breaker.calls(breaker.setLimit.selector), 1, "setLimit");
        a.data = abi.encode(asset, uint256(10), uint64(1 hours), uint256(0), uint8(0), uint64(0), true);
        a.nonce = 11;
        a.deadline = block.timestamp + 1 days;
        vm.prank(gs[0]);
        ms.execute(a, new GuardianMultisig.Approval[](0));
        assertEq(breaker.calls(breaker.lowerLimit.selector), 1, "lowerLimit");
    }

    function test_vetoOutflowIsFast() public {
        GuardianMultisig.Action memory a = GuardianMultisig.Action({
            kind: 3, target: address(breaker), data: abi.encode(uint256(7)), nonce: 12, deadline: block.timestamp
        });
        vm.prank(gs[4]);
        ms.execute(a, new GuardianMultisig.Approval[](0));
        assertEq(breaker.calls(breaker.vetoQueuedOutflow.selector), 1, "veto outflow");
    }
}
