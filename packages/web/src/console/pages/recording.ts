// A session's recording: asciinema-player (loaded only on this page) plays the asciicast, the
// ANSI-clean transcript sits beside it, and both download as files. Read through OpenSSM's
// GetSessionRecording, so a policy decides who may watch whose sessions.

import type { Player } from 'asciinema-player';
import playerCss from 'asciinema-player/dist/bundle/asciinema-player.css?url';
import { callJson } from '../api.js';
import { formatTime, h, notice, replace } from '../dom.js';
import { errorNotice, type Page } from '../page.js';

interface RecordingChunk {
  readonly Status: string;
  readonly Target: string;
  readonly Owner: string;
  readonly StartDate: number;
  readonly EndDate?: number;
  readonly Content: string;
  readonly NextOffset?: number;
}

/** A console page is no export tool: recordings beyond this are for `openssm sessions export`. */
const MAX_PIECES = 64;

async function readAll(sessionId: string, format: 'asciicast' | 'transcript') {
  let first: RecordingChunk | undefined;
  let content = '';
  let offset: number | undefined = 0;
  for (let piece = 0; offset !== undefined && piece < MAX_PIECES; piece++) {
    const chunk: RecordingChunk = await callJson('OpenSSM_20260101.GetSessionRecording', {
      SessionId: sessionId,
      Format: format,
      Offset: offset,
    });
    first ??= chunk;
    content += chunk.Content;
    offset = chunk.NextOffset;
  }
  return { info: first!, content };
}

function download(name: string, text: string, type: string): HTMLAnchorElement {
  return h(
    'a',
    {
      class: 'button',
      download: name,
      href: URL.createObjectURL(new Blob([text], { type })),
    },
    `Download ${name}`,
  );
}

function ensureStylesheet(href: string): void {
  if (document.querySelector(`link[href="${href}"]`) !== null) return;
  document.head.append(h('link', { rel: 'stylesheet', href }));
}

export const recordingPage: Page = {
  title: 'Recording',
  async render(root, { params, onLeave }) {
    const sessionId = params[0] ?? '';
    replace(
      root,
      h('h1', {}, 'Recording ', h('span', { class: 'mono' }, sessionId)),
      notice('loading', 'Loading the recording…'),
    );
    let cast: Awaited<ReturnType<typeof readAll>>;
    let transcript: Awaited<ReturnType<typeof readAll>>;
    try {
      [cast, transcript] = await Promise.all([
        readAll(sessionId, 'asciicast'),
        readAll(sessionId, 'transcript'),
      ]);
    } catch (error) {
      replace(
        root,
        h('h1', {}, 'Recording ', h('span', { class: 'mono' }, sessionId)),
        h('p', {}, h('a', { href: '#/sessions' }, '← Sessions')),
        errorNotice(error),
      );
      return;
    }
    ensureStylesheet(playerCss);
    const stage = h('div', { id: 'player', class: 'player' });
    const { info } = cast;
    replace(
      root,
      h('h1', {}, 'Recording ', h('span', { class: 'mono' }, sessionId)),
      h('p', {}, h('a', { href: '#/sessions' }, '← Sessions')),
      h(
        'dl',
        { class: 'facts' },
        h('dt', {}, 'Node'),
        h('dd', { class: 'mono' }, info.Target),
        h('dt', {}, 'Owner'),
        h('dd', {}, info.Owner),
        h('dt', {}, 'Started'),
        h('dd', {}, formatTime(info.StartDate)),
        h('dt', {}, 'Ended'),
        h('dd', {}, formatTime(info.EndDate)),
        h('dt', {}, 'Status'),
        h('dd', {}, info.Status),
      ),
      h(
        'div',
        { class: 'toolbar', style: 'margin-top:12px' },
        download(`${sessionId}.cast`, cast.content, 'application/x-asciicast'),
        download(`${sessionId}.log`, transcript.content, 'text/plain'),
      ),
      h(
        'div',
        { class: 'split' },
        h('section', { 'aria-label': 'Playback' }, stage),
        h(
          'section',
          { 'aria-label': 'Transcript' },
          h('h2', { style: 'margin-top:0' }, 'Transcript'),
          transcript.content === ''
            ? notice('empty', 'Nothing was printed.')
            : h('pre', { class: 'transcript', id: 'transcript' }, transcript.content),
        ),
      ),
    );
    const { create } = await import('asciinema-player');
    const player: Player = create({ data: cast.content }, stage, {
      autoPlay: true,
      fit: 'width',
      idleTimeLimit: 2,
      controls: true,
    });
    onLeave(() => player.dispose());
  },
};
