import { expect } from "chai";
import { network } from "hardhat";
import { deploySafe, execSafeTransaction, signSafeMessage, SAFE_FALLBACK_HANDLER_ABI } from "../helpers/safe.js";

const { ethers } = await network.create();

describe("test/helpers/safe.ts (real Safe v1.4.1)", function () {
  it("deploys a 2-of-3 Safe whose owners' signature passes EIP-1271", async function () {
    const [a, b, c] = await ethers.getSigners();
    const safe = await deploySafe(ethers, [a, b, c], 2);
    expect(await safe.getThreshold()).to.equal(2n);
    const h = ethers.keccak256(ethers.toUtf8Bytes("hello"));
    const sig = await signSafeMessage(safe, [c, a], h);
    const as1271 = new ethers.Contract(await safe.getAddress(), SAFE_FALLBACK_HANDLER_ABI, a);
    expect(await as1271["isValidSignature(bytes32,bytes)"](h, sig)).to.equal("0x1626ba7e");
    // one owner is below the threshold: the handler reverts (GS020)
    const one = await signSafeMessage(safe, [a], h);
    let failed = false;
    try {
      await as1271["isValidSignature(bytes32,bytes)"](h, one);
    } catch {
      failed = true;
    }
    expect(failed, "1 of 2 owners must not pass").to.equal(true);
  });

  it("executes a transaction signed by the owners", async function () {
    const [a, b] = await ethers.getSigners();
    const safe = await deploySafe(ethers, [a, b], 2);
    await execSafeTransaction(safe, [b, a], await safe.getAddress(), safe.interface.encodeFunctionData("changeThreshold", [1]));
    expect(await safe.getThreshold()).to.equal(1n);
    expect(await safe.nonce()).to.equal(1n);
  });
});
