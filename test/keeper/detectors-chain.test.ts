// Invariants against a REAL chain (Hardhat's in-process network): a ProtectedVault over a
// TestToken, reads batched through a deployed Multicall3 (aggregate3, pinned to each block), a
// simulated drain (tokens leave the vault without burning shares) trips share-price-drop and the
// outflow spike; healthy blocks trip nothing; every block costs exactly one eth_call.
import { expect } from "chai";
import { network } from "hardhat";
import { id, Interface } from "ethers";
import { createDetectors, parseRules } from "../../keeper/detectors/index.js";
import type { BlockData, DetectionContext, Detector, Finding, ReadCall, ReadResult } from "../../keeper/types.js";

const { ethers } = await network.create();
const E18 = 10n ** 18n;
const DAY = 86_400n;
const mc = new Interface([
  "function aggregate3((address target, bool allowFailure, bytes callData)[] calls) payable returns ((bool success, bytes returnData)[] returnData)",
]);

describe("keeper/detectors on a real chain (Hardhat network + Multicall3)", () => {
  it("share-price-drop fires after a simulated drain; one eth_call per block", async () => {
    const [admin, alice, attacker] = await ethers.getSigners();
    const token = await ethers.deployContract("TestToken", ["Test USD", "TUSD", 18]);
    const vault = await ethers.deployContract("ProtectedVault", [await token.getAddress(), "Vault TUSD", "vTUSD", admin.address, 7n * DAY, DAY]);
    const multicall = await ethers.deployContract("Multicall3");
    const T = (await token.getAddress()).toLowerCase();
    const V = (await vault.getAddress()).toLowerCase();
    const M = await multicall.getAddress();

    await (await vault.setLimit(T, { maxCapacity: 100_000n * E18, window: DAY, minTvl: 0n, mode: 0, settlementDelay: 0n, inflowCredit: false })).wait();
    await (await token.mint(alice.address, 1_000_000n * E18)).wait();
    await (await token.connect(alice).approve(V, 2n ** 256n - 1n)).wait();
    await (await vault.connect(alice).deposit(1_000_000n * E18, alice.address)).wait();

    let ethCalls = 0;
    const provider = ethers.provider;
    const ctxFor = (b: BlockData): DetectionContext => ({
      block: b,
      readAt: async (calls: ReadCall[]): Promise<ReadResult[]> => {
        ethCalls++;
        const data = mc.encodeFunctionData("aggregate3", [calls.map((c) => ({ target: c.target, allowFailure: true, callData: c.data }))]);
        const raw = await provider.call({ to: M, data, blockTag: b.number });
        const [results] = mc.decodeFunctionResult("aggregate3", raw);
        return (results as { success: boolean; returnData: string }[]).map((r) => ({ success: r.success, returnData: r.returnData }));
      },
      getCode: (a) => provider.getCode(a, b.number),
      getBalance: (a) => provider.getBalance(a, b.number),
      getTransactionCount: (a) => provider.getTransactionCount(a, b.number),
    });
    const blockData = async (n: number): Promise<BlockData> => {
      const b = (await provider.getBlock(n, true))!;
      const txs = await Promise.all(
        b.prefetchedTransactions.map(async (t) => {
          const r = (await provider.getTransactionReceipt(t.hash))!;
          return { tx: t, r };
        }),
      );
      return {
        number: b.number,
        hash: b.hash!,
        parentHash: b.parentHash,
        timestamp: b.timestamp,
        transactions: txs.map(({ tx, r }) => ({
          hash: tx.hash,
          index: tx.index,
          from: tx.from,
          to: tx.to,
          input: tx.data,
          value: tx.value,
          nonce: tx.nonce,
          createdContract: r.contractAddress ?? undefined,
          success: r.status === 1,
        })),
        logs: txs.flatMap(({ r }) =>
          r.logs.map((l) => ({ address: l.address, topics: [...l.topics], data: l.data, transactionHash: l.transactionHash, transactionIndex: l.transactionIndex, logIndex: l.index })),
        ),
      };
    };

    const ds: Detector[] = createDetectors(
      parseRules([
        { id: "price", severity: "P1", detector: { kind: "invariant", invariant: { type: "share-price-drop", vault: "$vault", maxDropBps: 50 } } },
        {
          id: "covers",
          severity: "P1",
          detector: { kind: "invariant", invariant: { type: "balance-covers", token: "$token", holder: "$vault", call: { target: "$vault", signature: "totalAssets()" } } },
        },
        {
          id: "not-paused",
          severity: "P3",
          detector: { kind: "invariant", invariant: { type: "view-compare", target: "$vault", signature: "isPaused(bytes32)", args: [id("breakwater.scope.GLOBAL")], returns: "bool", op: "eq", value: false } },
        },
        { id: "outflow", severity: "P2", detector: { kind: "statistic", token: "$token", holder: "$vault", warmupBlocks: 3, window: 10 } },
      ]),
      { named: { vault: V, token: T } },
    );
    const evalBlock = async (n: number) => {
      const ctx = ctxFor(await blockData(n));
      return (await Promise.all(ds.map((d) => d.evaluate(ctx)))).flat();
    };

    // healthy blocks: small withdrawals, a deposit
    const found: Finding[] = [];
    const start = await provider.getBlockNumber();
    for (let i = 0; i < 4; i++) {
      await (await vault.connect(alice).withdraw(100n * E18, alice.address, alice.address)).wait();
    }
    for (let n = start - 1; n <= (await provider.getBlockNumber()); n++) found.push(...(await evalBlock(n)));
    expect(found, found.map((f) => f.summary).join("\n")).to.have.length(0);
    const blocksSoFar = (await provider.getBlockNumber()) - start + 2;
    expect(ethCalls).to.equal(blocksSoFar);

    // the drain: 30% of the vault's tokens leave without burning shares (impersonated vault)
    await provider.send("hardhat_impersonateAccount", [V]);
    await provider.send("hardhat_setBalance", [V, "0xde0b6b3a7640000"]);
    const vaultSigner = await ethers.getSigner(V);
    const bal = await token.balanceOf(V);
    await (await token.connect(vaultSigner).transfer(attacker.address, (bal * 3n) / 10n)).wait();
    const drained = await evalBlock(await provider.getBlockNumber());
    const byRule = Object.fromEntries(drained.map((f) => [f.ruleId, f]));
    expect(Object.keys(byRule).sort()).to.deep.equal(["outflow", "price"]);
    expect(byRule.price.details.dropBps).to.be.within(2999, 3000);
    expect(byRule.price.fingerprint).to.equal(`price:invariant:${V}`);
    expect(byRule.outflow.details.signal).to.equal("spike");
    expect(ethCalls).to.equal(blocksSoFar + 1);
  });
});
