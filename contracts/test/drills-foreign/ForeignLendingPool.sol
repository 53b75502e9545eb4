// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

/// @dev The part of a Uniswap V2 pair the pool prices collateral from.
interface ISpotPair {
    function token0() external view returns (address);
    function getReserves() external view returns (uint112 reserve0, uint112 reserve1, uint32 blockTimestampLast);
}

/// @title ForeignLendingPool
/// @notice TEST ONLY. A small lending pool written the way a third party would — it knows nothing
/// of Breakwater (no breaker, no hooks, its own owner-only pause) — so the drill templates are
/// tested against a protocol their author did not shape for them. It has the flaws real pools had:
///  - collateral is priced from a Uniswap V2 pair's SPOT reserves (manipulable in one block);
///  - `withdrawSupply` decrements the lender's balance in an `unchecked` block without a check,
///    so anyone can withdraw liquidity they never supplied (a repeated drain);
///  - one owner key can raise the loan-to-value and `sweep` any token (a key compromise drains it).
contract ForeignLendingPool {
    using SafeERC20 for IERC20;

    IERC20 public immutable collateralToken;
    IERC20 public immutable debtToken;
    ISpotPair public immutable pair;
    address public owner;
    bool public paused;
    /// @notice Loan-to-value in basis points.
    uint256 public ltvBps;

    mapping(address => uint256) public supplied;
    mapping(address => uint256) public collateralOf;
    mapping(address => uint256) public debtOf;

    event Supplied(address indexed lender, uint256 amount);
    event SupplyWithdrawn(address indexed lender, uint256 amount);
    event CollateralDeposited(address indexed borrower, uint256 amount);
    event Borrowed(address indexed borrower, uint256 amount);
    event Repaid(address indexed borrower, uint256 amount);
    event LtvChanged(uint256 previousBps, uint256 newBps);
    event Swept(address indexed token, address indexed to, uint256 amount);
    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);
    event PausedSet(bool paused);

    error NotOwner(address caller);
    error PoolPaused();
    error ZeroAmount();
    error LtvTooHigh(uint256 bps);
    error ExceedsBorrowLimit(uint256 requested, uint256 available);
    error PairTokenMismatch(address pair);

    modifier onlyOwner() {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        _;
    }

    modifier whenNotPaused() {
        if (paused) revert PoolPaused();
        _;
    }

    constructor(IERC20 collateral, IERC20 debt, ISpotPair spotPair, address owner_, uint256 ltvBps_) {
        address t0 = spotPair.token0();
        if (t0 != address(collateral) && t0 != address(debt)) revert PairTokenMismatch(address(spotPair));
        if (ltvBps_ > 10_000) revert LtvTooHigh(ltvBps_);
        collateralToken = collateral;
        debtToken = debt;
        pair = spotPair;
        owner = owner_;
        ltvBps = ltvBps_;
        emit OwnershipTransferred(address(0), owner_);
    }

    /// @notice Supply `amount` of the debt token as lending liquidity.
    function supply(uint256 amount) external whenNotPaused {
        if (amount == 0) revert ZeroAmount();
        debtToken.safeTransferFrom(msg.sender, address(this), amount);
        supplied[msg.sender] += amount;
        emit Supplied(msg.sender, amount);
    }

    /// @notice Withdraw `amount` of supplied liquidity. FLAWED: no balance check (see the contract notes).
    function withdrawSupply(uint256 amount) external whenNotPaused {
        if (amount == 0) revert ZeroAmount();
        unchecked {
            supplied[msg.sender] -= amount; // "cannot underflow: checked by the UI" (it can)
        }
        debtToken.safeTransfer(msg.sender, amount);
        emit SupplyWithdrawn(msg.sender, amount);
    }

    /// @notice Deposit `amount` of collateral.
    function depositCollateral(uint256 amount) external whenNotPaused {
        if (amount == 0) revert ZeroAmount();
        collateralToken.safeTransferFrom(msg.sender, address(this), amount);
        collateralOf[msg.sender] += amount;
        emit CollateralDeposited(msg.sender, amount);
    }

    /// @notice Borrow `amount` of the debt token against the caller's collateral, priced at the pair's spot.
    function borrow(uint256 amount) external whenNotPaused {
        if (amount == 0) revert ZeroAmount();
        uint256 limit = (collateralValue(msg.sender) * ltvBps) / 10_000;
        uint256 available = limit > debtOf[msg.sender] ? limit - debtOf[msg.sender] : 0;
        if (amount > available) revert ExceedsBorrowLimit(amount, available);
        debtOf[msg.sender] += amount;
        debtToken.safeTransfer(msg.sender, amount);
        emit Borrowed(msg.sender, amount);
    }

    /// @notice Repay up to the caller's debt.
    function repay(uint256 amount) external {
        uint256 d = debtOf[msg.sender];
        if (amount > d) amount = d;
        if (amount == 0) revert ZeroAmount();
        debtToken.safeTransferFrom(msg.sender, address(this), amount);
        debtOf[msg.sender] = d - amount;
        emit Repaid(msg.sender, amount);
    }

    /// @notice Value of `account`'s collateral in debt-token units at the pair's spot price.
    function collateralValue(address account) public view returns (uint256) {
        (uint112 r0, uint112 r1,) = pair.getReserves();
        (uint256 rc, uint256 rd) = pair.token0() == address(collateralToken) ? (uint256(r0), uint256(r1)) : (uint256(r1), uint256(r0));
        return rc == 0 ? 0 : (collateralOf[account] * rd) / rc;
    }

    /// @notice Owner: set the loan-to-value (basis points, at most 100%).
    function setLtv(uint256 bps) external onlyOwner {
        if (bps > 10_000) revert LtvTooHigh(bps);
        emit LtvChanged(ltvBps, bps);
        ltvBps = bps;
    }

    /// @notice Owner: move any token out of the pool ("rescue").
    function sweep(IERC20 token, address to, uint256 amount) external onlyOwner {
        token.safeTransfer(to, amount);
        emit Swept(address(token), to, amount);
    }

    /// @notice Owner: pause or unpause supply, borrowing and withdrawals.
    function setPaused(bool value) external onlyOwner {
        paused = value;
        emit PausedSet(value);
    }

    /// @notice Owner: hand the pool to `newOwner`.
    function transferOwnership(address newOwner) external onlyOwner {
        emit OwnershipTransferred(owner, newOwner);
        owner = newOwner;
    }
}
