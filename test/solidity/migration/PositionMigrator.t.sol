// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// PositionMigrator: fuzz tests.
///
/// Properties:
///  P1 migration preserves the owner's assets up to vault rounding: the new
///     shares are worth the assets the old shares redeemed for (at most 1 wei
///     per conversion lost), and the old shares are burned;
///  P2 the migrator keeps nothing and leaves no allowance behind;
///  P3 a signature is single-use and bound to its signer.

import {Test} from "../utils/Test.sol";
import {PositionMigrator} from "../../../contracts/migration/PositionMigrator.sol";
import {MockMigratableVault} from "../../../contracts/migration/test/MockMigratableVault.sol";
import {TestToken} from "../../../contracts/test/TestToken.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// A "vault" that pulls only half of what it is approved for: the migrator
/// must not leave the other half approved.
contract HalfPullVault is ERC20 {
    IERC20 internal immutable _asset;

    constructor(IERC20 asset_) ERC20("half", "half") {
        _asset = asset_;
    }

    function asset() external view returns (address) {
        return address(_asset);
    }

    function deposit(uint256 assets, address receiver) external returns (uint256) {
        _asset.transferFrom(msg.sender, address(this), assets / 2);
        _mint(receiver, assets / 2);
        return assets / 2;
    }
}

contract PositionMigratorTest is Test {
    TestToken internal token;
    MockMigratableVault internal oldVault;
    MockMigratableVault internal newVault;
    PositionMigrator internal migrator;
    uint256 internal constant ALICE_PK = 0xA11CE;
    address internal alice;
    address internal constant OTHER = address(0x0123456);

    function setUp() public {
        alice = vm.addr(ALICE_PK);
        token = new TestToken("Asset", "AST", 18);
        oldVault = new MockMigratableVault(token, "old", "old");
        newVault = new MockMigratableVault(token, "new", "new");
        migrator = new PositionMigrator(address(this));
        oldVault.setMigrator(address(migrator));
        migrator.setRoute(address(oldVault), address(newVault), true);
    }

    function _deposit(MockMigratableVault v, address who, uint256 amount) internal {
        if (amount == 0) return;
        token.mint(who, amount);
        vm.startPrank(who);
        token.approve(address(v), amount);
        v.deposit(amount, who);
        vm.stopPrank();
    }

    function testFuzz_migrationPreservesAssets(
        uint96 aliceDeposit,
        uint96 otherOld,
        uint96 yieldOld,
        uint96 otherNew,
        uint96 yieldNew,
        uint256 fraction
    ) public {
        aliceDeposit = uint96(bound(aliceDeposit, 1e6, type(uint96).max));
        _deposit(oldVault, alice, aliceDeposit);
        _deposit(oldVault, OTHER, otherOld);
        _deposit(newVault, OTHER, otherNew);
        token.mint(address(oldVault), uint256(yieldOld) % (uint256(aliceDeposit) + otherOld));
        if (otherNew > 0) token.mint(address(newVault), uint256(yieldNew) % otherNew);
        oldVault.setPaused(true);

        uint256 held = oldVault.balanceOf(alice);
        uint256 shares = bound(fraction, 1, held);
        uint256 assets = oldVault.previewRedeem(shares);
        vm.assume(assets > 0 && newVault.previewDeposit(assets) > 0);

        vm.prank(alice);
        uint256 minted = migrator.migrate(address(oldVault), address(newVault), shares, 0);

        assertEq(oldVault.balanceOf(alice), held - shares, "old shares burned");
        assertEq(newVault.balanceOf(alice), minted, "new shares");
        uint256 worth = newVault.convertToAssets(minted);
        assertLe(worth, assets, "no value created");
        assertGe(worth + 2, assets, "value preserved up to rounding");
        assertEq(token.balanceOf(address(migrator)), 0, "migrator holds nothing");
        assertEq(token.allowance(address(migrator), address(newVault)), 0, "no dangling allowance");
    }

    function testFuzz_signatureSingleUseAndBound(uint96 amount, uint256 wrongPk) public {
        amount = uint96(bound(amount, 1, type(uint96).max));
        wrongPk = bound(wrongPk, 1, 2 ** 200);
        vm.assume(wrongPk != ALICE_PK);
        _deposit(oldVault, alice, amount);
        uint256 deadline = block.timestamp + 1 hours;
        uint256 all = migrator.ALL_SHARES();
        bytes32 digest = migrator.migrateDigest(alice, address(oldVault), address(newVault), all, 1, deadline);

        (uint8 v, bytes32 r, bytes32 s) = vm.sign(wrongPk, digest);
        vm.expectRevert(abi.encodeWithSelector(PositionMigrator.InvalidSignature.selector, alice));
        migrator.migrateWithSig(alice, address(oldVault), address(newVault), all, 1, deadline, abi.encodePacked(r, s, v));

        (v, r, s) = vm.sign(ALICE_PK, digest);
        bytes memory sig = abi.encodePacked(r, s, v);
        migrator.migrateWithSig(alice, address(oldVault), address(newVault), all, 1, deadline, sig);
        assertEq(oldVault.balanceOf(alice), 0, "migrated");
        vm.expectRevert(abi.encodeWithSelector(PositionMigrator.InvalidSignature.selector, alice));
        migrator.migrateWithSig(alice, address(oldVault), address(newVault), all, 1, deadline, sig);
    }

    /// P2 with a new vault that pulls less than approved: no allowance is left behind.
    function testFuzz_noDanglingAllowance(uint96 amount) public {
        amount = uint96(bound(amount, 2, type(uint96).max));
        HalfPullVault half = new HalfPullVault(token);
        migrator.setRoute(address(oldVault), address(half), true);
        _deposit(oldVault, alice, amount);
        uint256 all = migrator.ALL_SHARES(); // before prank: an external call would consume it
        vm.prank(alice);
        migrator.migrate(address(oldVault), address(half), all, 1);
        assertEq(token.allowance(address(migrator), address(half)), 0, "dangling allowance");
    }
}
