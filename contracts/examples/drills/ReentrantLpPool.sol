// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Breakable} from "../../breaker/Breakable.sol";
import {Scopes} from "../../breaker/Scopes.sol";

/// @title ReentrantLpPool
/// @notice DRILL ONLY — deliberately vulnerable. Do not deploy with real funds.
///
/// A one-asset liquidity pool (LP shares priced at balance / supply) modelled on the Curve
/// pools drained on 2023-07-30 through the Vyper compiler's broken reentrancy lock
/// (Vyper 0.2.15, 0.2.16 and 0.3.0 gave every function its own nonreentrant-lock slot, so
/// `remove_liquidity` and `add_liquidity` did not exclude each other).
///
/// THE BUG (two parts, both needed):
///  1. `brokenLock` keys the lock by function selector, exactly like the miscompiled Vyper
///     lock: a function cannot re-enter itself, but `addLiquidity` can be entered from inside
///     `removeLiquidity`.
///  2. `removeLiquidity` pays out BEFORE it burns the LP shares (the Curve ETH pools sent ETH
///     with `raw_call` before the LP supply was reduced). The payout calls the recipient's hook
///     (DrillHookToken), where the pool's balance is already lower but the LP supply is not:
///     a re-entered `addLiquidity` mints shares at a price that is too low, diluting every LP.
///
/// Breaker integration (as the README recommends): addLiquidity is an ENTRY
/// (`_guardInflow(DEPOSIT)`), removeLiquidity is an EXIT (`_guardOutflow(WITHDRAW)`). Pausing
/// DEPOSIT alone stops the exploit (the re-entered addLiquidity reverts) and leaves exits open,
/// like Curve's kill switch, which keeps `remove_liquidity` working.
contract ReentrantLpPool is ERC20, Breakable {
    using SafeERC20 for IERC20;

    /// @notice The pooled token (a DrillHookToken).
    IERC20 public immutable token;

    /// @dev BUG (1): one lock per function selector instead of one lock for the contract.
    mapping(bytes4 => bool) private _lockedBySelector;

    event LiquidityAdded(address indexed provider, address indexed receiver, uint256 amount, uint256 shares);
    event LiquidityRemoved(address indexed owner, address indexed receiver, uint256 amount, uint256 shares, uint256 queueId);

    error Reentered(bytes4 selector);
    error ZeroShares();
    error InsufficientShares(address owner, uint256 requested, uint256 balance);

    /// @dev The miscompiled lock: keyed by `msg.sig`, so it only stops a function re-entering itself.
    modifier brokenLock() {
        bytes4 key = msg.sig;
        if (_lockedBySelector[key]) revert Reentered(key);
        _lockedBySelector[key] = true;
        _;
        _lockedBySelector[key] = false;
    }

    constructor(IERC20 token_, address admin, uint64 maxPause, uint64 grace)
        ERC20("Drill LP", "dLP")
        Breakable(admin, maxPause, grace)
    {
        if (address(token_) == address(0)) revert ZeroAddress();
        token = token_;
    }

    /// @notice Deposit `amount` tokens and mint LP shares to `receiver` (entry: blocked while
    /// DEPOSIT or GLOBAL is paused).
    function addLiquidity(uint256 amount, address receiver) external brokenLock returns (uint256 shares) {
        if (amount == 0) revert ZeroAmount();
        _guardInflow(Scopes.DEPOSIT, address(token), amount, msg.sender, receiver);
        uint256 supply = totalSupply();
        uint256 balance = token.balanceOf(address(this));
        // Priced off the live balance and supply: inside removeLiquidity's hook the balance is
        // already reduced while the supply is not, so this rounds massively in the caller's favour.
        shares = supply == 0 || balance == 0 ? amount : amount * supply / balance;
        if (shares == 0) revert ZeroShares();
        token.safeTransferFrom(msg.sender, address(this), amount);
        _mint(receiver, shares);
        emit LiquidityAdded(msg.sender, receiver, amount, shares);
    }

    /// @notice Burn `shares` of the caller and pay their value to `receiver` (exit: pause,
    /// freeze, quarantine and the outflow limit apply; in Queue mode the excess is escrowed).
    function removeLiquidity(uint256 shares, address receiver) external brokenLock returns (uint256 amount) {
        if (shares == 0) revert ZeroShares();
        uint256 held = balanceOf(msg.sender);
        if (shares > held) revert InsufficientShares(msg.sender, shares, held);
        amount = shares * token.balanceOf(address(this)) / totalSupply();
        (uint256 payNow, uint256 queueId) =
            _guardOutflow(Scopes.WITHDRAW, address(token), amount, msg.sender, receiver, address(this));
        // BUG (2): interaction before effect. The transfer runs the receiver's hook while the
        // shares below are still counted in totalSupply().
        if (payNow != 0) token.safeTransfer(receiver, payNow);
        if (queueId != 0) token.safeTransfer(address(outflowEscrow), amount - payNow);
        _burn(msg.sender, shares);
        emit LiquidityRemoved(msg.sender, receiver, amount, shares, queueId);
    }

    /// @notice Tokens per 1e18 LP shares, scaled (the pool's "virtual price"); 1e18 when empty.
    function virtualPrice() external view returns (uint256) {
        return convertToAssets(1e18);
    }

    /// @notice The tokens `shares` LP shares are worth now (ERC-4626 naming, for the keeper's
    /// share-price-drop invariant).
    function convertToAssets(uint256 shares) public view returns (uint256) {
        uint256 supply = totalSupply();
        return supply == 0 ? shares : shares * token.balanceOf(address(this)) / supply;
    }

    /// @notice Tokens held by the pool.
    function totalAssets() external view returns (uint256) {
        return token.balanceOf(address(this));
    }

    function _transferOutAsset(address asset, address to, uint256 amount) internal override {
        IERC20(asset).safeTransfer(to, amount);
    }
}
