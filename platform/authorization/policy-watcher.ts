import { EventEmitter } from 'node:events';
import { RedisWatcher } from '@casbin/redis-watcher';

/**
 * Tells every process that the policy changed, so each drops what it has cached. The
 * message carries no detail: a process reloads an organization's policy when it next
 * needs it, building it aside while the old one keeps answering.
 */
export interface PolicyWatcher {
  /** Publishes a change; resolves once it is sent. */
  notify(): Promise<void>;
  onChange(listener: () => void): void;
  close(): Promise<void>;
}

export const POLICY_CHANNEL = 'auralink:casbin:policy';

/** Across processes, through Redis pub/sub (@casbin/redis-watcher). */
export class RedisPolicyWatcher implements PolicyWatcher {
  private readonly listeners: (() => void)[] = [];

  private constructor(private readonly watcher: RedisWatcher) {
    watcher.setUpdateCallback(() => {
      for (const listener of this.listeners) listener();
    });
  }

  static async connect(redisUrl: string): Promise<RedisPolicyWatcher> {
    const url = new URL(redisUrl);
    const watcher = await RedisWatcher.newWatcher({
      host: url.hostname,
      port: Number(url.port || 6379),
      username: url.username ? decodeURIComponent(url.username) : undefined,
      password: url.password ? decodeURIComponent(url.password) : undefined,
      db: url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0,
      tls: url.protocol === 'rediss:' ? {} : undefined,
      channel: POLICY_CHANNEL,
    } as Parameters<typeof RedisWatcher.newWatcher>[0]);
    return new RedisPolicyWatcher(watcher);
  }

  async notify(): Promise<void> {
    await this.watcher.update();
  }

  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  async close(): Promise<void> {
    await this.watcher.close();
  }
}

/** Within one process (the embedded default, with no REDIS_URL): every subgraph shares it. */
export class InProcessPolicyWatcher implements PolicyWatcher {
  private readonly events = new EventEmitter();

  async notify(): Promise<void> {
    this.events.emit('change');
  }

  onChange(listener: () => void): void {
    this.events.on('change', listener);
  }

  async close(): Promise<void> {
    this.events.removeAllListeners();
  }
}
