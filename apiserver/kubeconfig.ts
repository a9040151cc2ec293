// kubeconfig.ts: a KubeConfig whose API clients reuse connections. @kubernetes/client-node makes a
// new https.Agent for every request, so every call (a RemoteClusterConfiguration status write, a
// Lease renewal, an EndpointSlice write) opened a TLS connection and built a secure context on the
// event loop, parsing the CA bundle and the client key each time: about 10-20 ms of blocked loop per
// request, which at a few requests a second showed as watch latency spikes. PooledKubeConfig
// hands out one keep-alive agent per distinct set of TLS options instead.
import { createHash } from 'node:crypto';
import { Agent as HttpsAgent, type AgentOptions } from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';
import type { RequestContext } from '@kubernetes/client-node/dist/gen/http/http.js';

// What client-node puts in agent options, the parts that make two agents different.
const TLS_FIELDS = ['ca', 'cert', 'key', 'pfx', 'passphrase', 'rejectUnauthorized', 'servername'] as const;
const MAX_AGENTS = 8; // rotated credentials make new agents; old ones are closed past this many

/** PooledKubeConfig is a KubeConfig whose clients share keep-alive connections. */
export class PooledKubeConfig extends KubeConfig {
  readonly #agents = new Map<string, HttpsAgent>();

  /** applySecurityAuthentication sets headers and TLS options as KubeConfig does (per request, so
   * rotated tokens and certificates are picked up), then swaps the fresh agent for a pooled one. */
  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await super.applySecurityAuthentication(context);
    const made = context.getAgent();
    // Proxy and plain HTTP agents are not https.Agent: those stay as client-node made them.
    if (made instanceof HttpsAgent && made.constructor === HttpsAgent)
      context.setAgent(this.#pooled(made.options));
  }

  #pooled(options: AgentOptions): HttpsAgent {
    const key = agentKey(options);
    let agent = this.#agents.get(key);
    if (agent === undefined) {
      agent = new HttpsAgent({ ...options, keepAlive: true });
      this.#agents.set(key, agent);
      if (this.#agents.size > MAX_AGENTS) {
        const [oldest, old] = this.#agents.entries().next().value as [string, HttpsAgent];
        this.#agents.delete(oldest);
        old.destroy();
      }
    }
    return agent;
  }

  /** close closes every pooled connection (at shutdown). */
  close(): void {
    for (const a of this.#agents.values()) a.destroy();
    this.#agents.clear();
  }
}

// agentKey digests the TLS options (credentials included: never kept in the clear here).
function agentKey(o: AgentOptions): string {
  const h = createHash('sha256');
  for (const f of TLS_FIELDS) {
    const v = o[f] as unknown;
    h.update(`\0${f}=`);
    if (v === undefined) continue;
    for (const part of Array.isArray(v) ? v : [v])
      h.update(Buffer.isBuffer(part) ? part : String(part)).update('\0');
  }
  return h.digest('base64');
}
