/**
 * Help examples run as written: every `tsession …` in a command's examples
 * parses with that command's own options (no `…` standing for part of an
 * id, no option the command does not have, no value missing).
 */
import { describe, expect, it } from 'vitest';
import type { ParseArgsConfig } from 'node:util';
import { splitCommand } from '../../../src/cli/argv.js';
import { COMMANDS, GLOBAL_OPTIONS } from '../../../src/cli/commands/table.js';
import { parseCommandArgs } from '../../../src/cli/parse-argv.js';

/** The argv of each `tsession` invocation in a shell line: up to a pipe, a redirection, a comment or a subshell's end. */
function invocations(line: string): string[][] {
  const words = line.split(/\s+/).filter(Boolean);
  const out: string[][] = [];
  words.forEach((w, i) => {
    if (w !== 'tsession' && !w.endsWith('(tsession')) return;
    const argv: string[] = [];
    for (const a of words.slice(i + 1)) {
      if (/^(\||\|\||&&|>|>>|#|;)/.test(a)) break;
      argv.push(a.replace(/\)"?$/, ''));
      if (/\)"?$/.test(a)) break;
    }
    out.push(argv);
  });
  return out;
}

describe('help examples', () => {
  it('each one parses with its command’s options and holds no ellipsis', () => {
    let checked = 0;
    for (const [name, spec] of Object.entries(COMMANDS)) {
      for (const example of spec.examples) {
        expect(example, `${name}: ${example}`).not.toContain('…');
        for (const argv of invocations(example)) {
          const { name: cmd, rest } = splitCommand(argv.filter((a) => a !== '--watch'));
          const command = argv.includes('--watch') && cmd === undefined ? COMMANDS.watch : cmd === undefined ? COMMANDS.default : COMMANDS[cmd as keyof typeof COMMANDS];
          expect(command, `${name}: ${example}`).toBeDefined();
          const options = { ...GLOBAL_OPTIONS, ...command.options } as NonNullable<ParseArgsConfig['options']>;
          expect(() => parseCommandArgs(rest, options, cmd), `${name}: ${example}`).not.toThrow();
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(15);
  });
});
