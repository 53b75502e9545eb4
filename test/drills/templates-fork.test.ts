// The templates, a user's scenario file and a replay on a FORK of a spawned `hardhat node` that
// stands in for a live chain: the foreign protocol (a real Uniswap V2 pair and ForeignLendingPool)
// and a Breakable vault are deployed into the node by their own deploy flow, an address book is
// written for them, and the drills attach through it. Then the replay: a drain is staged on the
// node ("history"), the drill forks BEFORE it and replays the attacker's transactions by hash with
// the sender impersonated — the keeper contains it — and replays them again re-targeted to the
// current deployment. Last, safe attachment: wrong books are SKIPPED with their reason, bad input
// is one sentence and never hangs.
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Contract, Wallet } from "ethers";
import hre from "hardhat";
import { ROOT, freePort, startHardhatNode, type HardhatNode } from "../keeper/helpers/node.js";
import { loadScenarios } from "../../tasks/drills/runner.js";
import type { AddressBook, DrillScore } from "../../tasks/drills/types.js";
import { deployForeignStack, deployVaultStack, deployWith, E18, type ForeignStack, type VaultStack } from "./helpers/foreign.js";
import { loadArtifact } from "../../client/artifacts.js";

const CLI = resolve(ROOT, "node_modules/hardhat/dist/src/cli.js");
const run = (args: Record<string, unknown>) =>
  hre.tasks.getTask(["breakwater", "drill", "run"]).run({ forkBlock: -1, intervalMs: 250, noBuild: true, ...args }) as Promise<DrillScore[]>;
const met = (s: DrillScore) => expect(s.unmet, `${s.scenario}: ${s.skipped ?? ""} ${s.unmet.join("; ")}`).to.deep.equal([]);

describe("drill templates, user files and replay on a fork of a spawned node", function () {
  this.timeout(180_000);
  let node: HardhatNode;
  const dir = mkdtempSync(join(tmpdir(), "drill-templates-fork-"));
  let foreign: ForeignStack;
  let vault: VaultStack;
  let bookFile: string;
  let book: AddressBook;
  let whale: string;
  let loanPair: string;
  const out = join(dir, "reports");
  const file = (name: string, v: unknown) => {
    const p = join(dir, name);
    writeFileSync(p, typeof v === "string" ? v : JSON.stringify(v, null, 2));
    return p;
  };

  before(async function () {
    node = await startHardhatNode();
    const [owner, lender, victim, whaleW] = [node.wallet(0), node.wallet(1), node.wallet(2), node.wallet(3)];
    foreign = await deployForeignStack(owner, lender);
    vault = await deployVaultStack(owner, victim);
    whale = whaleW.address;
    const debt = new Contract(foreign.debt, ["function mint(address,uint256)"], owner);
    await (await debt.getFunction("mint")(whale, 2_000_000n * E18)).wait();
    // A second, deeper FUSD pair of the same real factory on the "live" chain: a flash loan's source.
    const other = await deployWith(loadArtifact("TestToken"), owner, ["Other", "OTH", 18]);
    const factory = new Contract(foreign.factory, ["function createPair(address,address) returns (address)", "function getPair(address,address) view returns (address)"], owner);
    await (await factory.getFunction("createPair")(foreign.debt, other.target)).wait();
    loanPair = String(await factory.getFunction("getPair")(foreign.debt, other.target));
    await (await debt.getFunction("mint")(loanPair, 1_000_000n * E18)).wait();
    await (await other.getFunction("mint")(loanPair, 1_000_000n * E18)).wait();
    await (await new Contract(loanPair, ["function mint(address) returns (uint256)"], owner).getFunction("mint")(owner.address)).wait();
    book = {
      network: "localhost",
      chainId: 31337,
      deployedAt: new Date().toISOString(),
      blockNumber: await node.blockNumber(),
      contracts: { ...foreign, vault: vault.vault, asset: vault.asset, loanPair } as Record<string, string>,
      roles: { admin: owner.address },
    };
    delete book.contracts.owner;
    bookFile = file("localhost.json", book);
  });
  after(async function () {
    await node?.stop();
  });

  it("template:repeated-drain, template:key-compromise and template:price-manipulation attach through the book (--params files), detection only on the foreign pool", async function () {
    const drain = file("drain.json", { funds: { token: "$debt", holder: "$pool" }, call: { to: "$pool", signature: "withdrawSupply(uint256)", args: ["50000e18"] }, copycats: 2, rounds: 1, cooldownBlocks: 2 });
    const key = file("key.json", {
      funds: { token: "$debt", holder: "$pool" },
      key: "$admin",
      calls: [{ to: "$pool", signature: "sweep(address,address,uint256)", args: ["$debt", "$attacker", "500000e18"], note: "sweep with the owner key" }],
      cooldownBlocks: 2,
    });
    const price = file("price.json", {
      funds: { token: "$debt", holder: "$pool" },
      pair: "$pair",
      tokenIn: "$debt",
      amountIn: "300000e18",
      whale,
      attackerFunds: { token: "$collateral", amount: "10000e18" },
      attackerSetup: [
        { to: "$collateral", signature: "approve(address,uint256)", args: ["$pool", "10000e18"] },
        { to: "$pool", signature: "depositCollateral(uint256)", args: ["10000e18"] },
      ],
      exploit: [{ to: "$pool", signature: "borrow(uint256)", args: ["70000e18"] }],
      cooldownBlocks: 2,
    });
    // The same attack inside one flash swap from the book's loan pair (only the fee, from the whale).
    const flash = file("flash.json", { ...JSON.parse(readFileSync(price, "utf8")), flashSwap: { from: "$loanPair" } });
    for (const [name, params] of [["repeated-drain", drain], ["key-compromise", key], ["price-manipulation", price], ["price-manipulation", flash]] as const) {
      const [score] = await run({ scenario: `template:${name}`, params, forkUrl: node.url, addressBook: bookFile, out });
      met(score!);
      expect(score!.addressBook).to.equal(bookFile);
      expect(score!.fork?.url).to.equal(node.url);
      expect(String(score!.facts.containment)).to.match(/detection only/);
      expect(score!.detectedBlock).to.not.equal(null);
      if (name === "price-manipulation") expect(String(score!.facts.swapFundedBy)).to.include(whale);
      if (params === flash) {
        expect(String(score!.facts.flashSwap)).to.match(new RegExp(`^300,000 FUSD borrowed from ${loanPair} by the attacker's contract 0x[0-9a-fA-F]{40}, repaid`));
        expect(score!.transactions.filter((t) => t.kind === "malicious").map((t) => t.success)).to.deep.equal([true]);
      }
    }
    // The node (the live chain) is untouched.
    const bal = new Contract(foreign.debt, ["function balanceOf(address) view returns (uint256)"], node.provider);
    expect(await bal.getFunction("balanceOf")(foreign.pool)).to.equal(1_000_000n * E18);
  });

  it("--keeper-config: the drill keeps the team's production rules and contracts, and overrides only RPC, store and signer keys", async function () {
    const teamConfig = file("keeper.config.json", {
      name: "pool-keeper-prod",
      chain: { chainId: 31337, rpcUrls: ["https://rpc.example.org/prod"] },
      contracts: { breaker: foreign.pool, named: { pool: foreign.pool } },
      store: { path: "/var/lib/keeper/prod.sqlite" },
      signers: { sentinel: { type: "local", keyEnv: "PROD_SENTINEL_KEY_NOT_HERE" } },
      alerts: { channels: [{ type: "webhook", name: "team-pager", url: "https://pager.example.org/hook", secretEnv: "TEAM_PAGER_SECRET_NOT_SET" }] },
      rules: [
        {
          id: "team-owner-sweep",
          severity: "P1",
          action: "alert",
          detector: { kind: "matcher", addresses: ["$pool"], events: [{ signature: "Swept(address indexed token, address indexed to, uint256 amount)" }] },
        },
      ],
    });
    const key = file("key-team.json", {
      funds: { token: "$debt", holder: "$pool" },
      key: "$admin",
      calls: [{ to: "$pool", signature: "sweep(address,address,uint256)", args: ["$debt", "$attacker", "1000e18"], note: "a small sweep only the team's rule sees" }],
      cooldownBlocks: 2,
    });
    const [score] = await run({ scenario: "template:key-compromise", params: key, forkUrl: node.url, addressBook: bookFile, keeperConfig: teamConfig, out });
    met(score!);
    expect(score!.incidents?.map((i) => i.ruleId)).to.deep.equal(["team-owner-sweep"]);
    // The team's paging stays when its secret is here; without it the channel is left out, said so.
    expect(score!.facts.teamAlertChannels).to.equal("kept: none; left out: team-pager (TEAM_PAGER_SECRET_NOT_SET not set)");
    expect(score!.detectedBlock).to.equal(score!.firstMaliciousBlock);
  });

  it("a user's scenario file attaches to the book's pool on the fork", async function () {
    const [score] = await run({ scenario: resolve(ROOT, "test/drills/fixtures/drills/foreign-pool-drain.ts"), forkUrl: node.url, addressBook: bookFile, out });
    met(score!);
    expect(score!.incidents?.some((i) => i.ruleId === "large-supply-withdrawal")).to.equal(true);
  });

  it("replay: forks before a staged drain, replays the attacker's txs by hash (sender impersonated) and the keeper contains it; re-targeted to the current deployment it is contained too", async function () {
    const attacker = node.wallet(3).connect(node.provider);
    const forkBlock = await node.blockNumber();
    const v = new Contract(vault.vault, ["function emergencyWithdraw(address,address,uint256) returns (uint256)"], attacker);
    const hashes: string[] = [];
    for (let i = 0; i < 3; i++) {
      const tx = await v.getFunction("emergencyWithdraw")(vault.victim, attacker.address, 60_000n * E18);
      await tx.wait();
      hashes.push(tx.hash);
    }
    const params = file("replay.json", { txs: hashes, funds: { token: "$asset", holder: "$vault" }, breaker: "$vault", cooldownBlocks: 2 });
    const [score] = await run({ scenario: "template:replay", params, forkUrl: node.url, forkBlock, addressBook: bookFile, out, intervalMs: 600 });
    met(score!);
    expect(score!.fork?.blockNumber).to.equal(forkBlock);
    expect(String(score!.facts.containment)).to.match(/^scored/);
    expect(score!.facts.replayedTransactions).to.equal(3);
    expect(score!.blocksToContain).to.be.at.most(1);
    const mal = score!.transactions.filter((t) => t.kind === "malicious");
    expect(mal[0]!.success).to.equal(true); // "history": the first drain tx goes through
    expect(mal.slice(1).some((t) => t.success === false)).to.equal(true); // the keeper's pause stops the rest
    expect(score!.savedPct).to.be.greaterThan(90);

    // A fork AFTER the incident refuses: the transactions already happened there.
    const [late] = await run({ scenario: "template:replay", params, forkUrl: node.url, addressBook: bookFile, out });
    expect(late!.skipped).to.match(/already happened in the fork\. Pass --fork-block/);

    // The same attack against the current deployment: a new vault (same victim) named in a new book.
    const v2 = await deployVaultStack(node.wallet(0), node.wallet(2));
    const book2 = file("current.json", { ...book, blockNumber: await node.blockNumber(), contracts: { vault: v2.vault, asset: v2.asset } });
    // Forking the head: the hashes are history there, so the incident is given as {from, to, data}.
    const raw = await Promise.all(
      hashes.map(async (h) => {
        const t = (await node.provider.getTransaction(h))!;
        return { from: t.from, to: t.to!, data: t.data, value: "0" };
      }),
    );
    const retarget = file("replay-current.json", { txs: raw, retarget: { [vault.vault]: "$vault" }, funds: { token: "$asset", holder: "$vault" }, breaker: "$vault", cooldownBlocks: 2 });
    const [cur] = await run({ scenario: "template:replay", params: retarget, forkUrl: node.url, addressBook: book2, out, intervalMs: 600 });
    met(cur!);
    expect(String(cur!.facts.retargeted)).to.include(v2.vault);
    expect(cur!.transactions.filter((t) => t.kind === "malicious")[0]!.success).to.equal(true);
    expect(cur!.containedBlock).to.not.equal(null);
  });

  it("library scenarios run on the fork: the ones with their own vulnerable contracts deploy them into it; a lending pool named contracts.vault is not mistaken for an ERC-4626 vault", async function () {
    this.timeout(420_000); // nine drills
    // The case: a user's book names its lending pool "vault".
    const poolAsVault = file("pool-as-vault.json", { ...book, contracts: { vault: foreign.pool, asset: foreign.debt, pair: foreign.pair } });
    // All nine (about 90 s on 2 cores); DRILL_FORK_LIBRARY=<id,id> runs a subset.
    const ids = process.env.DRILL_FORK_LIBRARY ? process.env.DRILL_FORK_LIBRARY.split(",") : (await loadScenarios()).map((x) => x.id);
    for (const id of ids) {
      const [score] = await run({ scenario: id, forkUrl: node.url, addressBook: poolAsVault, out, intervalMs: 500 });
      met(score!);
      expect(score!.fork?.url).to.equal(node.url);
      if (id === "compromised-admin-key" || id === "benign-whale-busy-traffic") {
        expect(String(score!.facts.attachedToAddressBook)).to.match(/^no: contracts\.vault not used \(.* has no asset\(\): it is not an ERC-4626 vault/);
      }
      if (id === "oracle-manipulation-lending") {
        // The book's pair prices the collateral (token0: no contracts.collateral in this book).
        expect(score!.facts.pair).to.equal(foreign.pair);
        expect(score!.facts.pairSource).to.equal(`address book contracts.pair (${foreign.pair})`);
      }
    }
  });

  it("oracle-manipulation-lending on a fork: the book's factory gives the pair (getPair(collateral, debt)) and whales found in recent transfers fund it; a book without a pair makes it deploy its own, and the report says which", async function () {
    // A holder of the collateral token too (so far only the pair holds FCOL): no key here, only impersonation can move its funds.
    const colWhale = Wallet.createRandom();
    await (await new Contract(foreign.collateral, ["function mint(address,uint256)"], node.wallet(0)).getFunction("mint")(colWhale.address, 500_000n * E18)).wait();
    const pairBalances = async () => Promise.all([foreign.collateral, foreign.debt].map((t) => new Contract(t, ["function balanceOf(address) view returns (uint256)"], node.provider).getFunction("balanceOf")(foreign.pair)));
    const before = await pairBalances();
    const viaFactory = file("via-factory.json", { ...book, blockNumber: await node.blockNumber(), contracts: { uniswapV2Factory: foreign.factory, collateral: foreign.collateral, debt: foreign.debt } });
    const [a] = await run({ scenario: "oracle-manipulation-lending", forkUrl: node.url, addressBook: viaFactory, out, intervalMs: 500 });
    met(a!);
    expect(a!.facts.pair).to.equal(foreign.pair);
    expect(a!.facts.pairSource).to.equal(`address book contracts.uniswapV2Factory ${foreign.factory}: getPair(contracts.collateral, contracts.debt) (${foreign.pair})`);
    expect(a!.facts.fundedBy).to.equal(`FUSD: whale ${whale} (impersonated); FCOL: whale ${colWhale.address} (impersonated)`);
    expect(a!.unit.symbol).to.equal("FUSD");
    // Amounts scale with the pair (100,000 / 100,000): the pump is the whole FUSD reserve, ~4x.
    expect(a!.facts.oraclePriceBefore).to.equal("1.00000");
    expect(a!.savedPct).to.be.greaterThan(90);
    // The live chain's pair is untouched.
    expect(await pairBalances()).to.deep.equal(before);

    const noPair = file("no-pair.json", { ...book, contracts: { vault: vault.vault, asset: vault.asset } });
    const [b] = await run({ scenario: "oracle-manipulation-lending", forkUrl: node.url, addressBook: noPair, out, intervalMs: 500 });
    met(b!);
    expect(String(b!.facts.pairSource)).to.match(/^deployed its own \(no Uniswap V2 pair in the address book .*\): real @uniswap\/v2-core factory, dMNGO \/ dUSDC pair 0x/);
    expect(b!.facts.pair).to.not.equal(foreign.pair);
    expect(b!.facts.fundedBy).to.equal("dUSDC: minted (the drill's own token); dMNGO: minted (the drill's own token)");
  });

  it("safe attachment: a book of another node, or a fork block before the deployment, is SKIPPED with its reason (exit code 0)", async function () {
    const other = file("other-node.json", { ...book, contracts: { pool: Wallet.createRandom().address, debt: Wallet.createRandom().address } });
    const drain = file("drain2.json", { funds: { token: "$debt", holder: "$pool" }, call: { to: "$pool", signature: "withdrawSupply(uint256)", args: ["1e18"] } });
    const [a] = await run({ scenario: "template:repeated-drain", params: drain, forkUrl: node.url, addressBook: other, out });
    expect(a!.skipped).to.match(/not used: no code at block \d+ of .* for pool/);
    expect(a!.expectationsMet).to.equal(false);
    const [b] = await run({ scenario: "template:repeated-drain", params: drain, forkUrl: node.url, forkBlock: 1, addressBook: bookFile, out });
    expect(b!.skipped).to.match(/deployed at block \d+, after the fork block 1/);
    const wrongChain = file("wrong-chain.json", { ...book, chainId: 1 });
    const [c] = await run({ scenario: "template:repeated-drain", params: drain, forkUrl: node.url, addressBook: wrongChain, out });
    expect(c!.skipped).to.match(/its chainId is 1 but .* is chain 31337/);
    expect(process.exitCode ?? 0).to.equal(0);
  });

  it("bad input is one sentence, exit code 1, no hang: closed port, block past the head, unknown scenario, truncated book (CLI)", async function () {
    const errors: string[] = [];
    const orig = console.error;
    console.error = (...a: unknown[]) => void errors.push(a.join(" "));
    try {
      const closed = `http://127.0.0.1:${await freePort()}`;
      expect(await run({ scenario: "multi-tx-drain-copycats", forkUrl: closed, out })).to.deep.equal([]);
      expect(await run({ scenario: "multi-tx-drain-copycats", forkUrl: node.url, forkBlock: 10_000_000, out })).to.deep.equal([]);
      expect(await run({ scenario: "no-such-scenario", out })).to.deep.equal([]);
    } finally {
      console.error = orig;
      expect(process.exitCode).to.equal(1);
      process.exitCode = undefined;
    }
    expect(errors[0]).to.match(/^drill run: cannot reach --fork-url http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
    expect(errors[1]).to.match(/--fork-block 10000000 is past the head of .* \(block \d+\)/);
    expect(errors[2]).to.match(/unknown scenario "no-such-scenario"; known: multi-tx-drain-copycats/);

    const truncated = file("truncated.json", JSON.stringify(book).slice(0, 40));
    const r = spawnSync(process.execPath, [CLI, "breakwater", "drill", "run", "multi-tx-drain-copycats", "--fork-url", node.url, "--address-book", truncated, "--no-build"], {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 90_000,
      env: { ...process.env, NO_COLOR: "1" },
    });
    expect(r.error, "the CLI must exit on its own").to.equal(undefined);
    expect(r.status).to.equal(1);
    expect(r.stderr).to.match(/the address book .*truncated\.json is not valid JSON .*is it truncated\?/);
    expect(r.stderr).to.not.match(/\n\s+at /);
  });
});
