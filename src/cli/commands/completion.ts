/**
 * Shell completion: what to offer at the cursor, decided from the command
 * table's data (options.ts: commands, their options and operands;
 * global-options.ts) so completion cannot drift from the parser; and the bash, zsh and fish
 * glue that asks `tsession __complete -- WORD…` for it. Live values
 * (session names, checkpoint ids) are looked up by complete.ts.
 */
import type { Context } from '../../context.js';
import { EXIT } from '../../exit-codes.js';
import { UserError } from '../../user-error.js';
import { GLOBAL_OPTIONS, type OptionSpec } from '../global-options.js';
// Not table.ts: it loads this module, and its data lives in options.ts.
import { COMMAND_OPERANDS, COMMAND_OPTIONS, HIDDEN_COMMANDS, type CommandName, type Operand, type ValuesOf } from './options.js';

/** One candidate and the line a shell may show beside it. */
export interface Candidate {
  readonly word: string;
  readonly description: string;
}

/** What to offer for the word at the cursor. */
export type Completion =
  | { readonly kind: 'words'; readonly candidates: readonly Candidate[] }
  | { readonly kind: 'file' }
  | { readonly kind: 'session' | 'checkpoint' };

/** Options whose value is a checkpoint id or a path, by long name. */
const VALUE_KINDS: Readonly<Record<string, 'checkpoint' | 'file'>> = {
  from: 'checkpoint',
  'socket-path': 'file',
  config: 'file',
  'state-dir': 'file',
};

type Options = Readonly<Record<string, OptionSpec>>;

function findOption(options: Options, word: string): [string, OptionSpec] | undefined {
  if (word.startsWith('--')) {
    const name = word.slice(2).split('=')[0]!;
    return Object.hasOwn(options, name) ? [name, options[name]!] : undefined;
  }
  return Object.entries(options).find(([, o]) => o.short !== undefined && word === `-${o.short}`);
}

const isVisibleCommand = (w: string): w is CommandName => Object.hasOwn(COMMAND_OPTIONS, w) && !HIDDEN_COMMANDS.has(w);

/**
 * What to complete, given the words after `tsession` up to the cursor (the
 * last one is the word being typed, possibly empty). Pure.
 */
export function completeWords(words: readonly string[]): Completion {
  const cur = words[words.length - 1] ?? '';
  const before = words.slice(0, -1);
  let command: CommandName | null = null;
  let options: Options = GLOBAL_OPTIONS;
  let operand = 0;
  let valueFor: string | null = null;
  let dashdash = false;
  for (const w of before) {
    if (valueFor !== null) {
      valueFor = null;
      continue;
    }
    if (!dashdash && w === '--') {
      dashdash = true;
      continue;
    }
    if (!dashdash && w.startsWith('-') && w !== '-') {
      const found = findOption(options, w);
      if (w === '--watch' && !command) {
        command = 'watch';
        options = { ...GLOBAL_OPTIONS, ...COMMAND_OPTIONS.watch };
      } else if (found && found[1].type === 'string' && !w.includes('=')) {
        valueFor = found[0];
      }
      continue;
    }
    if (!command && isVisibleCommand(w)) {
      command = w;
      options = { ...GLOBAL_OPTIONS, ...COMMAND_OPTIONS[w] };
      continue;
    }
    operand++;
  }
  if (valueFor !== null) {
    const kind = VALUE_KINDS[valueFor];
    return kind === 'file' ? { kind: 'file' } : kind ? { kind } : { kind: 'words', candidates: [] };
  }
  const matching = (list: Candidate[]) => ({ kind: 'words' as const, candidates: list.filter((c) => c.word.startsWith(cur)) });
  if (cur.startsWith('-') && !dashdash) {
    return matching(
      Object.entries(options).flatMap(([name, o]) => [
        { word: `--${name}`, description: o.help },
        ...(o.short ? [{ word: `-${o.short}`, description: o.help }] : []),
      ]),
    );
  }
  if (!command) return matching(Object.keys(COMMAND_OPTIONS).filter(isVisibleCommand).map((n) => ({ word: n, description: '' })));
  const operands: readonly Operand[] = COMMAND_OPERANDS[command] ?? [];
  const o = operands[Math.min(operand, operands.length - 1)];
  if (!o) return { kind: 'words', candidates: [] };
  if (o.kind === 'words') return matching(o.words.map((w) => ({ word: w, description: '' })));
  return { kind: o.kind };
}

/** The glue script for each shell: it hands the words to `tsession __complete` and shows what comes back. */
export const COMPLETION_SCRIPTS = {
  bash: `# tsession completion for bash: source it from ~/.bashrc (tsession completion bash).
_tsession() {
  local cur=\${COMP_WORDS[COMP_CWORD]} out body line
  out=$(tsession __complete -- "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null) || return 0
  COMPREPLY=()
  if [[ \${out%%$'\\n'*} == :file ]]; then
    compopt -o filenames 2>/dev/null
    while IFS= read -r line; do COMPREPLY+=("$line"); done < <(compgen -f -- "$cur")
    return 0
  fi
  [[ $out == *$'\\n'* ]] || return 0
  body=\${out#*$'\\n'}
  while IFS= read -r line; do
    [[ -n $line ]] && COMPREPLY+=("$(printf '%q' "\${line%%$'\\t'*}")")
  done <<< "$body"
}
complete -F _tsession tsession
`,
  zsh: `#compdef tsession
# tsession completion for zsh: source it from ~/.zshrc after compinit (tsession completion zsh).
_tsession() {
  local out l
  local -a lines cands
  out=$(tsession __complete -- "\${(@)words[2,CURRENT]}" 2>/dev/null) || return 1
  lines=("\${(@f)out}")
  if [[ $lines[1] == :file ]]; then
    _files
    return
  fi
  for l in "\${(@)lines[2,-1]}"; do
    [[ -n $l ]] && cands+=("\${\${l%%$'\\t'*}//:/\\\\:}:\${l#*$'\\t'}")
  done
  _describe -t values tsession cands
}
if (( $+functions[compdef] )); then compdef _tsession tsession; fi
`,
  fish: `# tsession completion for fish: save as ~/.config/fish/completions/tsession.fish (tsession completion fish).
function __tsession_complete
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l cur (commandline -ct)
    set -l out (tsession __complete -- $tokens "$cur" 2>/dev/null)
    or return
    if test "$out[1]" = ":file"
        __fish_complete_path "$cur"
        return
    end
    set -e out[1]
    printf '%s\\n' $out
end
complete -c tsession -f -a '(__tsession_complete)'
`,
} as const;

export async function run(_ctx: Context, _v: ValuesOf<'completion'>, positionals: string[]): Promise<number> {
  const [shell, ...rest] = positionals;
  if (shell === undefined || !Object.hasOwn(COMPLETION_SCRIPTS, shell) || rest.length) {
    const got = shell === undefined ? 'nothing' : JSON.stringify(rest.length ? positionals.join(' ') : shell);
    throw new UserError(`Expected a shell of bash, zsh or fish, got ${got}; see tsession completion --help`, EXIT.usage);
  }
  process.stdout.write(COMPLETION_SCRIPTS[shell as keyof typeof COMPLETION_SCRIPTS]);
  return EXIT.ok;
}
