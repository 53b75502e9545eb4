/**
 * Build, hash and sign GuardianMultisig actions (EIP-712) from TypeScript:
 * used by the tests, the keeper's guardian responder and the `guardian:*` tasks.
 *
 *   const domain = await guardianDomain(multisig);             // or guardianDomainFor(address, chainId)
 *   const action = buildAction(ActionKind.Pause, breaker, Args.pause(Scopes.GLOBAL, 3600n), { deadline });
 *   const approvals = await signApprovals([alice, bob], domain, action); // sorted, ready for execute()
 *   await multisig.execute(action, approvals);
 *   actionDigest(domain, action) === await multisig.hashAction(action)  // the action id
 *
 * Types mirror contracts/guardian/GuardianMultisig.sol:
 *   Action(uint8 kind,address target,bytes data,uint256 nonce,uint256 deadline)
 *   Veto(bytes32 actionId)
 * domain: { name: "GuardianMultisig", version: "1", chainId, verifyingContract }.
 */
import { AbiCoder, TypedDataEncoder, getAddress, hexlify, randomBytes, toBigInt, type Signer, type TypedDataDomain } from "ethers";

export const GUARDIAN_DOMAIN_NAME = "GuardianMultisig";
export const GUARDIAN_DOMAIN_VERSION = "1";

/** Action kinds (uint8), same numbering as contracts/guardian/GuardianActions.sol. */
export const ActionKind = {
  Pause: 0,
  FreezeAsset: 1,
  Quarantine: 2,
  VetoOutflow: 3,
  /** Policy slot only: a SetLimit the contract finds strictly tighter runs under it. Not submittable. */
  LowerLimit: 4,
  Unpause: 5,
  ExtendPause: 6,
  UnfreezeAsset: 7,
  Release: 8,
  SetLimit: 9,
  ArmSentinel: 10,
  SetSentinel: 11,
  SetPauseBounds: 12,
  Rescue: 13,
  Call: 14,
  ChangeGuardians: 15,
  ChangeThreshold: 16,
  ChangeVetoThreshold: 17,
  SetHeartbeat: 18,
  SetCallAllowed: 19,
  SetManaged: 20,
} as const;
export type ActionKindName = keyof typeof ActionKind;
export type ActionKindId = (typeof ActionKind)[ActionKindName];
/** The pseudo-kind of the veto quorum in `effectiveThreshold` / PolicyChanged. */
export const VETO_KIND = 255;
/** Emergency kinds: immediate by default. */
export const EMERGENCY_KINDS: readonly number[] = [0, 1, 2, 3, 4];

/** Mirrors GuardianMultisig.ActionState. */
export const ActionState = { None: 0, Queued: 1, Executed: 2, Vetoed: 3, Expired: 4 } as const;

export const ACTION_TYPES = {
  Action: [
    { name: "kind", type: "uint8" },
    { name: "target", type: "address" },
    { name: "data", type: "bytes" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
};
export const VETO_TYPES = { Veto: [{ name: "actionId", type: "bytes32" }] };

export interface GuardianAction {
  kind: number;
  target: string;
  data: string;
  nonce: bigint;
  deadline: bigint;
}

/** One entry of the `approvals` array of execute / queue / veto. */
export interface Approval {
  signer: string;
  signature: string;
}

/** ICircuitBreaker.LimitConfig; mode: 0 = Revert, 1 = Queue. */
export interface LimitConfig {
  maxCapacity: bigint;
  window: bigint;
  minTvl: bigint;
  mode: number;
  settlementDelay: bigint;
  inflowCredit: boolean;
}

const coder = AbiCoder.defaultAbiCoder();
const LIMIT_TUPLE = "tuple(uint256 maxCapacity,uint64 window,uint256 minTvl,uint8 mode,uint64 settlementDelay,bool inflowCredit)";

/** `data` encoders, one per kind (the multisig decodes them word by word). */
export const Args = {
  pause: (scope: string, duration: bigint | number) => coder.encode(["bytes32", "uint64"], [scope, duration]),
  freezeAsset: (asset: string) => coder.encode(["address"], [asset]),
  quarantine: (account: string) => coder.encode(["address"], [account]),
  vetoOutflow: (outflowId: bigint | number) => coder.encode(["uint256"], [outflowId]),
  unpause: (scope: string) => coder.encode(["bytes32"], [scope]),
  extendPause: (scope: string, duration: bigint | number) => coder.encode(["bytes32", "uint64"], [scope, duration]),
  unfreezeAsset: (asset: string) => coder.encode(["address"], [asset]),
  release: (account: string) => coder.encode(["address"], [account]),
  setLimit: (asset: string, config: LimitConfig) => coder.encode(["address", LIMIT_TUPLE], [asset, config]),
  armSentinel: () => "0x",
  setSentinel: (sentinel: string, maxDuration: bigint | number, cooldown: bigint | number) =>
    coder.encode(["address", "uint64", "uint64"], [sentinel, maxDuration, cooldown]),
  setPauseBounds: (maxPauseDuration: bigint | number, gracePeriod: bigint | number) =>
    coder.encode(["uint64", "uint64"], [maxPauseDuration, gracePeriod]),
  rescue: (asset: string, amount: bigint | number) => coder.encode(["address", "uint256"], [asset, amount]),
  /** Call: `data` is the raw calldata for the allow-listed target. */
  call: (calldata: string) => hexlify(calldata),
  changeGuardians: (guardians: string[]) => coder.encode(["address[]"], [guardians]),
  changeThreshold: (kind: number, threshold: number, delay: bigint | number) =>
    coder.encode(["uint8", "uint16", "uint64"], [kind, threshold, delay]),
  changeVetoThreshold: (threshold: number) => coder.encode(["uint16"], [threshold]),
  setHeartbeat: (period: bigint | number) => coder.encode(["uint64"], [period]),
  setCallAllowed: (target: string, selector: string, allowed: boolean) =>
    coder.encode(["address", "bytes4", "bool"], [target, selector, allowed]),
  setManaged: (target: string, managed: boolean) => coder.encode(["address", "bool"], [target, managed]),
};

/** A random 256-bit nonce: the multisig uses an unordered nonce bitmap, so any unused value works. */
export function randomNonce(): bigint {
  return toBigInt(randomBytes(32));
}

/** Assemble an action; nonce defaults to a random one, deadline is required (unix seconds). */
export function buildAction(
  kind: number,
  target: string,
  data: string,
  opts: { nonce?: bigint; deadline: bigint | number },
): GuardianAction {
  if (!Number.isInteger(kind) || kind < 0 || kind > 255) throw new Error(`buildAction: kind ${kind} is not a uint8`);
  return {
    kind,
    target: getAddress(target),
    data: hexlify(data),
    nonce: opts.nonce ?? randomNonce(),
    deadline: BigInt(opts.deadline),
  };
}

/** The EIP-712 domain of a multisig at `address` on `chainId`. */
export function guardianDomainFor(address: string, chainId: bigint | number): TypedDataDomain {
  return {
    name: GUARDIAN_DOMAIN_NAME,
    version: GUARDIAN_DOMAIN_VERSION,
    chainId: BigInt(chainId),
    verifyingContract: getAddress(address),
  };
}

/** The EIP-712 domain of a deployed multisig (reads its address and the provider's chain id). */
export async function guardianDomain(multisig: {
  getAddress(): Promise<string>;
  runner?: { provider?: { getNetwork(): Promise<{ chainId: bigint }> } | null } | null;
}): Promise<TypedDataDomain> {
  const provider = multisig.runner?.provider;
  if (!provider) throw new Error("guardianDomain: the contract has no provider; use guardianDomainFor(address, chainId)");
  const { chainId } = await provider.getNetwork();
  return guardianDomainFor(await multisig.getAddress(), chainId);
}

/** The action id: the EIP-712 digest of `action` (equals `multisig.hashAction(action)`). */
export function actionDigest(domain: TypedDataDomain, action: GuardianAction): string {
  return TypedDataEncoder.hash(domain, ACTION_TYPES, action);
}

/** The digest guardians sign (or approveHash) to veto queued action `actionId`. */
export function vetoDigest(domain: TypedDataDomain, actionId: string): string {
  return TypedDataEncoder.hash(domain, VETO_TYPES, { actionId });
}

/** One guardian's EIP-712 signature of `action`. */
export async function signAction(signer: Signer, domain: TypedDataDomain, action: GuardianAction): Promise<Approval> {
  return { signer: await signer.getAddress(), signature: await signer.signTypedData(domain, ACTION_TYPES, action) };
}

/** One guardian's EIP-712 signature of Veto(actionId). */
export async function signVeto(signer: Signer, domain: TypedDataDomain, actionId: string): Promise<Approval> {
  return { signer: await signer.getAddress(), signature: await signer.signTypedData(domain, VETO_TYPES, { actionId }) };
}

/** Sort approvals strictly ascending by signer, as the multisig requires; throws on duplicates. */
export function sortApprovals(approvals: Approval[]): Approval[] {
  const sorted = [...approvals].sort((a, b) => {
    const x = BigInt(a.signer);
    const y = BigInt(b.signer);
    return x < y ? -1 : x > y ? 1 : 0;
  });
  for (let i = 1; i < sorted.length; i++) {
    if (BigInt(sorted[i].signer) === BigInt(sorted[i - 1].signer)) {
      throw new Error(`sortApprovals: ${sorted[i].signer} appears twice; each guardian may sign once`);
    }
  }
  return sorted;
}

/** Every signer signs `action`; returns the sorted approvals ready for execute / queue. */
export async function signApprovals(signers: Signer[], domain: TypedDataDomain, action: GuardianAction): Promise<Approval[]> {
  return sortApprovals(await Promise.all(signers.map((s) => signAction(s, domain, action))));
}

/** Every signer signs Veto(actionId); returns the sorted approvals ready for veto. */
export async function signVetoApprovals(signers: Signer[], domain: TypedDataDomain, actionId: string): Promise<Approval[]> {
  return sortApprovals(await Promise.all(signers.map((s) => signVeto(s, domain, actionId))));
}
