// What every console page is: a title for the tab, a render into the main area, and an optional
// clean-up when the user navigates away (a terminal closes its socket, a poller stops).

import { ApiError } from './api.js';
import { notice } from './dom.js';

export interface PageContext {
  /** The route's parameters, e.g. the node id of `#/nodes/mi-…`. */
  readonly params: readonly string[];
  /** Navigates within the console (hash routes). */
  readonly go: (hash: string) => void;
  /** Registers work to undo when the page is left. */
  readonly onLeave: (cleanup: () => void) => void;
}

export interface Page {
  readonly title: string;
  render(root: HTMLElement, context: PageContext): void | Promise<void>;
}

/** A failed call as a visible, specific message: "Not authorized" names the action. */
export function errorNotice(error: unknown): HTMLElement {
  if (error instanceof ApiError && error.notAuthorized) {
    return notice('error', `Not authorized: ${error.message}`);
  }
  if (error instanceof ApiError) return notice('error', `${error.code}: ${error.message}`);
  return notice('error', error instanceof Error ? error.message : String(error));
}

/** A page whose code loads when first visited (the terminal brings xterm.js, ~300 KB). */
export function lazyPage(title: string, load: () => Promise<Page>): Page {
  let loaded: Promise<Page> | undefined;
  return {
    title,
    async render(root, context) {
      root.replaceChildren(notice('loading', 'Loading…'));
      loaded ??= load();
      await (await loaded).render(root, context);
    },
  };
}
