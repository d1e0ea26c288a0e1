/**
 * The runtime dir and the socket path, for real: directories with the wrong
 * mode, a symlink, a foreign owner (chown works: the test machine runs as
 * root; the pure check is tested with stat-like facts too), a file in the
 * socket's place, stale and live sockets.
 */
import { spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkRuntimeDir, ensureRuntimeDir, judgeRuntimeDir, listen, type DirFacts, type IpcError } from '../../src/ipc/index.js';
import { cleanupAfterEach, stopChild } from '../helpers/teardown.js';
import { ECHO_PROTOCOL, echoClient, echoServer, runtimeDir } from './ipc-helpers.js';

const cleanup = cleanupAfterEach();
const isRoot = process.getuid?.() === 0;
const FOREIGN_UID = 4242;

/** A fresh runtime dir (not yet made) and its socket path. */
function fresh() {
  const rt = runtimeDir();
  cleanup(rt.cleanup);
  return rt;
}

/** Try to listen; return the error kind (or 'listening'), and check nothing was bound when it failed. */
async function listenKind(socket: string): Promise<string> {
  const r = await listen(socket, { protocol: ECHO_PROTOCOL, handlers: {}, log: () => {} });
  if (r.ok) {
    cleanup(() => r.value.close());
    return 'listening';
  }
  return r.error.kind;
}

/** The error a client meets connecting to `socket` without retrying. */
async function connectError(socket: string): Promise<IpcError> {
  const { client } = echoClient(socket, { reconnect: false });
  const r = await client.ready;
  if (r.ok) throw new Error('Expected the connect to fail');
  return r.error;
}

const facts = (over: Partial<{ symlink: boolean; dir: boolean; uid: number; mode: number }>): DirFacts => ({
  isSymbolicLink: () => over.symlink ?? false,
  isDirectory: () => over.dir ?? true,
  uid: over.uid ?? 1000,
  mode: over.mode ?? 0o40700,
});

describe('judgeRuntimeDir (pure)', () => {
  it.each([
    [{}, null],
    [{ symlink: true }, 'symlink'],
    [{ dir: false }, 'not-a-directory'],
    [{ uid: 0 }, 'foreign-owner'],
    [{ mode: 0o40755 }, 'bad-mode'],
    [{ mode: 0o40500 }, 'bad-mode'],
    [{ mode: 0o41700 }, 'bad-mode'], // sticky bit: not exactly 0700
  ])('%j → %s', (over, kind) => {
    expect(judgeRuntimeDir('/run/user/1000/tsession', facts(over), 1000)?.kind ?? null).toBe(kind);
  });

  it('says what was expected, what was found and what to do', () => {
    expect(judgeRuntimeDir('/d', facts({ mode: 0o40755 }), 1000)?.message).toBe('Expected runtime dir /d to have mode 0700, got 0755: run chmod 700 /d');
    expect(judgeRuntimeDir('/d', facts({ uid: 7 }), 1000)?.message).toMatch(/^Expected runtime dir \/d to be owned by uid 1000, got uid 7: .*XDG_RUNTIME_DIR/);
  });
});

describe('ensureRuntimeDir / checkRuntimeDir', () => {
  it('makes a missing dir with mode exactly 0700, even under a umask that would take the owner\'s bits', async () => {
    const rt = fresh();
    const old = process.umask(0o277);
    try {
      expect(await ensureRuntimeDir(rt.dir)).toEqual({ ok: true, value: undefined });
    } finally {
      process.umask(old);
    }
    expect(lstatSync(rt.dir).mode & 0o7777).toBe(0o700);
  });

  it('reports a missing dir as not-running when only checking (a client must not create it)', async () => {
    const rt = fresh();
    const r = await checkRuntimeDir(rt.dir);
    expect(!r.ok && r.error.kind).toBe('not-running');
    expect(existsSync(rt.dir)).toBe(false);
  });
});

describe('listen and connect refuse an unsafe runtime dir, and nothing is listened on', () => {
  it('a dir with mode 0755: bad-mode, left as it is', async () => {
    const rt = fresh();
    mkdirSync(rt.dir, { mode: 0o755 });
    chmodSync(rt.dir, 0o755);
    expect(await listenKind(rt.socket)).toBe('bad-mode');
    expect(existsSync(rt.socket)).toBe(false);
    expect(lstatSync(rt.dir).mode & 0o777).toBe(0o755);
    expect((await connectError(rt.socket)).kind).toBe('bad-mode');
  });

  it('a symlink to a private dir of ours: symlink (lstat, never followed)', async () => {
    const rt = fresh();
    const real = `${rt.dir}-real`;
    mkdirSync(real, { mode: 0o700 });
    symlinkSync(real, rt.dir);
    expect(await listenKind(rt.socket)).toBe('symlink');
    expect(existsSync(join(real, 'echo.sock'))).toBe(false);
    expect((await connectError(rt.socket)).kind).toBe('symlink');
  });

  it.skipIf(!isRoot)('a dir owned by another user: foreign-owner (real chown)', async () => {
    const rt = fresh();
    mkdirSync(rt.dir, { mode: 0o700 });
    chownSync(rt.dir, FOREIGN_UID, FOREIGN_UID);
    expect(await listenKind(rt.socket)).toBe('foreign-owner');
    expect(existsSync(rt.socket)).toBe(false);
    const e = await connectError(rt.socket);
    expect(e.kind).toBe('foreign-owner');
    expect(e.message).toContain(`got uid ${FOREIGN_UID}`);
  });

  it('a regular file where the dir should be: not-a-directory', async () => {
    const rt = fresh();
    writeFileSync(rt.dir, 'x');
    expect(await listenKind(rt.socket)).toBe('not-a-directory');
  });
});

describe('the socket path', () => {
  it('is made 0600 (even under umask 0, which would leave it 0777), and removed when the server closes', async () => {
    const rt = fresh();
    const old = process.umask(0);
    let listening: Awaited<ReturnType<typeof echoServer>>;
    try {
      listening = await echoServer(rt.socket);
    } finally {
      process.umask(old);
    }
    const { server } = listening;
    expect(lstatSync(rt.dir).mode & 0o7777).toBe(0o700);
    const st = lstatSync(rt.socket);
    expect(st.isSocket()).toBe(true);
    expect(st.mode & 0o777).toBe(0o600);
    await server.close();
    expect(existsSync(rt.socket)).toBe(false);
  });

  it('taken by a regular file: socket-path-taken with an actionable line, the file untouched, nothing listened on', async () => {
    const rt = fresh();
    await ensureRuntimeDir(rt.dir);
    writeFileSync(rt.socket, 'precious');
    const r = await listen(rt.socket, { protocol: ECHO_PROTOCOL, handlers: {}, log: () => {} });
    expect(!r.ok && r.error).toMatchObject({ kind: 'socket-path-taken', path: rt.socket, message: `Expected ${rt.socket} to be free or a socket, got another kind of file: move it away` });
    expect(readFileSync(rt.socket, 'utf8')).toBe('precious');
  });

  it('held by a live server: already-running, and the live server keeps serving', async () => {
    const rt = fresh();
    const { server } = await echoServer(rt.socket);
    cleanup(() => server.close());
    expect(await listenKind(rt.socket)).toBe('already-running');
    const { client } = echoClient(rt.socket);
    cleanup(() => client.close());
    expect((await client.ready).ok).toBe(true);
  });

  it('left by a killed server (stale: nobody listens) is replaced, and the takeover is logged', async () => {
    const rt = fresh();
    await ensureRuntimeDir(rt.dir);
    const child = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(rt.socket)}, () => console.log('up'))`], { stdio: ['ignore', 'pipe', 'inherit'] });
    cleanup(() => stopChild(child));
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    await stopChild(child, 'SIGKILL');
    expect(lstatSync(rt.socket).isSocket()).toBe(true);
    const { server, log } = await echoServer(rt.socket);
    cleanup(() => server.close());
    expect(log.map((l) => l.event)).toEqual(['stale-socket-removed', 'listening']);
    const { client } = echoClient(rt.socket);
    cleanup(() => client.close());
    expect((await client.ready).ok).toBe(true);
  });

  it('longer than a Unix socket address holds: path-too-long, for listen and connect', async () => {
    const rt = fresh();
    const long = join(rt.dir, `${'x'.repeat(120)}.sock`);
    expect(await listenKind(long)).toBe('path-too-long');
    expect((await connectError(long)).kind).toBe('path-too-long');
  });

  it('with nobody listening: a client that does not retry says not-running', async () => {
    const rt = fresh();
    await ensureRuntimeDir(rt.dir);
    const e = await connectError(rt.socket);
    expect(e.kind).toBe('not-running');
    expect(e.message).toContain(rt.socket);
  });
});
