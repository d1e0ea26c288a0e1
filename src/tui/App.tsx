/**
 * The Ink renderer of the interface: subscribes to the controller (which
 * owns state, keys and work, and may have run since the first painted
 * frame), feeds it Ink's key presses split one by one, and renders the
 * screen the view builders produce at the terminal's size.
 */
import { useInput } from 'ink';
import { useEffect, useState, useSyncExternalStore } from 'react';
import { createController, type Controller, type ControllerOptions } from './controller.js';
import { fromInk } from './keys.js';
import { ScreenView } from './components/ScreenView.js';
import { useTerminalSize } from './use-terminal-size.js';
import { buildScreen, type ScreenSize } from './view/screen.js';

export { TUI_DEFAULTS } from './controller.js';

/** What the entry point gives the app: a running controller, or what to make one from (tests). */
export type AppProps = ControllerOptions & {
  /** The controller that painted the first frames (run.ts); else one is made from the options. */
  readonly controller?: Controller;
  /** Fixed size (tests); else the terminal's, following resizes. */
  readonly size?: ScreenSize;
  /** Keys reach the controller another way (run.ts reads the terminal itself): Ink reads no input. */
  readonly ownInput?: boolean;
};

/** The interface. */
export function App(props: AppProps) {
  const [controller] = useState(() => props.controller ?? createController(props));
  const state = useSyncExternalStore(controller.subscribe, controller.getState);
  useEffect(() => {
    controller.start();
    return () => controller.stop();
  }, [controller]);
  useInput(
    (input, key) => {
      for (const k of fromInk(input, key)) controller.press(k);
    },
    { isActive: props.ownInput !== true },
  );
  const size = useTerminalSize(props.size);
  return <ScreenView screen={buildScreen(state, controller.services.info, size, controller.now(), controller.refreshedAt)} />;
}
