// A tiny element builder: the console is plain TypeScript modules over the DOM (decision 0010),
// so pages build their elements with h() and never assemble HTML strings — text is always text,
// which keeps server data (tag values, command output) from ever becoming markup.

export type Child = Node | string | number | false | null | undefined | readonly Child[];

export type Attributes = Readonly<
  Record<string, string | number | boolean | EventListener | undefined | null>
>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (typeof value === 'function') {
      element.addEventListener(name.replace(/^on/, '').toLowerCase(), value);
    } else if (value === true) {
      element.setAttribute(name, '');
    } else {
      element.setAttribute(name, String(value));
    }
  }
  append(element, children);
  return element;
}

export function append(parent: Node, children: readonly Child[]): void {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(parent, child as readonly Child[]);
    else if (child instanceof Node) parent.appendChild(child);
    else
      parent.appendChild(
        document.createTextNode(typeof child === 'number' ? String(child) : (child as string)),
      );
  }
}

/** Replaces everything inside `parent`. */
export function replace(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, children);
}

/** A status line for the three states every page has besides "loaded". */
export function notice(kind: 'loading' | 'empty' | 'error', text: string): HTMLElement {
  return h(
    'p',
    { class: `notice notice-${kind}`, role: kind === 'error' ? 'alert' : 'status' },
    text,
  );
}

/** Epoch seconds or milliseconds (the API uses seconds) as local date and time. */
export function formatTime(value: number | undefined): string {
  if (value === undefined || value === 0) return '—';
  const ms = value < 1e12 ? value * 1000 : value;
  return new Date(ms).toLocaleString();
}

export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${String(seconds)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${String(minutes)} min ${String(seconds % 60)} s`;
  return `${String(Math.floor(minutes / 60))} h ${String(minutes % 60)} min`;
}
