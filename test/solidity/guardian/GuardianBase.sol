// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Vm} from "../utils/Test.sol";
import {GuardianMultisig} from "../../../contracts/guardian/GuardianMultisig.sol";
import {MockBreaker} from "./MockBreaker.sol";

/// @notice Deployment and signing helpers shared by the guardian Solidity tests.
library GuardianTestLib {
    Vm internal constant VM = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));
    uint256 internal constant N = 5;

    function keyOf(uint256 i) internal pure returns (uint256) {
        return 0xA11CE + i;
    }

    function deploy(MockBreaker breaker) internal returns (GuardianMultisig ms, address[] memory gs) {
        gs = new address[](N);
        for (uint256 i = 0; i < N; i++) gs[i] = VM.addr(keyOf(i));
        address[] memory managed = new address[](1);
        managed[0] = address(breaker);
        GuardianMultisig.InitParams memory p;
        p.guardians = gs;
        p.fastThreshold = 1;
        p.slowThreshold = 3;
        p.slowDelay = 2 days;
        p.vetoThreshold = 2;
        p.heartbeatPeriod = 90 days;
        p.managed = managed;
        p.overrides = new GuardianMultisig.PolicyOverride[](0);
        ms = new GuardianMultisig(p);
    }

    function sign(uint256 key, bytes32 digest) internal pure returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = VM.sign(key, digest);
        return abi.encodePacked(r, s, v);
    }

    /// @dev Approvals by guardians `idx` (indexes into keyOf), sorted by address.
    function approvals(bytes32 digest, uint256[] memory idx) internal pure returns (GuardianMultisig.Approval[] memory out) {
        out = new GuardianMultisig.Approval[](idx.length);
        for (uint256 i = 0; i < idx.length; i++) {
            out[i] = GuardianMultisig.Approval({signer: VM.addr(keyOf(idx[i])), signature: sign(keyOf(idx[i]), digest)});
        }
        for (uint256 i = 1; i < out.length; i++) {
            for (uint256 j = i; j > 0 && out[j - 1].signer > out[j].signer; j--) {
                (out[j - 1], out[j]) = (out[j], out[j - 1]);
            }
        }
    }

    function three(uint256 seed) internal pure returns (uint256[] memory idx) {
        idx = new uint256[](3);
        uint256 skip = seed % N;
        uint256 skip2 = (skip + 1 + (seed >> 8) % (N - 1)) % N;
        uint256 k;
        for (uint256 i = 0; i < N && k < 3; i++) {
            if (i != skip && i != skip2) idx[k++] = i;
        }
    }

    function two(uint256 seed) internal pure returns (uint256[] memory idx) {
        idx = new uint256[](2);
        idx[0] = seed % N;
        idx[1] = (idx[0] + 1 + (seed >> 8) % (N - 1)) % N;
    }
}
