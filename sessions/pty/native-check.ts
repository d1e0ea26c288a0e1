/**
 * Whether node-pty's native module loads on this machine (`tsession
 * doctor`). Lives in sessions/pty/, the only folder that imports node-pty;
 * the import is lazy so nothing else pays for it.
 */
import { errorMessage } from '../../checkpoints/result.js';

/** The outcome of loading node-pty. */
export type NativePtyCheck = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** Load node-pty (its native binding loads with it) and report what went wrong, if anything. */
export async function checkNativePty(): Promise<NativePtyCheck> {
  try {
    const mod = (await import('node-pty')) as { spawn?: unknown; default?: { spawn?: unknown } };
    const spawn = mod.spawn ?? mod.default?.spawn;
    return typeof spawn === 'function' ? { ok: true } : { ok: false, reason: 'node-pty loaded without a spawn function' };
  } catch (e) {
    return { ok: false, reason: errorMessage(e).split('\n')[0] ?? 'unknown error' };
  }
}
