// API keys with roles. Keys are random 32-byte tokens shown once; only their SHA-256 is stored
// (high-entropy tokens need no slow hash). Roles nest: viewer < analyst < admin.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export const ROLES = ['viewer', 'analyst', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface ApiKeyRecord {
  id: string;
  name: string;
  role: Role;
  hash: string;
  createdAt: string;
}

export interface Principal {
  keyId: string;
  name: string;
  role: Role;
}

export function roleAtLeast(role: Role, needed: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

const hashKey = (key: string) => createHash('sha256').update(key).digest('hex');

export class KeyStore {
  private keys: ApiKeyRecord[];

  constructor(private readonly path: string) {
    this.keys = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')).keys as ApiKeyRecord[]) : [];
  }

  list(): Omit<ApiKeyRecord, 'hash'>[] {
    return this.keys.map(({ hash: _hash, ...k }) => k);
  }

  /** Creates a key and returns its secret (the only time it is seen). */
  create(name: string, role: Role): { id: string; key: string } {
    const id = randomBytes(6).toString('hex');
    const key = `vgl_${id}_${randomBytes(24).toString('base64url')}`;
    this.keys.push({ id, name, role, hash: hashKey(key), createdAt: new Date().toISOString() });
    this.save();
    return { id, key };
  }

  revoke(id: string): boolean {
    const before = this.keys.length;
    this.keys = this.keys.filter((k) => k.id !== id);
    if (this.keys.length === before) return false;
    this.save();
    return true;
  }

  authenticate(key: string | undefined | null): Principal | null {
    if (!key) return null;
    const hash = Buffer.from(hashKey(key), 'hex');
    for (const k of this.keys) {
      if (timingSafeEqual(hash, Buffer.from(k.hash, 'hex')))
        return { keyId: k.id, name: k.name, role: k.role };
    }
    return null;
  }

  get size(): number {
    return this.keys.length;
  }

  private save(): void {
    mkdirSync(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.tmp`;
    writeFileSync(tmp, JSON.stringify({ keys: this.keys }, null, 2), { mode: 0o600 });
    renameSync(tmp, this.path);
    chmodSync(this.path, 0o600);
  }
}

/**
 * At first start there is no key: make an admin key and keep its secret in a 0600 file beside the
 * key store, so `npm start` can print it and a user can find it again.
 */
export function bootstrapAdminKey(store: KeyStore, secretPath: string): string | null {
  if (store.size > 0) return existsSync(secretPath) ? readFileSync(secretPath, 'utf8').trim() : null;
  const { key } = store.create('admin (created at first start)', 'admin');
  writeFileSync(secretPath, `${key}\n`, { mode: 0o600 });
  return key;
}
