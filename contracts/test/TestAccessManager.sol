// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessManager} from "@openzeppelin/contracts/access/manager/AccessManager.sol";

/// @notice Test-only: OpenZeppelin's AccessManager, unchanged, given a local name so that
/// Hardhat emits an artifact for it (dependencies get artifacts only when a project file names them).
contract TestAccessManager is AccessManager {
    constructor(address initialAdmin) AccessManager(initialAdmin) {}
}
