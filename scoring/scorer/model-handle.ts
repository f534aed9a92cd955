// Follows a model reference (NAME@ALIAS or NAME:VERSION) in the registry. When the alias moves, the
// new version loads in the background and is adopted between batches, so no batch is scored half by
// one version and half by another and nothing waits on a load. A version that fails to load (corrupt,
// oversized, signature mismatch) is reported once and the handle keeps the version it had.
import { logger } from '../../kernel/logger.ts';
import { formatModelRef, type ModelRef, type ModelRegistry, parseModelRef } from '../../models/registry.ts';
import { loadScoringModel, type ScoringModel, type ScoringModelOptions } from './scoring-model.ts';

export interface ModelHandleOptions extends ScoringModelOptions {
  /** How often to re-resolve the alias, ms (default 2000). In-process promotions are seen at once. */
  pollMs?: number;
}

export interface ModelEvent {
  kind: 'loaded' | 'switched' | 'load-failed' | 'resolve-failed';
  ref: string;
  version?: number;
  fromVersion?: number;
  message: string;
}

export class ModelHandle {
  readonly ref: ModelRef;
  private active: ScoringModel | null = null;
  private pending: ScoringModel | null = null;
  private loading: Promise<void> | null = null;
  private failedVersion: number | null = null;
  private lastPoll = 0;
  private unsubscribe: (() => void) | null = null;
  private readonly events: ModelEvent[] = [];
  private stopped = false;
  private readonly log = logger.child({ component: 'model-handle' });

  constructor(
    private readonly registry: ModelRegistry,
    ref: string | ModelRef,
    private readonly options: ModelHandleOptions = {},
  ) {
    this.ref = typeof ref === 'string' ? parseModelRef(ref) : ref;
  }

  get label(): string {
    return formatModelRef(this.ref);
  }

  /** Loads the version the reference points at now and subscribes to alias moves. */
  async start(): Promise<void> {
    if (this.ref.alias !== undefined) {
      this.unsubscribe = this.registry.onAliasChange((c) => {
        if (c.name === this.ref.name && c.alias === this.ref.alias) void this.refresh();
      });
    }
    await this.refresh();
  }

  /**
   * The model to score the next batch with. Adopts a freshly loaded version here, between batches,
   * and releases the one it replaces (no batch is in flight on it any more).
   */
  take(): ScoringModel | null {
    if (this.pending) {
      const old = this.active;
      this.active = this.pending;
      this.pending = null;
      if (old) {
        this.record({
          kind: 'switched',
          ref: this.label,
          version: this.active.version.version,
          fromVersion: old.version.version,
          message: `${this.label} switched from version ${old.version.version} to ${this.active.version.version}`,
        });
        void old.runtime.dispose().catch(() => undefined);
      }
    }
    return this.active;
  }

  /** The version scoring now, without adopting a pending one (safe to call from anywhere). */
  peek(): ScoringModel | null {
    return this.active;
  }

  /** Re-resolves the reference when the poll interval has passed (non-blocking). */
  poll(now = Date.now()): void {
    if (this.ref.version !== undefined) return;
    if (now - this.lastPoll < (this.options.pollMs ?? 2000)) return;
    this.lastPoll = now;
    void this.refresh();
  }

  /** Resolves the reference and loads its version if it is new; concurrent calls share one load. */
  refresh(): Promise<void> {
    if (this.loading) return this.loading.then(() => this.refresh());
    this.loading = this.doRefresh().finally(() => {
      this.loading = null;
    });
    return this.loading;
  }

  private async doRefresh(): Promise<void> {
    if (this.stopped) return;
    let version: Awaited<ReturnType<ModelRegistry['resolve']>>;
    try {
      version = await this.registry.resolve(this.ref);
    } catch (err) {
      if (!this.active && !this.pending) {
        this.record({
          kind: 'resolve-failed',
          ref: this.label,
          message: `cannot resolve ${this.label}: ${(err as Error).message}`,
        });
      }
      return;
    }
    const have = (this.pending ?? this.active)?.version.version;
    if (version.version === have || version.version === this.failedVersion) return;
    try {
      const model = await loadScoringModel(this.registry, version, this.options);
      if (this.stopped) {
        await model.runtime.dispose();
        return;
      }
      if (this.pending) void this.pending.runtime.dispose().catch(() => undefined);
      if (this.active) {
        this.pending = model;
      } else {
        this.active = model;
      }
      this.failedVersion = null;
      this.record({
        kind: 'loaded',
        ref: this.label,
        version: version.version,
        message: `loaded ${version.name}:${version.version} (${version.format}, sha256 ${version.sha256.slice(0, 12)})`,
      });
    } catch (err) {
      this.failedVersion = version.version;
      const keeping = (this.pending ?? this.active)?.version.version;
      this.record({
        kind: 'load-failed',
        ref: this.label,
        version: version.version,
        message: `cannot load ${version.name}:${version.version}: ${(err as Error).message}${
          keeping !== undefined ? `; still scoring with version ${keeping}` : ''
        }`,
      });
    }
  }

  private record(e: ModelEvent): void {
    if (e.kind === 'load-failed' || e.kind === 'resolve-failed')
      this.log.error({ ref: e.ref, version: e.version }, e.message);
    else this.log.info({ ref: e.ref, version: e.version, from: e.fromVersion }, e.message);
    this.events.push(e);
  }

  /** Model events since the last call (the stage turns failures into error records). */
  drainEvents(): ModelEvent[] {
    return this.events.splice(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    await this.loading?.catch(() => undefined);
    for (const m of [this.active, this.pending]) await m?.runtime.dispose().catch(() => undefined);
    this.active = null;
    this.pending = null;
  }
}
