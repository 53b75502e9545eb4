// The tasks through the real CLI (`npx hardhat --network localhost …`) against a spawned `hardhat node`.
// The node listens on a free port; `--rpc-url` points the `localhost` network at it.
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { ROOT, startHardhatNode, type HardhatNode } from "../keeper/helpers/node.js";

const CLI = resolve(ROOT, "node_modules/hardhat/dist/src/cli.js");

function hardhat(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: "utf8", timeout: 120_000, env: { ...process.env, NO_COLOR: "1" } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("tasks: CLI against a hardhat node", function () {
  this.timeout(180_000);
  let node: HardhatNode;
  const dir = mkdtempSync(join(tmpdir(), "bw-cli-"));
  before(async () => {
    node = await startHardhatNode();
  });
  after(async () => {
    await node?.stop();
  });

  it("deploy writes the address book; status reads it; a bad pause exits 1 with a clear error", () => {
    const net = ["--network", "localhost"];
    const common = ["--rpc-url", node.url, "--deployments", dir];
    const dep = hardhat([...net, "breakwater", "deploy", "--params", "deployments/params/local.json", ...common]);
    expect(dep.code, dep.stderr + dep.stdout).to.equal(0);
    expect(dep.stdout).to.include("address book written to");
    const book = JSON.parse(readFileSync(join(dir, "localhost.json"), "utf8"));
    expect(book).to.include({ network: "localhost", chainId: 31337 });
    expect(book.contracts).to.have.keys(["asset", "vault", "breaker", "guardian", "rescueVault", "migrator", "merkleClaims", "multicall3"]);

    const again = hardhat([...net, "breakwater", "deploy", "--params", "deployments/params/local.json", ...common]);
    expect(again.code).to.equal(1);
    expect(again.stderr).to.include("already exists").and.to.include("--force");

    const st = hardhat([...net, "breakwater", "breaker", "status", "--json", ...common]);
    expect(st.code, st.stderr).to.equal(0);
    const status = JSON.parse(st.stdout);
    expect(status.breaker).to.equal(book.contracts.breaker);
    expect(status.assets).to.have.length(1);

    const bad = hardhat([...net, "breakwater", "breaker", "pause", "--scope", "EVERYTHING", "--duration", "2h", "--reason", "x", ...common]);
    expect(bad.code).to.equal(1);
    expect(bad.stderr).to.include('"EVERYTHING" is not a scope');

    const denied = hardhat([...net, "breakwater", "breaker", "pause", "--scope", "GLOBAL", "--duration", "2h", "--reason", "x", "--from", "6", ...common]);
    expect(denied.code).to.equal(1);
    expect(denied.stderr).to.include("does not hold EMERGENCY_ROLE").and.to.include("guardian propose --kind Pause");
  });
});
