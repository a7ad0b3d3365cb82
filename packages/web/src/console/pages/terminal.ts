// The browser shell: StartSession through the API, then the data channel from the browser to the
// gateway with the shared channel engine, shown in xterm.js fitted to the window. Resizing the
// window resizes the remote PTY; a dropped link shows "Reconnecting" and resumes the session.

import { FitAddon } from '@xterm/addon-fit';
import { Terminal } from '@xterm/xterm';
import { ssm } from '../api.js';
import { h, notice, replace } from '../dom.js';
import { errorNotice, type Page } from '../page.js';
import { BrowserSession, type SessionState } from '../terminal/browser-session.js';

const STATE_TEXT: Readonly<Record<SessionState, string>> = {
  connecting: 'Connecting',
  connected: 'Connected',
  reconnecting: 'Reconnecting…',
  closed: 'Session ended',
  failed: 'Disconnected',
};

/** Shown beside the terminal: the one key that is not the shell's. */
const LEAVE_TERMINAL_HINT = 'Ctrl+] leaves the terminal';

export const terminalPage: Page = {
  title: 'Shell',
  async render(root, { params, onLeave }) {
    const target = params[0] ?? '';
    const state = h(
      'span',
      { id: 'terminal-state', class: 'badge badge-connecting', role: 'status' },
      'Starting',
    );
    const detail = h('span', { class: 'notice-empty' });
    const host = h('div', { class: 'terminal-host', id: 'terminal' });
    let sessionId = '';
    const terminate = h(
      'button',
      {
        type: 'button',
        id: 'terminate-session',
        onclick: () => {
          if (sessionId !== '')
            void ssm('TerminateSession', { SessionId: sessionId }).catch(() => undefined);
        },
      },
      'Terminate',
    );
    const sessionLabel = h('span', { class: 'mono', id: 'terminal-session' });
    const back = h('a', { href: `#/nodes/${target}`, id: 'terminal-back' }, '← ', target);
    replace(
      root,
      h(
        'div',
        { class: 'terminal-page' },
        h(
          'div',
          { class: 'terminal-bar' },
          back,
          sessionLabel,
          state,
          detail,
          h('span', { style: 'flex:1' }),
          h('span', { class: 'hint', id: 'terminal-escape-hint' }, LEAVE_TERMINAL_HINT),
          terminate,
        ),
        host,
      ),
    );
    root.classList.add('flush');
    onLeave(() => root.classList.remove('flush'));

    let start: { SessionId: string; StreamUrl: string; TokenValue: string };
    try {
      start = await ssm('StartSession', { Target: target, Reason: 'web console' });
    } catch (error) {
      replace(host, errorNotice(error));
      state.textContent = 'Not started';
      state.className = 'badge badge-failed';
      return;
    }
    sessionId = start.SessionId;
    sessionLabel.textContent = sessionId;

    const terminal = new Terminal({
      cursorBlink: true,
      fontFamily: 'ui-monospace, Menlo, Consolas, monospace',
      fontSize: 14,
      scrollback: 5000,
    });
    const fit = new FitAddon();
    terminal.loadAddon(fit);
    terminal.open(host);
    fit.fit();
    const session = new BrowserSession({
      start: { sessionId, streamUrl: start.StreamUrl, tokenValue: start.TokenValue },
      resume: async () => {
        const resumed = await ssm<{ TokenValue?: string }>('ResumeSession', {
          SessionId: sessionId,
        });
        return resumed.TokenValue;
      },
      onOutput: (bytes) => terminal.write(bytes),
      onState: (next, text) => {
        state.textContent = STATE_TEXT[next];
        state.className = `badge badge-${next}`;
        detail.textContent = text ?? '';
        if (next === 'closed' || next === 'failed') terminate.disabled = true;
      },
    });
    terminal.attachCustomKeyEventHandler((event) => {
      if (event.type !== 'keydown' || !event.ctrlKey) return true;
      // The shell needs Tab (completion) and Escape (vi), so the terminal keeps them; Ctrl+]
      // (telnet's escape key, by position so any layout has it) hands focus back to the page.
      if (!event.shiftKey && !event.altKey && event.code === 'BracketRight') {
        back.focus();
        return false;
      }
      // Ctrl+Shift+C / Ctrl+Shift+V copy and paste, as in desktop terminals (Ctrl+C stays ^C).
      if (!event.shiftKey) return true;
      if (event.code === 'KeyC' && terminal.hasSelection()) {
        void navigator.clipboard.writeText(terminal.getSelection());
        return false;
      }
      if (event.code === 'KeyV') {
        void navigator.clipboard.readText().then((text) => terminal.paste(text));
        return false;
      }
      return true;
    });
    terminal.onData((data) => void session.sendInput(data));
    const onSize = ({ cols, rows }: { cols: number; rows: number }) => {
      // Shown for people and tests: the size the remote PTY is told.
      host.dataset['cols'] = String(cols);
      host.dataset['rows'] = String(rows);
      session.sendSize({ cols, rows });
    };
    terminal.onResize(onSize);
    onSize({ cols: terminal.cols, rows: terminal.rows });
    const onWindowResize = () => fit.fit();
    window.addEventListener('resize', onWindowResize);
    const observer = new ResizeObserver(() => fit.fit());
    observer.observe(host);
    onLeave(() => {
      window.removeEventListener('resize', onWindowResize);
      observer.disconnect();
      session.close();
      // Leaving the page ends the shell: a console tab is not a place to leave sessions running.
      void ssm('TerminateSession', { SessionId: sessionId }).catch(() => undefined);
      terminal.dispose();
    });
    try {
      await session.open();
      terminal.focus();
    } catch (error) {
      replace(host, notice('error', `The data channel could not be opened: ${String(error)}`));
    }
  },
};
