// An ethers v6 provider over the keeper's RpcPool: the responders (simulation, nonces, fees,
// receipts, broadcasts) get the same endpoint failover and 429 rotation as the block source.
import { JsonRpcApiProvider, Network, type JsonRpcError, type JsonRpcPayload, type JsonRpcResult } from "ethers";
import type { RpcPool } from "./rpc.js";

export class PoolProvider extends JsonRpcApiProvider {
  constructor(
    private readonly pool: RpcPool,
    chainId: number,
  ) {
    super(Network.from(chainId), { staticNetwork: Network.from(chainId), batchMaxCount: 50, cacheTimeout: -1, pollingInterval: 500 });
  }

  async _send(payload: JsonRpcPayload | JsonRpcPayload[]): Promise<(JsonRpcResult | JsonRpcError)[]> {
    const list = Array.isArray(payload) ? payload : [payload];
    return (await this.pool.sendRaw(list)) as (JsonRpcResult | JsonRpcError)[];
  }
}
