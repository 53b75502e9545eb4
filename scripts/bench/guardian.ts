/**
 * Gas benchmark of the GuardianMultisig. Returns receipts' gasUsed:
 *  - guardianPause1ofN:                 execute() of a 1-of-5 emergency pause (one ECDSA signature, relayed)
 *  - guardianQueued3of5EcdsaQueue:      queue() of a 3-of-5 Unpause with three ECDSA signatures
 *  - guardianQueued3of5EcdsaExecute:    executeQueued() of it after the 48 h delay
 *  - guardianQueued3of5WithSafeQueue:   same queue() with two ECDSA + one Safe v1.4.1 (EIP-1271, 2-of-3 owners)
 *  - guardianQueued3of5WithSafeExecute: executeQueued() of it
 * (queue and execute are reported separately; add them for the full restorative path.)
 */
import {
  ActionKind,
  Args,
  actionDigest,
  buildAction,
  guardianDomain,
  signApprovals,
  sortApprovals,
} from "../../client/guardian-actions.js";
import { deploySafe, signSafeMessage } from "../../test/helpers/safe.js";

const DAY = 86_400n;
const DELAY = 2n * DAY;

export async function benchGuardian(ethers: any): Promise<Record<string, number>> {
  const signers = await ethers.getSigners();
  const [deployer] = signers;
  const guardians = signers.slice(1, 5); // + the Safe or a fifth EOA
  const fifth = signers[5];
  const relayer = signers[6];
  const owners = signers.slice(7, 10);
  const safe = await deploySafe(ethers, owners, 2);

  const breaker = await ethers.deployContract("CircuitBreaker", [await deployer.getAddress(), 7n * DAY, DAY]);
  const b = await breaker.getAddress();
  async function multisigWith(last: string) {
    const params = {
      guardians: [...(await Promise.all(guardians.map((g: any) => g.getAddress()))), last],
      fastThreshold: 1,
      slowThreshold: 3,
      slowDelay: DELAY,
      vetoThreshold: 2,
      heartbeatPeriod: 90n * DAY,
      managed: [b],
      overrides: [],
      allowedCalls: [],
    };
    const ms = await ethers.deployContract("GuardianMultisig", [params]);
    await (await breaker.grantRole(ethers.id("EMERGENCY_ROLE"), await ms.getAddress())).wait();
    await (await breaker.grantRole(ethers.id("RECOVERY_ROLE"), await ms.getAddress())).wait();
    return ms;
  }
  const now = async () => BigInt((await ethers.provider.getBlock("latest")).timestamp);
  const gas = async (tx: any) => Number((await tx.wait()).gasUsed);
  const out: Record<string, number> = {};

  // 1-of-5 emergency pause.
  const ms = await multisigWith(await fifth.getAddress());
  const domain = await guardianDomain(ms);
  const scope = ethers.id("breakwater.scope.GLOBAL");
  const pause = buildAction(ActionKind.Pause, b, Args.pause(scope, 7n * DAY), { deadline: (await now()) + DAY });
  out.guardianPause1ofN = await gas(await ms.connect(relayer).execute(pause, await signApprovals([guardians[2]], domain, pause)));

  // 3-of-5 queued unpause, ECDSA only.
  const unpause = buildAction(ActionKind.Unpause, b, Args.unpause(scope), { deadline: (await now()) + DAY });
  out.guardianQueued3of5EcdsaQueue = await gas(
    await ms.connect(relayer).queue(unpause, await signApprovals(guardians.slice(0, 3), domain, unpause)),
  );
  await ethers.provider.send("evm_increaseTime", [Number(DELAY)]);
  out.guardianQueued3of5EcdsaExecute = await gas(await ms.connect(relayer).executeQueued(actionDigest(domain, unpause)));

  // Same with a Safe guardian signing through EIP-1271.
  const ms2 = await multisigWith(await safe.getAddress());
  const domain2 = await guardianDomain(ms2);
  const scope2 = ethers.id("breakwater.scope.TRADE");
  const pause2 = buildAction(ActionKind.Pause, b, Args.pause(scope2, 7n * DAY), { deadline: (await now()) + DAY });
  await (await ms2.connect(guardians[0]).execute(pause2, [])).wait();
  const unpause2 = buildAction(ActionKind.Unpause, b, Args.unpause(scope2), { deadline: (await now()) + DAY });
  const id2 = actionDigest(domain2, unpause2);
  const approvals = sortApprovals([
    ...(await signApprovals(guardians.slice(0, 2), domain2, unpause2)),
    { signer: await safe.getAddress(), signature: await signSafeMessage(safe, owners.slice(0, 2), id2) },
  ]);
  out.guardianQueued3of5WithSafeQueue = await gas(await ms2.connect(relayer).queue(unpause2, approvals));
  await ethers.provider.send("evm_increaseTime", [Number(DELAY)]);
  out.guardianQueued3of5WithSafeExecute = await gas(await ms2.connect(relayer).executeQueued(id2));
  return out;
}
