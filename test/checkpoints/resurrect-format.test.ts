/** The pure readers of tmux-resurrect's save file and contents archive. */
import { describe, expect, it } from 'vitest';
import { readPaneContentsTar, sanitizePaneText } from '../../checkpoints/resurrect-contents.js';
import { layoutChecksum, layoutPaneSizes, parseResurrectSave, unbackslash } from '../../checkpoints/resurrect-format.js';

const opts = { defaultShell: 'zsh', createdAt: 1 };

describe('parseResurrectSave', () => {
  it('reads the pre-v4 shape (window name on pane lines, 6-field window lines)', () => {
    const body = '200x49,0,0[200x24,0,0,2,200x24,0,25,3]';
    const text = [
      'pane\tred\t1\t:logs\t0\t:-Z\t0\t:/tmp\t0\tbash\t:',
      'pane\tred\t1\t:logs\t0\t:-Z\t1\t:/tmp/a\\ b\t1\tvim\t:vim foo.txt',
      `window\tred\t1\t0\t:-Z\t${layoutChecksum(body).toString(16).padStart(4, '0')},${body}`,
      'state\tred\t',
    ].join('\n');
    const s = parseResurrectSave(text, opts);
    expect(s.notes).toEqual([]);
    const w = s.sessions[0]!.windows[0]!;
    expect({ name: w.name, zoomed: w.zoomed, last: w.last, auto: w.automaticRename }).toEqual({ name: 'logs', zoomed: true, last: true, auto: false });
    expect(w.panes.map((p) => [p.cwd.path, p.height, p.shell.command])).toEqual([['/tmp', 24, 'bash'], ['/tmp/a b', 24, 'zsh']]);
    expect(w.panes[1]!.foreground).toEqual({ kind: 'job', command: 'vim', argv: ['vim', 'foo.txt'], cwd: null, source: 'heuristic' });
    expect(s.state).toEqual({ client: 'red', last: '' });
  });

  it('reads a line an empty pane title shifted (save.sh merges two tabs) without its command', () => {
    // The shape save.sh (resurrect cff343c, tmux 3.3a) wrote for a pane titled '': title <- :DIR, dir <- PANE_ACTIVE,
    // active <- COMMAND, command <- PID, full <- ps of the history size (here a forged kthreadd).
    const text = 'pane\ts\t0\t1\t:*\t0\t:/srv/app\t1\tbash\t4242\t:kthreadd';
    const s = parseResurrectSave(text, opts);
    const p = s.sessions[0]!.windows[0]!.panes[0]!;
    expect([p.title, p.cwd.path, p.active, p.shell.command, p.foreground]).toEqual(['', '/srv/app', true, 'bash', { kind: 'shell' }]);
    expect(s.notes).toEqual([expect.stringMatching(/^line 1 \(pane\): saved with an empty pane title/), expect.stringMatching(/tiled/)]);
  });

  it('skips a window line whose layout checksum is wrong and tiles the window', () => {
    const text = 'pane\ts\t0\t1\t:*\t0\tt\t:/\t1\tbash\t:\nwindow\ts\t0\t:w\t1\t:*\tffff,80x24,0,0,1\ton';
    const s = parseResurrectSave(text, opts);
    expect(s.sessions[0]!.windows[0]!.layout).toBe('tiled');
    expect(s.notes).toEqual(['window s:0: its layout is not one tmux accepts; tiled instead']);
  });
});

describe('layouts and escapes', () => {
  it("computes tmux's checksum and the pane sizes in pane order", () => {
    const body = '160x48,0,0{60x48,0,0,0,99x48,61,0[99x24,61,0,1,99x23,61,25,2]}';
    expect(layoutChecksum(body).toString(16)).toBe('f576');
    expect(layoutPaneSizes(`f576,${body}`)).toEqual([{ width: 60, height: 48 }, { width: 99, height: 24 }, { width: 99, height: 23 }]);
    expect(layoutPaneSizes(`f576,${body}x`)).toBeNull();
  });

  it('drops backslashes like bash read without -r', () => {
    expect(unbackslash('/a\\ b\\\\c\\')).toBe('/a b\\c');
  });
});

describe('pane contents', () => {
  it('keeps text and SGR; drops every other sequence and control byte', () => {
    const raw = '\x1b[1;31mred\x1b[0m\x1b]52;c;eA==\x07 \x1b[c\x1b[6n\x1bP+q\x1b\\x\x07\x08\ttab\n\n\n';
    expect(sanitizePaneText(raw, 10)).toBe('\x1b[1;31mred\x1b[0m x\ttab');
    expect(sanitizePaneText('1\n2\n3', 2)).toBe('2\n3');
    expect(sanitizePaneText('1', 0)).toBe('');
  });

  it('stops at a damaged header instead of throwing', () => {
    const tar = new Uint8Array(1024).fill(7);
    expect(readPaneContentsTar(tar).notes).toEqual(['pane contents: the archive is damaged after 0 panes; the rest skipped']);
  });
});
