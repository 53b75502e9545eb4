// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "../utils/Test.sol";
import {ICircuitBreaker} from "../../../contracts/breaker/ICircuitBreaker.sol";
import {Scopes} from "../../../contracts/breaker/Scopes.sol";
import {TestToken} from "../../../contracts/test/TestToken.sol";
import {BreakableHarness} from "./BreakerHarness.sol";

/// @notice Shared fixture: a multi-asset Breakable harness administered by the test contract,
/// token A registered (Revert mode, 1000 per day, inflow credit), token B unregistered.
abstract contract BreakerBase is Test {
    uint256 internal constant T0 = 1_700_000_000;
    uint256 internal constant CAP = 1000e18;
    uint64 internal constant WINDOW = 1 days;
    uint64 internal constant MAX_PAUSE = 7 days;
    uint64 internal constant GRACE = 1 days;

    BreakableHarness internal h;
    TestToken internal tokenA;
    TestToken internal tokenB;
    address internal a;
    address internal b;

    address internal constant ALICE = address(0xA11CE);
    address internal constant BOB = address(0xB0B);
    address internal constant SENTINEL = address(0x5E17);
    address internal constant STRANGER = address(0xBAD);

    bytes32 internal constant GLOBAL = Scopes.GLOBAL;
    bytes32 internal constant DEPOSIT = Scopes.DEPOSIT;
    bytes32 internal constant WITHDRAW = Scopes.WITHDRAW;

    function setUp() public virtual {
        vm.warp(T0);
        tokenA = new TestToken("A", "A", 18);
        tokenB = new TestToken("B", "B", 18);
        a = address(tokenA);
        b = address(tokenB);
        h = new BreakableHarness(address(this), MAX_PAUSE, GRACE);
        h.setLimit(a, cfg(CAP, WINDOW, 0, ICircuitBreaker.BreachMode.Revert, 0, true));
        tokenA.mint(address(h), 1_000_000e18);
        tokenB.mint(address(h), 1_000_000e18);
    }

    function cfg(uint256 cap, uint64 window, uint256 minTvl, ICircuitBreaker.BreachMode mode, uint64 delay, bool credit)
        internal
        pure
        returns (ICircuitBreaker.LimitConfig memory)
    {
        return ICircuitBreaker.LimitConfig({
            maxCapacity: cap,
            window: window,
            minTvl: minTvl,
            mode: mode,
            settlementDelay: delay,
            inflowCredit: credit
        });
    }

    function queueCfg(uint256 cap, uint64 delay) internal pure returns (ICircuitBreaker.LimitConfig memory) {
        return cfg(cap, WINDOW, 0, ICircuitBreaker.BreachMode.Queue, delay, true);
    }

    function assetScope(address asset) internal pure returns (bytes32) {
        return Scopes.asset(asset);
    }

    /// @dev Model a transaction boundary followed by `secs` seconds.
    function nextTx(uint256 secs) internal {
        h.endTx(a);
        h.endTx(b);
        vm.warp(block.timestamp + secs);
    }
}
