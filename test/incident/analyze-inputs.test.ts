// `incident analyze` on a small in-process chain: a unit-level flow check (approval drain of a
// victim EOA, ETH top-level value, funding source, decoding) and every bad input: unknown
// incident, empty / out-of-head range, bad addresses, an RPC of the wrong chain, a contract with
// no code — each a clear error naming the option, and nothing written.
import { expect } from "chai";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import hre from "hardhat";
import { KeeperStore } from "../../keeper/store/store.js";
import { OperatorError } from "../../tasks/lib/errors.js";
import { analyzeIncident, type AnalyzeOptions, type Rpc } from "../../tasks/incident/forensics/analyze.js";
import { analyzeAction } from "../../tasks/incident/analyze.js";

const E18 = 10n ** 18n;

async function rejects(p: Promise<unknown>, pattern: RegExp): Promise<string> {
  try {
    await p;
  } catch (err) {
    expect(err, String(err)).to.be.instanceOf(OperatorError);
    expect((err as Error).message).to.match(pattern);
    return (err as Error).message;
  }
  throw new Error(`expected a rejection matching ${pattern}`);
}

describe("incident analyze: flows on a small chain, and bad inputs", function () {
  this.timeout(60_000);
  let conn: any;
  let rpc: Rpc;
  let token: any;
  let tokenAddress: string;
  let victim: string;
  let attacker: string;
  let from = 0;
  let to = 0;
  const dir = mkdtempSync(join(tmpdir(), "forensics-inputs-"));

  before(async function () {
    conn = await hre.network.create();
    rpc = { send: (method, params) => conn.provider.request({ method, params }) };
    const [deployer, v, , , , , , , , fresh] = await conn.ethers.getSigners();
    token = await conn.ethers.deployContract("TestToken", ["Drill USD", "dUSD", 18]);
    tokenAddress = await token.getAddress();
    victim = v.address;
    // A fresh attacker key, funded inside the analysed range.
    const att = conn.ethers.Wallet.createRandom().connect(conn.ethers.provider);
    attacker = att.address;
    await (await token.mint(victim, 1_000n * E18)).wait();
    await (await token.connect(v).approve(attacker, 2n ** 256n - 1n)).wait(); // the phished approval
    from = (await conn.ethers.provider.getBlockNumber()) + 1;
    await (await deployer.sendTransaction({ to: attacker, value: 2n * E18 })).wait();
    await (await token.connect(att).transferFrom(victim, attacker, 400n * E18)).wait();
    await (await att.sendTransaction({ to: fresh.address, value: E18 / 2n })).wait();
    to = await conn.ethers.provider.getBlockNumber();
  });

  const base = (): AnalyzeOptions => ({ rpc, rpcLabel: "in-process", fromBlock: from, toBlock: to, suspects: [attacker], victims: [victim], trace: false });

  it("approval drain: decoded call, victim's loss, attacker's gain, ETH value and funding source", async function () {
    const a = await analyzeIncident(base());
    expect(a.loss.byAsset[tokenAddress]).to.equal((400n * E18).toString());
    expect(a.loss.total).to.equal((400n * E18).toString());
    expect(a.loss.totalUnit).to.equal(tokenAddress);
    expect(a.loss.perAccount).to.deep.equal([{ account: victim, role: "victim", byAsset: { [tokenAddress]: (400n * E18).toString() }, value: (400n * E18).toString() }]);
    const gain = a.loss.perAttacker.find((p) => p.account === attacker)!;
    expect(gain.byAsset[tokenAddress]).to.equal((400n * E18).toString());
    // The 2 ETH someone else sent the attacker is funding, not a gain: only its own 0.5 ETH transfer counts.
    expect(gain.byAsset.ETH).to.equal((-E18 / 2n).toString());
    const drain = a.attackerTxs.find((t) => t.call?.signature === "transferFrom(address,address,uint256)");
    expect(drain, "transferFrom decoded").to.not.equal(undefined);
    expect(drain!.events[0]!.signature).to.equal("Transfer(address,address,uint256)");
    expect(a.attackerTxs.map((t) => t.status)).to.deep.equal(["success", "success"]); // the funding tx is not the attacker's
    const f = a.funding.find((x) => x.account === attacker)!;
    const [deployer] = await conn.ethers.getSigners();
    expect(f.sources.map((x) => [x.label, x.kind, x.from, x.amount])).to.deep.equal([["transfer", "native", deployer.address, (2n * E18).toString()]]);
    expect(f.sources[0]!.text).to.include(`from EOA ${deployer.address}`);
    // The drained tokens came from the victim: never funding (and after the first harmful tx anyway).
    expect(f.sources.some((x) => x.from === victim)).to.equal(false);
    expect(a.response.firstHarmful?.hash).to.equal(drain!.hash);
    const flow = a.flows.find((x) => x.account === victim)!;
    expect(flow.balances![tokenAddress]!.diff).to.equal((-400n * E18).toString());
    expect(flow.balances![tokenAddress]!.reconciled).to.equal(true);
  });

  it("unknown selectors are shown raw", async function () {
    const [sender] = await conn.ethers.getSigners();
    const f0 = (await conn.ethers.provider.getBlockNumber()) + 1;
    await (await sender.sendTransaction({ to: tokenAddress, data: "0xdeadbeef" + "00".repeat(32), gasLimit: 100_000 }).catch(() => null))?.wait().catch(() => null);
    const t1 = await conn.ethers.provider.getBlockNumber();
    const a = await analyzeIncident({ rpc, rpcLabel: "in-process", fromBlock: f0, toBlock: t1, suspects: [sender.address], contracts: [tokenAddress], trace: false });
    const t = a.attackerTxs[0];
    if (t) {
      expect(t.call?.signature).to.equal(undefined);
      expect(t.call?.selector).to.equal("0xdeadbeef");
      expect(t.call?.raw).to.match(/^0xdeadbeef/);
    }
  });

  it("bad inputs: each error names its option", async function () {
    await rejects(analyzeIncident({ ...base(), suspects: ["0x1234"] }), /--suspects "0x1234" is not an address/);
    await rejects(analyzeIncident({ ...base(), contracts: ["not-an-address"] }), /--contracts "not-an-address" is not an address/);
    await rejects(analyzeIncident({ ...base(), contracts: ["0x000000000000000000000000000000000000dEaD"] }), /--contracts 0x000000000000000000000000000000000000dEaD has no code/);
    await rejects(analyzeIncident({ ...base(), fromBlock: to, toBlock: from }), /--from-block \d+ is after --to-block \d+: the range is empty/);
    await rejects(analyzeIncident({ ...base(), toBlock: to + 1000 }), /--to-block \d+ is beyond the chain head/);
    await rejects(analyzeIncident({ ...base(), suspects: [] }), /--suspects: at least one attacker address/);
    await rejects(analyzeIncident({ ...base(), victims: [] }), /--contracts: at least one protected contract/);
    await rejects(analyzeIncident({ ...base(), chainId: 1 }), /--chain-id 1: the RPC \(in-process\) is chain 31337/);
    await rejects(analyzeIncident({ ...base(), prices: ["dUSD=abc"], valueIn: "dUSD" }), /--prices "dUSD=abc"/);
    await rejects(analyzeIncident({ ...base(), owed: ["nonsense"] }), /--owed "nonsense"/);
    await rejects(analyzeIncident({ ...base(), fromBlock: undefined, toBlock: undefined }), /--from-block is required/);
    await rejects(analyzeIncident({ ...base(), incident: "x" }), /--incident needs --store/);
    await rejects(analyzeIncident({ ...base(), abi: [join(dir, "nope.json")] }), /--abi .*nope\.json: no such file or directory/);
    await rejects(analyzeIncident({ ...base(), positions: "balance" }), /--positions "balance" is not erc4626, reader:<function\(address\)>, or csv:<file>/);
    await rejects(analyzeIncident({ ...base(), positions: "csv:/nonexistent.csv" }), /--positions csv:\/nonexistent\.csv: no such file/);
  });

  it("unknown incident, missing store, store of another chain (wrong RPC)", async function () {
    const path = join(dir, "keeper.sqlite");
    const store = new KeeperStore(path);
    store.bindChain(31337);
    store.openIncident({ ruleId: "r", detector: "matcher", severity: "P1", fingerprint: "fp", blockNumber: from, blockHash: "0x" + "11".repeat(32), summary: "s", details: {} }, 0);
    store.close();
    const msg = await rejects(analyzeIncident({ ...base(), storePath: path, incident: "nope" }), /--incident "nope": no such incident/);
    expect(msg).to.include("r:");
    await rejects(analyzeIncident({ ...base(), storePath: join(dir, "missing.sqlite"), incident: "nope" }), /--store .*missing\.sqlite: no such file/);
    expect(existsSync(join(dir, "missing.sqlite")), "a wrong --store path is never created").to.equal(false);
    const other = join(dir, "mainnet.sqlite");
    const s2 = new KeeperStore(other);
    s2.bindChain(1);
    s2.close();
    await rejects(analyzeIncident({ ...base(), storePath: other }), /--rpc-url: the RPC \(in-process\) is chain 31337, but the store .* belongs to chain 1/);
  });

  it("the task writes nothing on a bad input", async function () {
    const out = join(dir, "bad.json");
    await rejects(analyzeAction({ fromBlock: 5, toBlock: 2, suspects: attacker, victims: victim, out }, hre), /range is empty/);
    expect(existsSync(out)).to.equal(false);
    await rejects(analyzeAction({ rpcUrl: "ftp://x", fromBlock: 1, suspects: attacker, victims: victim, out }, hre), /--rpc-url "ftp:\/\/x" is not an http/);
    expect(existsSync(out)).to.equal(false);
  });
});
