// No 'server-only' marker: the CLIs (keys, db:migrate) read this outside Next.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The embedded database belongs to one process at a time. The server that holds it says so in
 * `<data dir>/server.json` (its pid, port and a token for its admin API), so that a CLI can go
 * through that server instead of opening the database a second time. The token guards nothing
 * the data folder's reader could not read anyway: the file is as private as the database.
 */
export interface EmbeddedOwner {
  pid: number;
  port: number;
  token: string;
}

const ownerFile = (dataDir: string) => path.join(dataDir, 'server.json');

/** Records this process as the owner; the record is removed when the process exits. */
export function claimEmbeddedDatabase(dataDir: string, port: number): EmbeddedOwner {
  const owner: EmbeddedOwner = { pid: process.pid, port, token: randomBytes(32).toString('base64url') };
  writeFileSync(ownerFile(dataDir), JSON.stringify(owner), { mode: 0o600 });
  process.once('exit', () => {
    if (readOwner(dataDir)?.pid === process.pid) rmSync(ownerFile(dataDir), { force: true });
  });
  return owner;
}

/** The live process holding the embedded database, if any (a crashed one's record is ignored). */
export function runningOwner(dataDir: string): EmbeddedOwner | undefined {
  const owner = readOwner(dataDir);
  return owner && isAlive(owner.pid) ? owner : undefined;
}

/** Whether `token` is this process's admin token. */
export function isOwnerToken(dataDir: string, token: string): boolean {
  const owner = readOwner(dataDir);
  if (owner?.pid !== process.pid) return false;
  const expected = Buffer.from(owner.token);
  const given = Buffer.from(token);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

function readOwner(dataDir: string): EmbeddedOwner | undefined {
  try {
    return JSON.parse(readFileSync(ownerFile(dataDir), 'utf8')) as EmbeddedOwner;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
