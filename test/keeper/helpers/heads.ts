// When was each block mined? A `newHeads` websocket subscription to the node, recording the
// wall-clock moment each head was announced (the best local proxy for "the block was mined":
// Hardhat's block timestamps are whole seconds and run ahead of the wall clock after automined
// set-up blocks). Used by the exploit e2e test and scripts/bench-keeper.ts for detection lag.
import { WebSocket } from "undici";

export interface HeadClock {
  /** Block number → Date.now() when its head was announced. */
  seenAt: Map<number, number>;
  close(): void;
}

export async function watchHeads(wsUrl: string): Promise<HeadClock> {
  const seenAt = new Map<number, number>();
  const ws = new WebSocket(wsUrl);
  await new Promise<void>((resolve, reject) => {
    ws.addEventListener("open", () => resolve(), { once: true });
    ws.addEventListener("error", () => reject(new Error(`cannot connect to ${wsUrl}`)), { once: true });
  });
  const subscribed = new Promise<void>((resolve) => {
    ws.addEventListener("message", (ev) => {
      const now = Date.now();
      const msg = JSON.parse(String(ev.data)) as { id?: number; result?: unknown; params?: { result?: { number?: string } } };
      if (msg.id === 1) resolve();
      const n = msg.params?.result?.number;
      if (n !== undefined && !seenAt.has(Number(BigInt(n)))) seenAt.set(Number(BigInt(n)), now);
    });
  });
  ws.send(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_subscribe", params: ["newHeads"] }));
  await subscribed;
  return { seenAt, close: () => ws.close() };
}
