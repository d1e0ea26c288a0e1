import { describe, expect, it } from 'vitest';
import { createControlModeParser } from '../../parsers/control-mode.js';
import { fixture, latin1, plain, runControl, visible } from './stream-helpers.js';

const decode = (text: string) => runControl([latin1(text)]);
const events = (text: string) => plain(decode(text).events);

describe('%output', () => {
  it('unescapes octal back to the exact bytes; bytes >= 0x80 and 0x7f are raw', () => {
    const r = decode('%output %3 a\\033[1mb\\015\\012\\134\\000\x7f\xff\xc3\xbc\n');
    expect(r.events).toHaveLength(1);
    const ev = r.events[0]!;
    expect(ev.type === 'output' && ev.pane).toBe('%3');
    expect(ev.type === 'output' && [...ev.data]).toEqual([
      0x61, 0x1b, 0x5b, 0x31, 0x6d, 0x62, 0x0d, 0x0a, 0x5c, 0x00, 0x7f, 0xff, 0xc3, 0xbc,
    ]);
    expect(r.stats).toMatchObject({ outputs: 1, outputBytes: 14, malformed: 0 });
  });

  it('keeps a backslash that is not followed by three octal digits', () => {
    expect(events('%output %1 a\\8b\\01\\\n%output %1 \\477\n')).toEqual([
      { type: 'output', pane: '%1', data: 'a\\8b\\01\\' },
      { type: 'output', pane: '%1', data: '\\477' },
    ]);
  });

  it('accepts empty data and returns a copy the caller may keep', () => {
    const r = decode('%output %1 \n%output %2 keep\n');
    expect(plain(r.events)).toEqual([
      { type: 'output', pane: '%1', data: '' },
      { type: 'output', pane: '%2', data: 'keep' },
    ]);
    const p = createControlModeParser();
    const chunk = latin1('%output %2 \\033x\n');
    const [ev] = p.push(chunk);
    chunk.fill(0);
    expect(ev?.type === 'output' && [...ev.data]).toEqual([0x1b, 0x78]);
  });

  it('never rewrites data it handed out, even when the input Buffer is reused', () => {
    const p = createControlModeParser();
    const chunk = Buffer.from('%output %1 first\\033\n', 'latin1');
    const [first] = p.push(chunk);
    chunk.fill(0x41, 11);
    p.push(Buffer.from('%output %1 second\n%output %2 third\n', 'latin1'));
    expect(first?.type === 'output' && Buffer.from(first.data).toString('latin1')).toBe('first\x1b');
  });

  it('decodes into caller-allocated slabs (Buffers, for their fast indexOf)', () => {
    const p = createControlModeParser({ allocate: (size) => Buffer.allocUnsafeSlow(size) });
    const [ev] = p.push(Buffer.from('%output %1 x\n'));
    expect(ev?.type === 'output' && Buffer.isBuffer(ev.data)).toBe(true);
  });

  it('reads %extended-output with its age, reserved fields and colons in the data', () => {
    expect(events('%extended-output %1 42 : a : b\n%extended-output %7 0 r1 r2 : x\n')).toEqual([
      { type: 'output', pane: '%1', data: 'a : b', age: 42 },
      { type: 'output', pane: '%7', data: 'x', age: 0 },
    ]);
  });

  it('counts broken output lines as malformed', () => {
    const r = decode('%output 3 x\n%output %x y\n%extended-output %1 nope : z\n%extended-output %1 5 no colon\n');
    expect(r.events).toEqual([]);
    expect(r.stats.malformed).toBe(4);
  });
});

describe('reply blocks', () => {
  it('collects lines until %end with the same three numbers', () => {
    expect(events('%begin 1700 5 1\n%0 pane\nline two\n%end 1700 5 1\n')).toEqual([
      { type: 'reply', ok: true, time: 1700, number: 5, flags: 1, lines: ['%0 pane', 'line two'] },
    ]);
  });

  it('treats %end/%error with other numbers as content', () => {
    const text = '%begin 1700 5 1\n%end 1700 6 1\n%error 1701 5 1\n%end 1700 5\n%end 1700 5 1 x\n%error 1700 5 1\n';
    expect(events(text)).toEqual([
      {
        type: 'reply', ok: false, time: 1700, number: 5, flags: 1,
        lines: ['%end 1700 6 1', '%error 1701 5 1', '%end 1700 5', '%end 1700 5 1 x'],
      },
    ]);
  });

  it('emits a notification that arrives inside a reply, and keeps broken look-alikes as content', () => {
    const text = '%begin 1 2 0\n%pause %4\n%window-add nope\n%begin 3 4 5\n%end 1 2 0\n';
    expect(events(text)).toEqual([
      { type: 'pause', pane: '%4' },
      { type: 'reply', ok: true, time: 1, number: 2, flags: 0, lines: ['%window-add nope', '%begin 3 4 5'] },
    ]);
  });

  it('decodes reply lines as UTF-8 and keeps empty lines', () => {
    expect(events('%begin 1 1 1\n\xc3\xbc\n\n%end 1 1 1\n')).toEqual([
      { type: 'reply', ok: true, time: 1, number: 1, flags: 1, lines: ['ü', ''] },
    ]);
  });

  it('counts stray guards, stray text and an unclosed reply as malformed', () => {
    const r = decode('%end 1 2 3\nhello\n%begin x y z\n%begin 1 2 3\nnever closed\n');
    expect(r.events).toEqual([]);
    expect(r.stats.malformed).toBe(4);
  });
});

describe('notifications', () => {
  it('types every tmux 3.3a notification', () => {
    const text = [
      '%sessions-changed',
      '%session-changed $1 my session',
      '%session-renamed $1 ',
      '%client-session-changed /dev/pts/3 $2 other',
      '%client-detached /dev/pts/3',
      '%session-window-changed $1 @2',
      '%window-add @2',
      '%window-close @2',
      '%unlinked-window-add @3',
      '%unlinked-window-close @3',
      '%window-renamed @2 a  name',
      '%unlinked-window-renamed @3 x',
      '%window-pane-changed @2 %5',
      '%layout-change @2 b25d,80x24,0,0,0 b25d,80x24,0,0,0 *Z',
      '%layout-change @2 L V ',
      '%layout-change @2 L',
      '%pane-mode-changed %5',
      '%pause %5',
      '%continue %5',
      '%paste-buffer-changed buffer0',
      '%paste-buffer-deleted buffer0',
      '%exit',
      '%exit server exited unexpectedly',
      '',
    ].join('\n');
    expect(events(text)).toEqual([
      { type: 'sessions-changed' },
      { type: 'session-changed', session: '$1', name: 'my session' },
      { type: 'session-renamed', session: '$1', name: '' },
      { type: 'client-session-changed', client: '/dev/pts/3', session: '$2', name: 'other' },
      { type: 'client-detached', client: '/dev/pts/3' },
      { type: 'session-window-changed', session: '$1', window: '@2' },
      { type: 'window-add', window: '@2' },
      { type: 'window-close', window: '@2' },
      { type: 'unlinked-window-add', window: '@3' },
      { type: 'unlinked-window-close', window: '@3' },
      { type: 'window-renamed', window: '@2', name: 'a  name' },
      { type: 'unlinked-window-renamed', window: '@3', name: 'x' },
      { type: 'window-pane-changed', window: '@2', pane: '%5' },
      { type: 'layout-change', window: '@2', layout: 'b25d,80x24,0,0,0', visibleLayout: 'b25d,80x24,0,0,0', flags: '*Z' },
      { type: 'layout-change', window: '@2', layout: 'L', visibleLayout: 'V', flags: '' },
      { type: 'layout-change', window: '@2', layout: 'L', visibleLayout: null, flags: null },
      { type: 'pane-mode-changed', pane: '%5' },
      { type: 'pause', pane: '%5' },
      { type: 'continue', pane: '%5' },
      { type: 'paste-buffer-changed', buffer: 'buffer0' },
      { type: 'paste-buffer-deleted', buffer: 'buffer0' },
      { type: 'exit', reason: null },
      { type: 'exit', reason: 'server exited unexpectedly' },
    ]);
  });

  it('keeps unknown notifications, and known ones with unexpected fields, as generic events', () => {
    expect(events('%subscription-changed s $1 @2 0 %3 : v\n%message\n%window-add @2 extra\n')).toEqual([
      { type: 'notification', name: 'subscription-changed', args: 's $1 @2 0 %3 : v' },
      { type: 'notification', name: 'message', args: '' },
      { type: 'notification', name: 'window-add', args: '@2 extra' },
    ]);
  });

  it('counts a bare % as malformed', () => {
    expect(decode('%\n% x\n').stats.malformed).toBe(2);
  });
});

describe('streaming', () => {
  it('joins partial lines across chunks and decodes a final line at flush', () => {
    const p = createControlModeParser();
    expect(p.push(latin1('%outp'))).toEqual([]);
    expect(p.push(latin1('ut %1 ab\\0'))).toEqual([]);
    const [ev] = p.push(latin1('33c\n%exit'));
    expect(ev?.type === 'output' && Buffer.from(ev.data).toString('latin1')).toBe('ab\x1bc');
    expect(p.flush()).toEqual([{ type: 'exit', reason: null }]);
  });

  it('decodes the hostile fixture as documented', () => {
    const r = runControl([fixture('hostile-control.bin')]);
    expect(r.events.map((e) => (e.type === 'output' ? { ...e, data: visible(e.data) } : e))).toMatchSnapshot();
    expect(r.stats).toMatchObject({ replies: 1, outputs: 5 });
  });

  it('decodes the recorded tmux session', () => {
    const r = runControl([fixture('tmux-control-633.bin')]);
    expect(r.stats.malformed).toBe(0);
    const types = new Set(r.events.map((e) => e.type));
    for (const t of ['reply', 'output', 'session-changed', 'window-add', 'window-renamed', 'unlinked-window-close', 'exit']) {
      expect(types, t).toContain(t);
    }
    const listPanes = r.events.find((e) => e.type === 'reply' && e.lines.length === 1);
    expect(listPanes).toMatchObject({ lines: ['%0 /tmp/tsession-rec/dir with spaces ünï; x'] });
  });
});
