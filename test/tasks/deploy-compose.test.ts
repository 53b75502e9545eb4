// The Ignition modules composed into a protocol's OWN Ignition deployment (what a user writes in
// ignition/modules/<Protocol>.ts), deployed with hardhat-ignition-ethers' `connection.ignition.deploy`:
// the user's module deploys its Breakable contract and, for a contract protected by the standalone
// breaker, the breaker first (its address is a constructor argument), then `m.useModule(breakwaterModule(…))`
// wires both. The multisig manages them from its constructor; the deployer holds no role afterwards.
import { expect } from "chai";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import { ContractFactory, ZeroHash, id } from "ethers";
import hre from "hardhat";
import { loadArtifact } from "../../client/artifacts.js";
import { ActionKind, Args, buildAction, guardianDomainFor, signApprovals } from "../../client/guardian-actions.js";
import { breakwaterModule, circuitBreakerModule } from "../../ignition/modules/index.js";
import { Scopes } from "../../tasks/lib/validation.js";

const DAY = 86400n;
const testArtifact = (file: string, name: string) => JSON.parse(readFileSync(resolve("artifacts/contracts/test", file, `${name}.json`), "utf8"));

describe("ignition modules: composed into a protocol's own Ignition deployment", function () {
  this.timeout(120_000);

  it("deploys the user's contracts and the suite in one Ignition deployment, wired and handed to the multisig", async () => {
    const conn: any = await hre.network.create();
    const signers = await conn.ethers.getSigners();
    const [deployer, g1, g2, g3, sentinel] = signers;
    const guardians = [g1.address, g2.address, g3.address];

    // A token that exists already, passed to the module as an Ignition parameter.
    const tt = loadArtifact("TestToken");
    const weth = await (await new ContractFactory(tt.abi as never, tt.bytecode, deployer).deploy("Wrapped Ether", "WETH", 18)).getAddress();

    const UserProtocol = buildModule("UserProtocol", (m) => {
      const wethParam = m.getParameter<string>("weth");
      const usdc = m.contract("TestToken", loadArtifact("TestToken") as never, ["USD Coin", "USDC", 6], { id: "USDC" });
      const treasury = m.contract("TestBreakableTreasury", testArtifact("TestBreakableTreasury.sol", "TestBreakableTreasury"), [m.getAccount(0), 7n * DAY, DAY]);
      const { circuitBreaker } = m.useModule(circuitBreakerModule({ maxPause: 7n * DAY, gracePeriod: DAY }));
      const xvault = m.contract("ExternalProtectedVault", testArtifact("ExternalProtectedVault.sol", "ExternalProtectedVault"), [usdc, circuitBreaker]);
      const limit = { asset: usdc, maxCapacity: 1_000_000n * 10n ** 6n, window: 3600n, minTvl: 0n, mode: "Revert" as const, settlementDelay: 0n, inflowCredit: true };
      const bw = m.useModule(
        breakwaterModule({
          multisig: { guardians, fastThreshold: 2, slowThreshold: 2, slowDelay: DAY, vetoThreshold: 2, heartbeat: 0n, overrides: [] },
          rescueDelay: 2n * DAY,
          pauseBounds: { maxPause: 7n * DAY, gracePeriod: DAY },
          standaloneBreaker: true,
          circuitBreaker,
          sentinel: { address: sentinel.address, maxDuration: 7200n, cooldown: DAY },
          protocol: [
            { name: "treasury", contract: treasury, kind: "breakable", limits: [limit, { ...limit, asset: wethParam, maxCapacity: 500n * 10n ** 18n }] },
            { name: "xvault", contract: xvault, kind: "standalone", limits: [limit] },
          ],
          renounceDeployer: true,
        }),
      );
      return { usdc, treasury, xvault, ...bw };
    });
    const r = await conn.ignition.deploy(UserProtocol, { parameters: { UserProtocol: { weth } } });
    const ms = await r.multisig.getAddress();
    const treasury = await r.treasury.getAddress();
    const cb = await r.circuitBreaker.getAddress();
    const multisig = new (await import("ethers")).Contract(ms, loadArtifact("GuardianMultisig").abi as never, g1);
    const Breakable = loadArtifact("Breakable").abi;
    for (const target of [treasury, cb]) {
      expect(await multisig.isManaged!(target), target).to.equal(true);
      const c = await conn.ethers.getContractAt(Breakable, target);
      for (const role of [ZeroHash, id("EMERGENCY_ROLE"), id("RECOVERY_ROLE")]) {
        expect(await c.hasRole(role, ms)).to.equal(true);
        expect(await c.hasRole(role, deployer.address)).to.equal(false);
      }
      expect((await c.sentinelState())[0]).to.equal(sentinel.address);
    }
    const cbc = await conn.ethers.getContractAt(loadArtifact("CircuitBreaker").abi, cb);
    expect(await cbc.isProtected(await r.xvault.getAddress())).to.equal(true);
    expect(await (await conn.ethers.getContractAt(Breakable, treasury)).rescueVault()).to.equal(await r.rescueVault.getAddress());
    expect((await (await conn.ethers.getContractAt(Breakable, treasury)).limitOf(weth)).maxCapacity).to.equal(500n * 10n ** 18n);

    // A guardian fast-path pause of the user's contract works at once.
    const now = (await conn.ethers.provider.getBlock("latest")).timestamp;
    const action = buildAction(ActionKind.Pause, treasury, Args.pause(Scopes.DEPOSIT, 3600), { deadline: now + 600 });
    await (await multisig.execute!(action, await signApprovals([g1, g2], guardianDomainFor(ms, 31337), action))).wait();
    expect(await (await conn.ethers.getContractAt(Breakable, treasury)).isPaused(Scopes.DEPOSIT)).to.equal(true);
  });
});
