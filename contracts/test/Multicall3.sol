// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Multicall3 (minimal, ABI-compatible subset)
/// @notice The keeper batches every read of a block into one `aggregate3` eth_call pinned to
/// that block. Live chains have the canonical Multicall3 at 0xcA11bde05977b3631167028862bE2a173976CA11;
/// local chains get this contract (deployed, or its runtime code set at the canonical address).
/// Same selectors and struct layouts as the canonical contract for the functions it has.
contract Multicall3 {
    struct Call3 {
        address target;
        bool allowFailure;
        bytes callData;
    }

    struct Result {
        bool success;
        bytes returnData;
    }

    /// @notice A call that was not allowed to fail failed.
    error CallFailed(uint256 index);

    /// @notice Call each target in order; a failing call reverts the batch unless `allowFailure`.
    /// @param calls The calls.
    /// @return returnData One result per call, in order.
    function aggregate3(Call3[] calldata calls) external payable returns (Result[] memory returnData) {
        uint256 length = calls.length;
        returnData = new Result[](length);
        for (uint256 i = 0; i < length; ++i) {
            Call3 calldata c = calls[i];
            // solhint-disable-next-line avoid-low-level-calls
            (bool ok, bytes memory data) = c.target.call(c.callData);
            if (!ok && !c.allowFailure) revert CallFailed(i);
            returnData[i] = Result(ok, data);
        }
    }

    /// @notice The ether balance of `addr`.
    /// @param addr The account.
    /// @return balance Its balance in wei.
    function getEthBalance(address addr) external view returns (uint256 balance) {
        return addr.balance;
    }

    /// @notice The current block number.
    /// @return blockNumber The number.
    function getBlockNumber() external view returns (uint256 blockNumber) {
        return block.number;
    }
}
