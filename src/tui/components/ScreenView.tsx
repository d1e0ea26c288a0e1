/**
 * The screen's sections as named components: header, sessions list, panel
 * tabs, panel (detail, timeline, diff, progress, unfreeze, a question or the
 * help), filter prompt and status line. They only render what they are given.
 */
import { Box } from 'ink';
import type { Line } from '../view/line.js';
import type { Screen } from '../view/screen.js';
import { Lines } from './Lines.js';

/** The top line: server, counts by health, busy work, help hint. */
export const Header = ({ line }: { readonly line: Line }) => <Lines lines={[line]} />;
/** Column titles and one row per session. */
export const SessionList = ({ lines }: { readonly lines: readonly Line[] }) => <Lines lines={lines} />;
/** Which panel shows, and which side has the focus. */
export const PanelTabs = ({ line }: { readonly line: Line }) => <Lines lines={[line]} />;
/** The panel (or a question, or the help overlay). */
export const PanelView = ({ lines }: { readonly lines: readonly Line[] }) => <Lines lines={lines} />;
/** The filter prompt. */
export const FilterBar = ({ line }: { readonly line: Line }) => <Lines lines={[line]} />;
/** Last result, socket and state dir. */
export const StatusLine = ({ lines }: { readonly lines: readonly Line[] }) => <Lines lines={lines} />;
/** The message for a terminal too small to use. */
export const TooSmall = ({ lines }: { readonly lines: readonly Line[] }) => <Lines lines={lines} />;

/** The whole screen. */
export function ScreenView({ screen }: { readonly screen: Screen }) {
  if (screen.kind === 'too-small') return <TooSmall lines={screen.lines} />;
  return (
    <Box flexDirection="column">
      <Header line={screen.header} />
      {screen.list.length > 0 && <SessionList lines={screen.list} />}
      {screen.tabs && <PanelTabs line={screen.tabs} />}
      <PanelView lines={screen.panel} />
      {screen.filter && <FilterBar line={screen.filter} />}
      <StatusLine lines={screen.status} />
    </Box>
  );
}
