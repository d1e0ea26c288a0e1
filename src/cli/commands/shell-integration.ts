/**
 * `tsession shell-integration bash|zsh|fish`: prints the integration script
 * for the user's rc file. The scripts live in shell/ at the package root and
 * are read at run time; this module only finds and prints them.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../../user-error.js';

/** The shells with an integration script, and the file holding each. */
export const SHELL_SCRIPTS = {
  bash: 'shell/tsession.bash',
  zsh: 'shell/tsession.zsh',
  fish: 'shell/tsession.fish',
} as const;

/** A shell tsession has an integration script for. */
export type IntegratedShell = keyof typeof SHELL_SCRIPTS;

/** Whether `shell` names one of SHELL_SCRIPTS. */
export function isIntegratedShell(shell: string): shell is IntegratedShell {
  return Object.hasOwn(SHELL_SCRIPTS, shell);
}

/** Print the integration script for `shell` to `out`. */
export async function shellIntegrationCommand(shell: string, out: NodeJS.WritableStream = process.stdout): Promise<void> {
  if (!isIntegratedShell(shell)) {
    throw new UserError(`Expected a shell of bash, zsh or fish, got ${shell}`, 2);
  }
  const text = await readFile(shellScriptPath(shell), 'utf8');
  await new Promise<void>((resolve, reject) => {
    out.write(text, (err) => (err ? reject(err) : resolve()));
  });
}

/** Absolute path of the integration script for `shell`. */
export function shellScriptPath(shell: IntegratedShell): string {
  return join(packageRoot(), SHELL_SCRIPTS[shell]);
}

let cachedRoot: string | undefined;

/**
 * The tsession package root: the nearest directory above this module whose
 * package.json is named "tsession" (this file runs from src/ and from dist/src/).
 */
export function packageRoot(): string {
  if (cachedRoot) return cachedRoot;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (packageName(join(dir, 'package.json')) === 'tsession') return (cachedRoot = dir);
    const parent = dirname(dir);
    if (parent === dir) {
      throw new Error(`Expected a package.json named "tsession" above ${fileURLToPath(import.meta.url)}, found none`);
    }
    dir = parent;
  }
}

function packageName(path: string): unknown {
  try {
    return (JSON.parse(readFileSync(path, 'utf8')) as { name?: unknown }).name;
  } catch {
    return undefined;
  }
}
