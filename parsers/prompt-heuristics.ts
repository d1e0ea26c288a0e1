/**
 * Prompt heuristics: recognises common shell prompts in a pane's screen text
 * and reads the cwd and the typed command off them. The lowest rung of the
 * fact ladder, used only when a pane has no markers; never authoritative.
 */

/**
 * One prompt shape. `regex` is matched against a whole screen line and may
 * define these named groups, all optional:
 * - `cwd`: the directory as printed (`~` or `~/…` for home, or absolute);
 * - `user`, `host`: as printed;
 * - `command`: what was typed after the prompt (may be empty).
 * `cwd` says how much of the directory the prompt shows: `full` (a complete
 * path), or `basename` / `abbreviated` (shortened, so never used as a cwd).
 */
export interface PromptPattern {
  readonly name: string;
  readonly description: string;
  readonly regex: RegExp;
  readonly cwd: 'full' | 'basename' | 'abbreviated' | 'none';
}

// User and host names as shells print them (\u, \h, %n, %m).
const NAME = String.raw`[A-Za-z0-9._-]+`;

/**
 * Prompts of stock shells, most specific first. Users with their own prompt
 * pass their own list (see PromptPattern); anything unrecognised yields no fact.
 */
export const DEFAULT_PROMPT_PATTERNS: readonly PromptPattern[] = [
  {
    name: 'debian-bash',
    description: 'Debian/Ubuntu bash PS1 `\\u@\\h:\\w\\$ `, e.g. `ann@box:~/src$ make`',
    regex: new RegExp(String.raw`^(?<user>${NAME})@(?<host>${NAME}):(?<cwd>(?:~|/)[^\n]*?)[$#] (?<command>.*)$`),
    cwd: 'full',
  },
  {
    name: 'fedora-bash',
    description: 'Fedora/RHEL bash PS1 `[\\u@\\h \\W]\\$ ` (basename only), e.g. `[ann@box src]$ make`',
    regex: new RegExp(String.raw`^\[(?<user>${NAME})@(?<host>${NAME}) (?<cwd>[^\]]+)\][$#] (?<command>.*)$`),
    cwd: 'basename',
  },
  {
    name: 'macos-zsh',
    description: 'macOS zsh PROMPT `%n@%m %1~ %# ` (basename only), e.g. `ann@mac src % make`',
    regex: new RegExp(String.raw`^(?<user>${NAME})@(?<host>${NAME}) (?<cwd>\S+) [%#] (?<command>.*)$`),
    cwd: 'basename',
  },
  {
    name: 'fish',
    description: 'fish default `user@host ~/s/dir> ` (prompt_pwd abbreviates), e.g. `ann@box ~/s/tsession> make`',
    regex: new RegExp(String.raw`^(?<user>${NAME})@(?<host>${NAME}) (?<cwd>(?:~|/)[^\n]*?)[>#] (?<command>.*)$`),
    cwd: 'abbreviated',
  },
  {
    name: 'cwd-dollar',
    description: 'a bare `\\w\\$ ` prompt, e.g. `~/src$ make` or `/etc # ls`',
    regex: /^(?<cwd>(?:~|\/)[^\n]*?) ?[$#] (?<command>.*)$/,
    cwd: 'full',
  },
] as const;

/** What a prompt line says. Fields are absent when the prompt does not show them. */
export interface PromptMatch {
  /** Name of the PromptPattern that matched. */
  readonly pattern: string;
  /** Index of the line in the screen text given. */
  readonly line: number;
  /** The directory as printed; only set when the prompt shows it in full. */
  readonly cwd?: string;
  /** The directory as printed when shortened (basename or abbreviated): for display only. */
  readonly cwdShown?: string;
  readonly user?: string;
  readonly host?: string;
  /** Text after the prompt, trailing spaces removed; absent when nothing was typed. */
  readonly command?: string;
}

/** Match one screen line against the patterns; null when none matches. */
export function matchPromptLine(
  text: string,
  patterns: readonly PromptPattern[] = DEFAULT_PROMPT_PATTERNS,
  line = 0,
): PromptMatch | null {
  // A prompt with nothing typed ends in a space that screen capture trims.
  const probe = text.endsWith(' ') ? text : `${text} `;
  for (const p of patterns) {
    const m = p.regex.exec(probe);
    if (!m) continue;
    const g = m.groups ?? {};
    const command = g.command?.trimEnd();
    return {
      pattern: p.name,
      line,
      ...(g.cwd !== undefined && p.cwd === 'full' ? { cwd: g.cwd } : {}),
      ...(g.cwd !== undefined && p.cwd !== 'full' && p.cwd !== 'none' ? { cwdShown: g.cwd } : {}),
      ...(g.user !== undefined ? { user: g.user } : {}),
      ...(g.host !== undefined ? { host: g.host } : {}),
      ...(command ? { command } : {}),
    };
  }
  return null;
}

/** Every prompt line in `lines` (screen text, top to bottom), in order. */
export function findPrompts(
  lines: readonly string[],
  patterns: readonly PromptPattern[] = DEFAULT_PROMPT_PATTERNS,
): PromptMatch[] {
  const out: PromptMatch[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = matchPromptLine(lines[i]!, patterns, i);
    if (m) out.push(m);
  }
  return out;
}

/** `~` or `~/x` made absolute with `home`; other paths unchanged. */
export function expandHome(path: string, home: string): string {
  if (path === '~') return home;
  if (path.startsWith('~/')) return `${home.replace(/\/+$/, '')}${path.slice(1)}`;
  return path;
}
