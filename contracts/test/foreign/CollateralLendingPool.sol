// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Breakable} from "../../breaker/Breakable.sol";
import {Scopes} from "../../breaker/Scopes.sol";

/// @title CollateralLendingPool (test only, deliberately vulnerable)
/// @notice A protocol this repository's drills do not know, for the forensics tests: lenders
/// supply a stable token (6 decimals) and earn nothing; borrowers lock a collateral token and
/// borrow the stable token up to `ltvBps` of the collateral's value at an admin-set price.
/// @dev THE BUG: `borrow` checks each new loan against the borrower's whole credit line instead of
/// the credit line left after the existing debt, so the same collateral backs any number of loans.
contract CollateralLendingPool is Breakable {
    using SafeERC20 for IERC20;

    uint256 private constant BPS = 10_000;
    uint256 private constant PRICE_SCALE = 1e18;

    /// @notice The token lenders supply and borrowers borrow (6 decimals).
    IERC20 public immutable stable;
    /// @notice The token borrowers lock.
    IERC20 public immutable collateral;
    /// @notice Loan-to-value in basis points (5000 = a loan up to half the collateral's value).
    uint256 public immutable ltvBps;
    /// @notice Stable base units per collateral base unit, scaled by 1e18.
    uint256 public price;

    /// @notice Stable supplied by each lender (the lender's claim on the pool).
    mapping(address account => uint256) public supplied;
    /// @notice Collateral locked by each borrower.
    mapping(address account => uint256) public collateralOf;
    /// @notice Stable owed by each borrower.
    mapping(address account => uint256) public debtOf;
    /// @notice Sum of `supplied`.
    uint256 public totalSupplied;
    /// @notice Sum of `debtOf`.
    uint256 public totalDebt;

    event Supplied(address indexed lender, uint256 amount, uint256 suppliedAfter);
    event SupplyWithdrawn(address indexed lender, uint256 amount, uint256 suppliedAfter);
    event CollateralLocked(address indexed borrower, uint256 amount, uint256 collateralAfter);
    event CollateralReleased(address indexed borrower, uint256 amount, uint256 collateralAfter);
    event Borrowed(address indexed borrower, uint256 amount, uint256 debtAfter);
    event Repaid(address indexed borrower, address indexed payer, uint256 amount, uint256 debtAfter);
    event Liquidated(address indexed borrower, address indexed liquidator, uint256 debtRepaid, uint256 collateralSeized);
    event PriceSet(uint256 oldPrice, uint256 newPrice);

    error AmountIsZero();
    error CreditLineExceeded(address borrower, uint256 requested, uint256 creditLine);
    error NotEnoughLiquidity(uint256 requested, uint256 available);
    error SupplyTooLow(address lender, uint256 requested, uint256 supplied);
    error CollateralTooLow(address borrower, uint256 requested, uint256 locked);
    error WouldBeUnhealthy(address borrower, uint256 debt, uint256 creditLine);
    error Healthy(address borrower, uint256 debt, uint256 creditLine);
    error LtvOutOfRange(uint256 ltvBps);

    /// @param admin breaker admin (pause / recovery roles) and price setter.
    constructor(IERC20 stable_, IERC20 collateral_, uint256 ltvBps_, uint256 price_, address admin)
        Breakable(admin, 7 days, 1 days)
    {
        if (ltvBps_ == 0 || ltvBps_ >= BPS) revert LtvOutOfRange(ltvBps_);
        stable = stable_;
        collateral = collateral_;
        ltvBps = ltvBps_;
        price = price_;
        emit PriceSet(0, price_);
    }

    /// @notice Set the collateral price (stable base units per collateral base unit, 1e18-scaled).
    function setPrice(uint256 newPrice) external onlyRole(DEFAULT_ADMIN_ROLE) {
        emit PriceSet(price, newPrice);
        price = newPrice;
    }

    /// @notice Supply `amount` stable to the pool.
    function supply(uint256 amount) external whenScopeActive(Scopes.DEPOSIT) {
        if (amount == 0) revert AmountIsZero();
        supplied[msg.sender] += amount;
        totalSupplied += amount;
        emit Supplied(msg.sender, amount, supplied[msg.sender]);
        stable.safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @notice Withdraw `amount` of the caller's supplied stable.
    function withdrawSupply(uint256 amount) external whenScopeActive(Scopes.WITHDRAW) {
        if (amount == 0) revert AmountIsZero();
        uint256 s = supplied[msg.sender];
        if (amount > s) revert SupplyTooLow(msg.sender, amount, s);
        uint256 available = stable.balanceOf(address(this));
        if (amount > available) revert NotEnoughLiquidity(amount, available);
        supplied[msg.sender] = s - amount;
        totalSupplied -= amount;
        emit SupplyWithdrawn(msg.sender, amount, s - amount);
        stable.safeTransfer(msg.sender, amount);
    }

    /// @notice Lock `amount` collateral.
    function lockCollateral(uint256 amount) external whenScopeActive(Scopes.DEPOSIT) {
        if (amount == 0) revert AmountIsZero();
        collateralOf[msg.sender] += amount;
        emit CollateralLocked(msg.sender, amount, collateralOf[msg.sender]);
        collateral.safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @notice Release `amount` of the caller's collateral, if the remaining collateral covers its debt.
    function releaseCollateral(uint256 amount) external whenScopeActive(Scopes.WITHDRAW) {
        if (amount == 0) revert AmountIsZero();
        uint256 c = collateralOf[msg.sender];
        if (amount > c) revert CollateralTooLow(msg.sender, amount, c);
        uint256 line = _creditLine(c - amount);
        if (debtOf[msg.sender] > line) revert WouldBeUnhealthy(msg.sender, debtOf[msg.sender], line);
        collateralOf[msg.sender] = c - amount;
        emit CollateralReleased(msg.sender, amount, c - amount);
        collateral.safeTransfer(msg.sender, amount);
    }

    /// @notice Borrow `amount` stable against the caller's collateral.
    function borrow(uint256 amount) external whenScopeActive(Scopes.BORROW) {
        if (amount == 0) revert AmountIsZero();
        uint256 line = creditLine(msg.sender);
        // BUG (deliberate): compares the new loan alone with the credit line; the debt already
        // taken is ignored, so every call can take a full credit line again.
        if (amount > line) revert CreditLineExceeded(msg.sender, amount, line);
        uint256 available = stable.balanceOf(address(this));
        if (amount > available) revert NotEnoughLiquidity(amount, available);
        debtOf[msg.sender] += amount;
        totalDebt += amount;
        emit Borrowed(msg.sender, amount, debtOf[msg.sender]);
        stable.safeTransfer(msg.sender, amount);
    }

    /// @notice Repay up to `amount` of `borrower`'s debt (anyone may; never paused).
    function repay(address borrower, uint256 amount) external {
        if (amount == 0) revert AmountIsZero();
        uint256 d = debtOf[borrower];
        if (amount > d) amount = d;
        debtOf[borrower] = d - amount;
        totalDebt -= amount;
        emit Repaid(borrower, msg.sender, amount, d - amount);
        stable.safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @notice Repay the whole debt of an unhealthy borrower and take all its collateral.
    function liquidate(address borrower) external {
        uint256 d = debtOf[borrower];
        uint256 c = collateralOf[borrower];
        uint256 line = _creditLine(c);
        if (d == 0 || d <= line) revert Healthy(borrower, d, line);
        debtOf[borrower] = 0;
        collateralOf[borrower] = 0;
        totalDebt -= d;
        emit Liquidated(borrower, msg.sender, d, c);
        stable.safeTransferFrom(msg.sender, address(this), d);
        collateral.safeTransfer(msg.sender, c);
    }

    /// @notice The most `account` may owe against its collateral at the current price.
    function creditLine(address account) public view returns (uint256) {
        return _creditLine(collateralOf[account]);
    }

    function _creditLine(uint256 collateralAmount) private view returns (uint256) {
        return (collateralAmount * price * ltvBps) / PRICE_SCALE / BPS;
    }

    function _transferOutAsset(address asset, address to, uint256 amount) internal override {
        IERC20(asset).safeTransfer(to, amount);
    }
}
