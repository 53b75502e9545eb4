// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// DrillFlashSwapper's own rules: the fee it repays passes Uniswap V2's K check for a same-token
/// repayment, only its owner starts a flash swap, and only the pair it called — for a swap it
/// started — enters the callback. The flash swap against the real @uniswap/v2-core pair is
/// exercised by test/drills/templates.test.ts (Solidity 0.5 bytecode, not compiled here).

import {DrillFlashSwapper} from "../../../contracts/examples/drills/DrillFlashSwapper.sol";
import {IUniswapV2PairLike as IPair} from "../../../contracts/examples/drills/UniV2SpotOracle.sol";
import {TestToken} from "../../../contracts/test/TestToken.sol";
import {Test} from "../utils/Test.sol";

/// @dev A pair that calls back with another initiator than the caller (what a hostile pair or a
/// third party's flash swap would pass): the swapper must refuse it.
contract ForeignInitiatorPair {
    address public immutable token0;
    address public immutable token1;

    constructor(address t0, address t1) {
        token0 = t0;
        token1 = t1;
    }

    function swap(uint256 amount0Out, uint256 amount1Out, address to, bytes calldata data) external {
        DrillFlashSwapper(payable(to)).uniswapV2Call(address(0xBEEF), amount0Out, amount1Out, data);
    }
}

contract DrillFlashSwapperTest is Test {
    DrillFlashSwapper internal swapper;
    TestToken internal a;
    TestToken internal b;
    DrillFlashSwapper.Call[] internal none;

    function setUp() public {
        swapper = new DrillFlashSwapper(address(this));
        a = new TestToken("A", "A", 18);
        b = new TestToken("B", "B", 18);
    }

    /// Same-token repayment: V2 requires (reserve - out + in) * 1000 - in * 3 >= reserve * 1000,
    /// i.e. 997 * in >= 1000 * out; the repayment is at most one unit above the exact minimum.
    function testFuzzRepayPassesTheFeeCheck(uint256 amount) public view {
        amount = bound(amount, 1, type(uint112).max);
        uint256 repay = swapper.repayAmount(amount);
        assertGe(repay * 997, amount * 1000, "repayment below the 0.3% fee");
        uint256 exact = (amount * 1000 + 996) / 997;
        assertLe(repay, exact + 1, "repayment more than one unit above the minimum");
    }

    function testOnlyOwnerStarts() public {
        ForeignInitiatorPair pair = new ForeignInitiatorPair(address(a), address(b));
        vm.prank(address(0xCAFE));
        vm.expectRevert(abi.encodeWithSelector(DrillFlashSwapper.NotOwner.selector, address(0xCAFE)));
        swapper.flashSwap(_pair(address(pair)), address(a), 1e18, none);
    }

    function testCallbackOnlyFromTheActivePair() public {
        vm.expectRevert(abi.encodeWithSelector(DrillFlashSwapper.NotActivePair.selector, address(this), address(0)));
        swapper.uniswapV2Call(address(swapper), 1, 0, "");
    }

    function testCallbackRefusesAnotherInitiator() public {
        ForeignInitiatorPair pair = new ForeignInitiatorPair(address(a), address(b));
        vm.expectRevert(abi.encodeWithSelector(DrillFlashSwapper.NotInitiator.selector, address(0xBEEF)));
        swapper.flashSwap(_pair(address(pair)), address(a), 1e18, none);
    }

    function testRefusesATokenNotInThePair() public {
        ForeignInitiatorPair pair = new ForeignInitiatorPair(address(a), address(b));
        vm.expectRevert(abi.encodeWithSelector(DrillFlashSwapper.NotInPair.selector, address(0x1234), address(pair)));
        swapper.flashSwap(_pair(address(pair)), address(0x1234), 1e18, none);
        vm.expectRevert(abi.encodeWithSelector(DrillFlashSwapper.ZeroAmount.selector));
        swapper.flashSwap(_pair(address(pair)), address(a), 0, none);
    }

    function _pair(address p) private pure returns (IPair) {
        return IPair(p);
    }
}
