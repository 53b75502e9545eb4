// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Breakable} from "../breaker/Breakable.sol";
import {Scopes} from "../breaker/Scopes.sol";

/// @notice Benchmark probe: a function whose only guard is the breaker's pause check.
contract PauseCheckProbe is Breakable {
    uint256 public counter = 1;

    constructor(address admin) Breakable(admin, 14 days, 1 days) {}

    function poke() external whenScopeActive(Scopes.DEPOSIT) {
        counter += 1;
    }

    function _transferOutAsset(address, address, uint256) internal pure override {
        revert("no assets");
    }
}

/// @notice Benchmark baseline for PauseCheckProbe.
contract PlainProbe {
    uint256 public counter = 1;

    function poke() external {
        counter += 1;
    }
}
