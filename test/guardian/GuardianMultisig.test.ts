import { expect } from "chai";
import { network } from "hardhat";
import { anyValue } from "@nomicfoundation/hardhat-ethers-chai-matchers/withArgs";
import {
  ActionKind,
  ActionState,
  Args,
  VETO_KIND,
  actionDigest,
  buildAction,
  guardianDomain,
  guardianDomainFor,
  signAction,
  signApprovals,
  signVetoApprovals,
  sortApprovals,
  vetoDigest,
  type Approval,
  type GuardianAction,
} from "../../client/guardian-actions.js";
import { DAY, DEFAULT_LIMIT, HEARTBEAT, HOUR, SLOW_DELAY, deployMultisig, deploySystem } from "../helpers/guardian-fixture.js";

const { ethers, networkHelpers } = await network.create();
const { loadFixture, time } = networkHelpers;

const GLOBAL = ethers.id("breakwater.scope.GLOBAL");
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

async function system() {
  return deploySystem(ethers);
}

async function deadline(offset: bigint = DAY): Promise<bigint> {
  return BigInt(await time.latest()) + offset;
}

describe("GuardianMultisig", function () {
  describe("lifecycle", function () {
    it("pause (1-of-5, at once) -> queue unpause -> veto -> re-propose -> execute after the delay", async function () {
      const { multisig, breaker, guardians, others } = await loadFixture(system);
      const [g1, g2, g3, g4, g5] = guardians;
      const relayer = others[0];
      const domain = await guardianDomain(multisig);
      const b = await breaker.getAddress();

      // 1. Emergency pause: one guardian's signature, submitted by a relayer.
      const pause = buildAction(ActionKind.Pause, b, Args.pause(GLOBAL, 7n * DAY), { deadline: await deadline() });
      const pauseId = actionDigest(domain, pause);
      expect(await multisig.hashAction(pause)).to.equal(pauseId);
      await expect(multisig.connect(relayer).execute(pause, await signApprovals([g3], domain, pause)))
        .to.emit(multisig, "ActionExecuted")
        .withArgs(pauseId, ActionKind.Pause, ActionKind.Pause, b, pause.nonce, [await g3.getAddress()])
        .and.to.emit(breaker, "Paused");
      expect(await breaker.isPaused(GLOBAL)).to.equal(true);
      expect(await multisig.actionState(pauseId)).to.equal(ActionState.Executed);

      // 2. Unpause is restorative: cannot execute at once, must be queued with 3 approvals.
      const unpause = buildAction(ActionKind.Unpause, b, Args.unpause(GLOBAL), { deadline: await deadline() });
      await expect(multisig.execute(unpause, await signApprovals([g1, g2, g3], domain, unpause)))
        .to.be.revertedWithCustomError(multisig, "ActionMustBeQueued")
        .withArgs(ActionKind.Unpause, SLOW_DELAY);
      await expect(multisig.queue(unpause, await signApprovals([g1, g2], domain, unpause)))
        .to.be.revertedWithCustomError(multisig, "InsufficientApprovals")
        .withArgs(2, 3);
      const id1 = actionDigest(domain, unpause);
      await expect(multisig.connect(relayer).queue(unpause, await signApprovals([g1, g2, g3], domain, unpause)))
        .to.emit(multisig, "ActionQueued")
        .withArgs(id1, ActionKind.Unpause, ActionKind.Unpause, b, unpause.nonce, anyValue, anyValue);
      expect(await multisig.pendingActions()).to.deep.equal([id1]);
      expect(await multisig.isExecutable(id1)).to.equal(false);
      const [, , eta1] = await multisig.actionInfo(id1);
      await expect(multisig.executeQueued(id1))
        .to.be.revertedWithCustomError(multisig, "ActionNotReady")
        .withArgs(id1, eta1);

      // 3. Two guardians veto during the delay (one by signature, one by calling).
      const vetoSigs = await signVetoApprovals([g4], domain, id1);
      await expect(multisig.connect(g5).veto(id1, vetoSigs))
        .to.emit(multisig, "ActionVetoed")
        .withArgs(id1, anyValue);
      expect(await multisig.actionState(id1)).to.equal(ActionState.Vetoed);
      expect(await multisig.pendingActions()).to.deep.equal([]);
      await time.increase(SLOW_DELAY);
      await expect(multisig.executeQueued(id1))
        .to.be.revertedWithCustomError(multisig, "ActionNotQueued")
        .withArgs(id1, ActionState.Vetoed);

      // 4. Re-propose with a fresh nonce: g1 proposes (and approves on-chain), g2 approves
      //    on-chain, g3 signs off-chain; anyone queues; anyone executes after the delay.
      const unpause2 = buildAction(ActionKind.Unpause, b, Args.unpause(GLOBAL), { deadline: await deadline(10n * DAY) });
      const id2 = actionDigest(domain, unpause2);
      await expect(multisig.connect(g1).propose(unpause2))
        .to.emit(multisig, "ActionProposed")
        .and.to.emit(multisig, "HashApproved")
        .withArgs(id2, await g1.getAddress());
      await expect(multisig.connect(g2).approveHash(id2)).to.emit(multisig, "HashApproved");
      expect(await multisig.approvalsOf(id2)).to.deep.equal([await g1.getAddress(), await g2.getAddress()]);
      expect(await multisig.hasApproved(id2, await g2.getAddress())).to.equal(true);
      expect(await multisig.hasApproved(id2, await g3.getAddress())).to.equal(false);
      await multisig.connect(relayer).queue(unpause2, [await signAction(g3, domain, unpause2)]);
      await time.increase(SLOW_DELAY);
      expect(await multisig.isExecutable(id2)).to.equal(true);
      await expect(multisig.connect(relayer).executeQueued(id2))
        .to.emit(multisig, "ActionExecuted")
        .and.to.emit(breaker, "Unpaused");
      expect(await breaker.isPaused(GLOBAL)).to.equal(false);

      // 5. At most once.
      await expect(multisig.executeQueued(id2))
        .to.be.revertedWithCustomError(multisig, "ActionNotQueued")
        .withArgs(id2, ActionState.Executed);
      await expect(multisig.queue(unpause2, await signApprovals([g1, g2, g3], domain, unpause2)))
        .to.be.revertedWithCustomError(multisig, "NonceAlreadyUsed")
        .withArgs(unpause2.nonce);
    });

    it("a guardian executing an emergency action itself needs no signature", async function () {
      const { multisig, breaker, guardians } = await loadFixture(system);
      const a = buildAction(ActionKind.Pause, await breaker.getAddress(), Args.pause(GLOBAL, HOUR), {
        deadline: await deadline(),
      });
      await expect(multisig.connect(guardians[4]).execute(a, [])).to.emit(breaker, "Paused");
      // ...but a non-guardian without signatures cannot.
      const b = buildAction(ActionKind.Pause, await breaker.getAddress(), Args.pause(ethers.id("breakwater.scope.TRADE"), HOUR), {
        deadline: await deadline(),
      });
      await expect(multisig.execute(b, [])).to.be.revertedWithCustomError(multisig, "InsufficientApprovals").withArgs(0, 1);
    });

    it("queued actions expire after the grace period; veto closes at eta", async function () {
      const { multisig, breaker, guardians } = await loadFixture(system);
      const domain = await guardianDomain(multisig);
      if (!(await breaker.isPaused(GLOBAL))) await (await breaker.pause(GLOBAL, 7n * DAY)).wait(); // an Unpause queues only against an active pause
      const a = buildAction(ActionKind.Unpause, await breaker.getAddress(), Args.unpause(GLOBAL), { deadline: await deadline() });
      const id = actionDigest(domain, a);
      await multisig.queue(a, await signApprovals(guardians.slice(0, 3), domain, a));
      await time.increase(SLOW_DELAY);
      await expect(multisig.veto(id, await signVetoApprovals(guardians.slice(3), domain, id))).to.be.revertedWithCustomError(
        multisig,
        "VetoWindowClosed",
      );
      await time.increase(15n * DAY);
      expect(await multisig.actionState(id)).to.equal(ActionState.Expired);
      await expect(multisig.executeQueued(id))
        .to.be.revertedWithCustomError(multisig, "ActionNotQueued")
        .withArgs(id, ActionState.Expired);
      await expect(multisig.veto(id, [])).to.be.revertedWithCustomError(multisig, "ActionNotQueued");
    });

    it("a veto needs the veto quorum and veto-typed signatures", async function () {
      const { multisig, breaker, guardians } = await loadFixture(system);
      const domain = await guardianDomain(multisig);
      if (!(await breaker.isPaused(GLOBAL))) await (await breaker.pause(GLOBAL, 7n * DAY)).wait(); // an Unpause queues only against an active pause
      const a = buildAction(ActionKind.Unpause, await breaker.getAddress(), Args.unpause(GLOBAL), { deadline: await deadline() });
      const id = actionDigest(domain, a);
      await multisig.queue(a, await signApprovals(guardians.slice(0, 3), domain, a));
      await expect(multisig.veto(id, await signVetoApprovals([guardians[3]], domain, id)))
        .to.be.revertedWithCustomError(multisig, "InsufficientApprovals")
        .withArgs(1, 2);
      // Action signatures are not veto signatures.
      const wrong = await signApprovals(guardians.slice(3), domain, a);
      await expect(multisig.veto(id, wrong)).to.be.revertedWithCustomError(multisig, "InvalidSignature");
      // On-chain approvals of the veto digest work.
      expect(await multisig.hashVeto(id)).to.equal(vetoDigest(domain, id));
      await multisig.connect(guardians[3]).approveHash(vetoDigest(domain, id));
      await multisig.connect(guardians[4]).approveHash(vetoDigest(domain, id));
      await expect(multisig.veto(id, [])).to.emit(multisig, "ActionVetoed");
      expect(await multisig.effectiveThreshold(VETO_KIND)).to.equal(2n);
    });

    it("revoked on-chain approvals no longer count", async function () {
      const { multisig, breaker, guardians } = await loadFixture(system);
      const domain = await guardianDomain(multisig);
      const a = buildAction(ActionKind.Pause, await breaker.getAddress(), Args.pause(GLOBAL, HOUR), { deadline: await deadline() });
      const id = actionDigest(domain, a);
      await multisig.connect(guardians[0]).approveHash(id);
      await expect(multisig.connect(guardians[0]).revokeApproval(id)).to.emit(multisig, "ApprovalRevoked");
      await expect(multisig.execute(a, [])).to.be.revertedWithCustomError(multisig, "InsufficientApprovals");
      await expect(multisig.revokeApproval(id)).to.be.revertedWithCustomError(multisig, "NotGuardian");
      await multisig.connect(guardians[0]).approveHash(id);
      await expect(multisig.execute(a, [])).to.emit(breaker, "Paused");
    });
  });

  describe("replay and forgery", function () {
    async function pauseAction(breaker: any, overrides: Partial<GuardianAction> = {}) {
      const a = buildAction(ActionKind.Pause, await breaker.getAddress(), Args.pause(GLOBAL, HOUR), {
        deadline: await deadline(),
      });
      return { ...a, ...overrides };
    }

    it("rejects a signature made for another chain id", async function () {
      const { multisig, breaker, guardians } = await loadFixture(system);
      const a = await pauseAction(breaker);
      const foreign = guardianDomainFor(await multisig.getAddress(), 1n);
      const sig = await signAction(guardians[0], foreign, a);
      await expect(multisig.execute(a, [sig]))
        .to.be.revertedWithCustomError(multisig, "InvalidSignature")
        .withArgs(await guardians[0].getAddress());
    });

    it("rejects a signature made for another multisig with the same guardians", async function () {
      const { multisig, breaker, guardians } = await loadFixture(system);
      const twin = await deployMultisig(ethers, await Promise.all(guardians.map((g) => g.getAddress())), {
        managed: [await breaker.getAddress()],
      });
      const a = await pauseAction(breaker);
      const sig = await signAction(guardians[0], await guardianDomain(twin), a);
      await expect(multisig.execute(a, [sig])).to.be.revertedWithCustomError(multisig, "InvalidSignature");
    });

    it("rejects a reused nonce, even for a different action", async function () {
      const { multisig, breaker, guardians } = await loadFixture(system);
      const domain = await guardianDomain(multisig);
      const a = await pauseAction(breaker, { nonce: 7n });
      await multisig.execute(a, await signApprovals([guardians[0]], domain, a));
      expect(await multisig.isNonceUsed(7n)).to.equal(true);
      await expect(multisig.execute(a, await signApprovals([guardians[0]], domain, a)))
        .to.be.revertedWithCustomError(multisig, "NonceAlreadyUsed")
        .withArgs(7n);
      const other = buildAction(ActionKind.Pause, await breaker.getAddress(), Args.pause(ethers.id("x"), HOUR), {
        nonce: 7n,
        deadline: await deadline(),
      });
      await expect(multisig.execute(other, await signApprovals([guardians[1]], domain, other)))
        .to.be.revertedWithCustomError(multisig, "NonceAlreadyUsed")
        .withArgs(7n);
    });

    it("rejects an action after its deadline", async function () {
      const { multisig, breaker, guardians } = await loadFixture(system);
      const domain = await guardianDomain(multisig);
      const a = await pauseAction(breaker, { deadline: await deadline(60n) });
      const sigs = await signApprovals([guardians[0]], domain, a);
      await time.increase(61);
      await expect(multisig.execute(a, sigs)).to.be.revertedWithCustomError(multisig, "DeadlineExpired").withArgs(a.deadline, anyValue);
    });

    it("rejects a malleated (high-s) signature of a valid one", async function () {
      const { multisig, breaker, guardians } = await loadFixture(system);
      const domain = await guardianDomain(multisig);
      const a = await pauseAction(breaker);
      const { signer, signature } = await signAction(guardians[0], domain, a);
      const bytes = ethers.getBytes(signature);
      const r = bytes.slice(0, 32);
      const s = ethers.toBigInt(bytes.slice(32, 64));
      const v = bytes[64];
      const highS = ethers.toBeHex(SECP256K1_N - s, 32);
      const malleated = ethers.concat([r, highS, new Uint8Array([v === 27 ? 28 : 27])]);
      // It is a real malleation: the raw ecrecover precompile returns the same signer.
      const digest = actionDigest(domain, a);
      const input = ethers.AbiCoder.defaultAbiCoder().encode(
        ["bytes32", "uint8", "bytes32", "bytes32"],
        [digest, v === 27 ? 28 : 27, ethers.hexlify(r), highS],
      );
      const out = await ethers.provider.call({ to: "0x0000000000000000000000000000000000000001", data: input });
      expect(ethers.getAddress(ethers.dataSlice(out, 12))).to.equal(signer);
      await expect(multisig.execute(a, [{ signer, signature: malleated }]))
        .to.be.revertedWithCustomError(multisig, "InvalidSignature")
        .withArgs(signer);
      await expect(multisig.execute(a, [{ signer, signature }])).to.emit(multisig, "ActionExecuted");
    });

    it("rejects unsorted and duplicate signers", async function () {
      const { multisig, breaker, guardians } = await loadFixture(system);
      const domain = await guardianDomain(multisig);
      const a = buildAction(ActionKind.Unpause, await breaker.getAddress(), Args.unpause(GLOBAL), { deadline: await deadline() });
      const sorted = await signApprovals(guardians.slice(0, 3), domain, a);
      const unsorted = [sorted[1], sorted[0], sorted[2]];
      await expect(multisig.queue(a, unsorted))
        .to.be.revertedWithCustomError(multisig, "SignersNotSorted")
        .withArgs(sorted[1].signer, sorted[0].signer);
      const dup = [sorted[0], sorted[0], sorted[1]];
      await expect(multisig.queue(a, dup))
        .to.be.revertedWithCustomError(multisig, "SignersNotSorted")
        .withArgs(sorted[0].signer, sorted[0].signer);
      expect(() => sortApprovals(dup)).to.throw(/appears twice/);
    });

    it("rejects a non-guardian signer and a signature claimed for another guardian", async function () {
      const { multisig, breaker, guardians, others } = await loadFixture(system);
      const domain = await guardianDomain(multisig);
      const a = await pauseAction(breaker);
      await expect(multisig.execute(a, [await signAction(others[1], domain, a)]))
        .to.be.revertedWithCustomError(multisig, "NotGuardian")
        .withArgs(await others[1].getAddress());
      const forged: Approval = { signer: await guardians[1].getAddress(), signature: (await signAction(guardians[0], domain, a)).signature };
      await expect(multisig.execute(a, [forged]))
        .to.be.revertedWithCustomError(multisig, "InvalidSignature")
        .withArgs(forged.signer);
      await expect(multisig.execute(a, [{ signer: forged.signer, signature: "0x1234" }])).to.be.revertedWithCustomError(
        multisig,
        "InvalidSignature",
      );
    });

    it("an always-true EIP-1271 contract counts only as itself: never if not a guardian, once if it is", async function () {
      const { multisig, breaker, guardians } = await loadFixture(system);
      const evil = await ethers.deployContract("AlwaysValid1271");
      const evilAddr = await evil.getAddress();
      const a = await pauseAction(breaker);
      await expect(multisig.execute(a, [{ signer: evilAddr, signature: "0x" }]))
        .to.be.revertedWithCustomError(multisig, "NotGuardian")
        .withArgs(evilAddr);

      // Now a multisig where the evil contract IS a guardian, with a 2-of-5 slow path.
      const addrs = await Promise.all(guardians.slice(0, 4).map((g) => g.getAddress()));
      const ms = await deployMultisig(ethers, [...addrs, evilAddr], {
        slowThreshold: 2,
        managed: [await breaker.getAddress()],
      });
      const domain = await guardianDomain(ms);
      if (!(await breaker.isPaused(GLOBAL))) await (await breaker.pause(GLOBAL, 7n * DAY)).wait(); // an Unpause queues only against an active pause
      const u = buildAction(ActionKind.Unpause, await breaker.getAddress(), Args.unpause(GLOBAL), { deadline: await deadline() });
      const e = { signer: evilAddr, signature: "0xdeadbeef" };
      await expect(ms.queue(u, [e, e])).to.be.revertedWithCustomError(ms, "SignersNotSorted").withArgs(evilAddr, evilAddr);
      await expect(ms.queue(u, [e])).to.be.revertedWithCustomError(ms, "InsufficientApprovals").withArgs(1, 2);
      await expect(ms.queue(u, sortApprovals([e, await signAction(guardians[0], domain, u)]))).to.emit(ms, "ActionQueued");
    });
  });

  describe("heartbeat", function () {
    it("stale guardians stop counting; eff = max(min(t, active), ceil(t/2)); ping restores", async function () {
      const { multisig, breaker, guardians } = await loadFixture(system);
      const [g1, g2, g3] = guardians;
      const domain = await guardianDomain(multisig);
      expect(await multisig.activeGuardianCount()).to.equal(5n);
      await time.increase(HEARTBEAT + 1n);
      expect(await multisig.activeGuardianCount()).to.equal(0n);
      // t = 3, nobody active -> floor ceil(3/2) = 2.
      expect(await multisig.effectiveThreshold(ActionKind.Unpause)).to.equal(2n);
      expect(await multisig.effectiveThreshold(ActionKind.Pause)).to.equal(1n);
      await expect(multisig.connect(g1).ping()).to.emit(multisig, "Heartbeat");
      await multisig.connect(g2).ping();
      expect(await multisig.activeGuardians()).to.deep.equal([await g1.getAddress(), await g2.getAddress()]);
      const [isG, , active] = await multisig.guardianStatus(await g3.getAddress());
      expect(isG).to.equal(true);
      expect(active).to.equal(false);

      if (!(await breaker.isPaused(GLOBAL))) await (await breaker.pause(GLOBAL, 7n * DAY)).wait(); // an Unpause queues only against an active pause
      const u = buildAction(ActionKind.Unpause, await breaker.getAddress(), Args.unpause(GLOBAL), { deadline: await deadline() });
      const id = actionDigest(domain, u);
      // A stale guardian can neither sign nor approve until it pings.
      await expect(multisig.queue(u, await signApprovals([g1, g2, g3], domain, u)))
        .to.be.revertedWithCustomError(multisig, "StaleGuardian")
        .withArgs(await g3.getAddress(), anyValue, HEARTBEAT);
      await expect(multisig.connect(g3).approveHash(id)).to.be.revertedWithCustomError(multisig, "StaleGuardian");
      // One active guardian is below the floor of 2.
      await expect(multisig.queue(u, await signApprovals([g1], domain, u)))
        .to.be.revertedWithCustomError(multisig, "InsufficientApprovals")
        .withArgs(1, 2);
      // Two active guardians meet the effective threshold of 2 for a 3-of-5 kind.
      await expect(multisig.queue(u, await signApprovals([g1, g2], domain, u))).to.emit(multisig, "ActionQueued");
      // g3 pings and counts again; the effective threshold rises back to 3.
      await multisig.connect(g3).ping();
      expect(await multisig.effectiveThreshold(ActionKind.Unpause)).to.equal(3n);
    });

    it("an on-chain approval stops counting when its guardian goes stale", async function () {
      const { multisig, breaker, guardians } = await loadFixture(system);
      const domain = await guardianDomain(multisig);
      const a = buildAction(ActionKind.Pause, await breaker.getAddress(), Args.pause(GLOBAL, HOUR), {
        deadline: await deadline(HEARTBEAT * 2n),
      });
      await multisig.connect(guardians[0]).approveHash(actionDigest(domain, a));
      await time.increase(HEARTBEAT + 1n);
      await expect(multisig.execute(a, [])).to.be.revertedWithCustomError(multisig, "InsufficientApprovals").withArgs(0, 1);
    });

    it("the slow path replaces lost guardians (ChangeGuardians) and they start active", async function () {
      const { multisig, guardians, others } = await loadFixture(system);
      const [g1, g2] = guardians;
      const domain = await guardianDomain(multisig);
      await time.increase(HEARTBEAT + 1n);
      await multisig.connect(g1).ping();
      await multisig.connect(g2).ping();
      const fresh = await Promise.all(others.slice(0, 3).map((o) => o.getAddress()));
      const next = [await g1.getAddress(), await g2.getAddress(), ...fresh];
      const ms = await multisig.getAddress();
      const a = buildAction(ActionKind.ChangeGuardians, ms, Args.changeGuardians(next), { deadline: await deadline() });
      const { 1: eta } = await multisig.queue.staticCall(a, await signApprovals([g1, g2], domain, a));
      expect(eta).to.be.greaterThan(0n);
      const id = actionDigest(domain, a);
      await multisig.queue(a, await signApprovals([g1, g2], domain, a));
      await time.increase(SLOW_DELAY);
      await expect(multisig.executeQueued(id)).to.emit(multisig, "GuardiansChanged").withArgs(next, 1n);
      expect(await multisig.guardians()).to.deep.equal(next);
      expect(await multisig.activeGuardianCount()).to.equal(5n);
      expect(await multisig.isGuardian(await guardians[4].getAddress())).to.equal(false);
      expect(await multisig.epoch()).to.equal(1n);
    });
  });
});
