// The web console end to end, as a person drives it: a real server and a real `openssm-agent`,
// headless Chromium through playwright-core, one browser for every scenario. Each page is
// photographed at 1280×800 into the test output directory (test-output/console/) for review.

import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import {
  authenticatorCode,
  authenticatorStep,
  startTcpProxy,
  startTestAgent,
  startTestServer,
  type TcpProxy,
  type TestAgent,
  type TestServer,
} from '@openssm/testkit';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const execFileAsync = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '..', '..');
const CHROMIUM = '/usr/bin/chromium';
/** Where reviewers find the screenshots (CI keeps it as an artifact). */
export const SCREENSHOT_DIR = join(ROOT, 'test-output', 'console');
const PASSWORD = 'Console-Test-Pass-1!';
const VIEWPORT = { width: 1280, height: 800 };

let server: TestServer;
/** The browser reaches the server through it, so a test can drop the browser's links. */
let proxy: TcpProxy;
let agent: TestAgent;
let stateDir: string;
/** The server's --agent-bundle-dir: empty (no installer) until a test puts a bundle in. */
let bundleDir: string;
let browser: Browser;

const ALLOW_ALL = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
});

async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`) });
}

async function signedInPage(userName: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: VIEWPORT });
  const page = await context.newPage();
  await page.goto(`${server.url}/console/`);
  await page.getByLabel('IAM user name').fill(userName);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  return { context, page };
}

beforeAll(async () => {
  // The built console must match these sources: build it (a few seconds) before serving it.
  await execFileAsync('npm', ['run', 'build:console'], { cwd: ROOT });
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  proxy = await startTcpProxy();
  bundleDir = await mkdtemp(join(tmpdir(), 'openssm-console-bundles-'));
  server = await startTestServer({
    publicUrl: proxy.url,
    extraArgs: ['--agent-bundle-dir', bundleDir],
  });
  proxy.setTarget({ host: '127.0.0.1', port: server.server.port });
  stateDir = await mkdtemp(join(tmpdir(), 'openssm-console-agent-'));
  agent = await startTestAgent(server, { stateDir, name: 'demo', tags: { Env: 'test' } });
  const { iam } = server.server.services;
  const now = Date.now();
  for (const userName of ['operator', 'viewer', 'new-hire']) {
    await iam.users.create(userName, '/', [], now);
    await iam.users.setPassword(userName, PASSWORD, userName === 'new-hire', now, true);
  }
  await iam.policies.putInline('user', 'operator', 'Everything', ALLOW_ALL);
  // playwright gives every launch a fresh, temporary user-data directory.
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await agent?.stop();
  await server?.close();
  await proxy?.close();
  await rm(stateDir, { recursive: true, force: true });
  await rm(bundleDir, { recursive: true, force: true });
});

/** The terminal's rows as text (xterm.js's DOM renderer), trailing blanks trimmed. */
async function terminalRows(page: Page): Promise<string[]> {
  const rows = await page.locator('#terminal .xterm-rows > div').allTextContents();
  return rows.map((row) => row.trimEnd());
}

async function waitForRow(page: Page, pattern: RegExp): Promise<string> {
  let found: string | undefined;
  await expect
    .poll(
      async () => {
        found = [...(await terminalRows(page))].reverse().find((row) => pattern.test(row));
        return found;
      },
      { timeout: 20_000 },
    )
    .toBeDefined();
  return found!;
}

interface Focused {
  readonly id: string;
  readonly tag: string;
  readonly href: string;
  readonly type: string;
  readonly value: string;
  readonly inTerminal: boolean;
  /** The computed outline style: anything but none means a visible focus ring. */
  readonly outline: string;
}

/** What has focus, for keyboard-only steps (a string: this file has no DOM types). */
async function focused(page: Page): Promise<Focused> {
  return page.evaluate<Focused>(`(() => {
    const element = document.activeElement;
    return {
      id: element?.id ?? '',
      tag: element?.tagName.toLowerCase() ?? '',
      href: element?.getAttribute('href') ?? '',
      type: element?.getAttribute('type') ?? '',
      value: typeof element?.value === 'string' ? element.value : '',
      inTerminal: document.getElementById('terminal')?.contains(element) === true,
      outline: element === null ? 'none' : getComputedStyle(element).outlineStyle,
    };
  })()`);
}

/** Presses Tab (or Shift+Tab) until the focused element matches; bounded so a trap fails. */
async function tabTo(
  page: Page,
  wanted: (element: Focused) => boolean,
  key: 'Tab' | 'Shift+Tab' = 'Tab',
) {
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press(key);
    const element = await focused(page);
    if (wanted(element)) {
      // Where focus is must show: every control gets the focus ring.
      expect(element.outline).not.toBe('none');
      return;
    }
  }
  throw new Error(
    `${key} never reached the element (last: ${JSON.stringify(await focused(page))})`,
  );
}

// Each scenario drives a browser through several pages: more than the default per-test time.
describe('web console', { timeout: 60_000 }, () => {
  it('signs in, lists the demo node Online and shows its details', async () => {
    const context = await browser.newContext({ viewport: VIEWPORT });
    const page = await context.newPage();
    await page.goto(`${server.url}/console/`);
    await page.getByLabel('IAM user name').waitFor();
    await screenshot(page, '01-sign-in');
    await page.getByLabel('IAM user name').fill('operator');
    await page.getByLabel('Password', { exact: true }).fill('wrong-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toContain('The user name, password or MFA code is not valid.');
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const row = page.locator(`tr[data-node="${agent.instanceId}"]`);
    await expect.poll(() => row.textContent()).toContain('Online');
    expect(await row.textContent()).toContain('demo');
    await screenshot(page, '02-nodes');
    await page.getByLabel('Search nodes').fill('no-such-node');
    await expect.poll(() => page.getByRole('status').textContent()).toContain('No node matches');
    await page.getByLabel('Search nodes').fill('');
    await page.getByLabel('Filter by tag (Key=Value)').fill('Env=test');
    await page.getByLabel('Filter by tag (Key=Value)').press('Enter');
    await expect.poll(() => row.count()).toBe(1);
    await page.getByRole('link', { name: 'demo' }).click();
    await expect.poll(() => page.locator('dl.facts').textContent()).toContain(agent.instanceId);
    expect(await page.locator('table.data').textContent()).toContain('Env');
    expect(await page.locator('#forward-command').textContent()).toBe(
      `openssm forward ${agent.instanceId} 8080:localhost:80`,
    );
    await screenshot(page, '03-node-details');
    await context.close();
  });

  it('tells a user without permission "not authorized", and the API refuses their cookie too', async () => {
    const { context, page } = await signedInPage('viewer');
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('Not authorized');
    expect(await page.getByRole('alert').textContent()).toContain(
      'ssm:DescribeInstanceInformation',
    );
    await screenshot(page, '04-not-authorized');
    // The very request the page made, sent straight to the API with the viewer's cookie.
    const cookies = await context.cookies();
    const cookie = cookies.map((c) => `${c.name}=${c.value}`).join('; ');
    const session = (await (
      await fetch(`${server.url}/console/api/session`, { headers: { cookie } })
    ).json()) as { csrfToken: string };
    const response = await fetch(`${server.url}/`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'AmazonSSM.DescribeInstanceInformation',
        'x-openssm-csrf': session.csrfToken,
        cookie,
      },
      body: '{}',
    });
    const body = (await response.json()) as { __type: string; message: string };
    expect(body.__type).toBe('AccessDeniedException');
    expect(body.message).toContain('user/viewer is not authorized');
    expect(cookies.find((c) => c.name === 'openssm-console')).toMatchObject({
      httpOnly: true,
      sameSite: 'Strict',
    });
    await context.close();
  });

  it('opens a shell in the browser: output, resize, reconnect after a dropped link', async () => {
    const { context, page } = await signedInPage('operator');
    await page.goto(`${server.url}/console/#/nodes/${agent.instanceId}`);
    await page.getByRole('link', { name: 'Start session' }).click();
    const state = page.locator('#terminal-state');
    await expect.poll(() => state.textContent(), { timeout: 20_000 }).toBe('Connected');
    await page.locator('#terminal').click();
    await page.keyboard.type('echo $((6*7))');
    await page.keyboard.press('Enter');
    await waitForRow(page, /^42$/);
    await screenshot(page, '05-terminal');

    // The window shrinks: xterm.js refits and the remote PTY follows.
    const host = page.locator('#terminal');
    const before = `${await host.getAttribute('data-rows')} ${await host.getAttribute('data-cols')}`;
    await page.setViewportSize({ width: 900, height: 560 });
    await expect
      .poll(
        async () =>
          `${await host.getAttribute('data-rows')} ${await host.getAttribute('data-cols')}`,
      )
      .not.toBe(before);
    const after = `${await host.getAttribute('data-rows')} ${await host.getAttribute('data-cols')}`;
    await page.keyboard.type('clear; stty size');
    await page.keyboard.press('Enter');
    expect(await waitForRow(page, /^\d+ \d+$/)).toBe(after);
    await page.setViewportSize(VIEWPORT);

    // Every link of the browser drops: the page says so, resumes, and the shell is still there.
    // Every state the badge shows, recorded in the page (Reconnecting may last a moment only).
    await page.evaluate(`{
      const seen = (window.stateHistory = []);
      const badge = document.getElementById('terminal-state');
      new MutationObserver(() => seen.push(badge.textContent)).observe(badge, {
        childList: true,
        characterData: true,
        subtree: true,
      });
    }`);
    expect(proxy.cutAll()).toBeGreaterThan(0);
    await expect
      .poll(() => page.evaluate<string[]>('window.stateHistory'))
      .toContain('Reconnecting…');
    await expect.poll(() => state.textContent(), { timeout: 20_000 }).toBe('Connected');

    // A longer outage: the server is unreachable (connections refused) while the page retries.
    proxy.setTarget({ host: '127.0.0.1', port: 1 });
    proxy.cutAll();
    await expect.poll(() => state.textContent()).toBe('Reconnecting…');
    await screenshot(page, '05-terminal-reconnecting');
    proxy.setTarget({ host: '127.0.0.1', port: server.server.port });
    await expect.poll(() => state.textContent(), { timeout: 30_000 }).toBe('Connected');
    await page.keyboard.type('echo again-$((2+3))');
    await page.keyboard.press('Enter');
    await waitForRow(page, /^again-5$/);
    await context.close();
  });

  it('runs hostname on the node from the Run Command page and shows Success with the output', async () => {
    const { context, page } = await signedInPage('operator');
    await page.goto(`${server.url}/console/#/run?target=${agent.instanceId}`);
    const commands = page.locator('#param-commands');
    await commands.waitFor();
    await commands.fill('hostname');
    await screenshot(page, '06-run-command');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    const invocation = page.locator(`section.invocation[data-node="${agent.instanceId}"]`);
    await expect
      .poll(() => invocation.locator('.badge').textContent(), { timeout: 20_000 })
      .toBe('Success');
    expect((await invocation.locator('pre.output').textContent())?.trim()).toBe(hostname());
    await screenshot(page, '07-command-status');
    await page.getByRole('link', { name: '← Run Command' }).click();
    await expect.poll(() => page.locator('#command-history').textContent()).toContain('Success');
    await context.close();
  });

  it('plays the recording of a browser session with its transcript, and finds StartSession in Audit', async () => {
    const { context, page } = await signedInPage('operator');
    await page.goto(`${server.url}/console/#/nodes/${agent.instanceId}/shell`);
    const state = page.locator('#terminal-state');
    await expect.poll(() => state.textContent(), { timeout: 20_000 }).toBe('Connected');
    await page.locator('#terminal').click();
    await page.keyboard.type('echo recorded-$((3*5))');
    await page.keyboard.press('Enter');
    await waitForRow(page, /^recorded-15$/);
    const sessionId = (await page.locator('#terminal-session').textContent()) ?? '';
    expect(sessionId).toMatch(/^operator-/);
    await page.getByRole('button', { name: 'Terminate' }).click();
    await expect.poll(() => state.textContent()).toBe('Session ended');
    await server.server.recordingsSettled();

    await page.getByRole('link', { name: 'Sessions' }).click();
    const row = page.locator(`#sessions-history tr[data-session="${sessionId}"]`);
    await expect.poll(() => row.textContent()).toContain('web console');
    await screenshot(page, '08-sessions');
    await row.getByRole('link', { name: 'Recording' }).click();
    await expect.poll(() => page.locator('#transcript').textContent()).toContain('recorded-15');
    // The player draws the recorded terminal as it plays: the output appears in it.
    await expect
      .poll(() => page.locator('#player').textContent(), { timeout: 20_000 })
      .toContain('recorded-15');
    await expect
      .poll(() => page.getByRole('link', { name: `Download ${sessionId}.cast` }).count())
      .toBe(1);
    await screenshot(page, '09-recording');

    await page.getByRole('link', { name: 'Audit' }).click();
    await page.getByLabel('Search value').fill('StartSession');
    await page.getByRole('button', { name: 'Search' }).click();
    const event = page.locator('#audit-events tr[data-event="StartSession"]').first();
    await expect.poll(() => event.count()).toBe(1);
    await event.locator('summary').click();
    expect(await event.locator('pre').textContent()).toContain(agent.instanceId);
    await screenshot(page, '10-audit');
    await context.close();
  });

  it('creates an activation whose install command registers a node, deletes it, and saves preferences', async () => {
    const { context, page } = await signedInPage('operator');
    page.on('dialog', (dialog) => void dialog.accept());
    await page.getByRole('link', { name: 'Activations' }).click();
    await page.getByLabel('Node name').fill('console-made');
    await page.getByRole('button', { name: 'Create activation' }).click();
    const command = (await page.locator('#install-command').textContent()) ?? '';
    await screenshot(page, '11-activations');
    // The command as shown, minus sudo, with a state directory of the test's own.
    const args = command
      .replace(/\\\n/g, ' ')
      .split('\n')[0]!
      .split(/\s+/)
      .filter((word) => word !== '' && word !== 'sudo');
    expect(args.slice(0, 2)).toEqual(['openssm-agent', 'register']);
    const nodeState = await mkdtemp(join(tmpdir(), 'openssm-console-node-'));
    try {
      await execFileAsync(join(ROOT, 'node_modules', '.bin', 'openssm-agent'), [
        ...args.slice(1),
        '--state-dir',
        nodeState,
      ]);
      const registration = JSON.parse(
        await readFile(join(nodeState, 'registration.json'), 'utf8'),
      ) as { instanceId: string };
      expect(registration.instanceId).toMatch(/^mi-/);
    } finally {
      await rm(nodeState, { recursive: true, force: true });
    }
    const activationId = /--activation-id (\S+)/.exec(command)![1]!;
    const row = page.locator(`tr[data-activation="${activationId}"]`);
    await page.reload();
    await expect.poll(() => row.textContent()).toContain('1 / 1');
    await row.getByRole('button', { name: 'Delete' }).click();
    await expect.poll(() => row.count()).toBe(0);

    await page.getByRole('link', { name: 'Preferences' }).click();
    await page.getByLabel('Idle timeout (minutes)').fill('15');
    await page.getByRole('button', { name: 'Save preferences' }).click();
    await expect.poll(() => page.getByRole('status').last().textContent()).toContain('Saved');
    await page.evaluate('window.scrollTo(0, 0)');
    await screenshot(page, '12-preferences');
    await page.reload();
    await expect.poll(() => page.getByLabel('Idle timeout (minutes)').inputValue()).toBe('15');
    await context.close();
  });

  it('is usable with the keyboard alone: sign in, Start session, leave the terminal, Run Command', async () => {
    const context = await browser.newContext({ viewport: VIEWPORT });
    const page = await context.newPage();
    await page.goto(`${server.url}/console/`);
    await page.getByLabel('IAM user name').waitFor();
    // The user name field has focus on arrival; Tab to the password, Enter signs in.
    await page.keyboard.type('operator');
    await page.keyboard.press('Tab');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    const row = page.locator(`tr[data-node="${agent.instanceId}"]`);
    await expect.poll(() => row.textContent()).toContain('Online');
    await tabTo(page, (e) => e.href === `#/nodes/${agent.instanceId}`);
    await screenshot(page, '19-keyboard-focus');
    await page.keyboard.press('Enter');
    await page.locator('dl.facts').waitFor();
    await tabTo(page, (e) => e.id === 'start-session');
    await page.keyboard.press('Enter');
    const state = page.locator('#terminal-state');
    await expect.poll(() => state.textContent(), { timeout: 20_000 }).toBe('Connected');
    await expect.poll(async () => (await focused(page)).inTerminal).toBe(true);
    await page.keyboard.type('echo keys-$((4*5))');
    await page.keyboard.press('Enter');
    await waitForRow(page, /^keys-20$/);
    // Tab belongs to the shell (completion): focus stays in the terminal …
    await page.keyboard.type('echo ');
    await page.keyboard.press('Tab');
    expect((await focused(page)).inTerminal).toBe(true);
    await page.keyboard.press('Control+U');
    // … and Ctrl+] hands it back to the page, from where Shift+Tab reaches the navigation.
    expect(await page.locator('#terminal-escape-hint').textContent()).toBe(
      'Ctrl+] leaves the terminal',
    );
    await page.keyboard.press('Control+BracketRight');
    expect((await focused(page)).id).toBe('terminal-back');
    await tabTo(page, (e) => e.href === '#/run', 'Shift+Tab');
    await page.keyboard.press('Enter');
    await page.locator('#param-commands').waitFor();
    await tabTo(page, (e) => e.id === 'param-commands');
    await page.keyboard.type('echo typed-$((8*8))');
    await tabTo(page, (e) => e.type === 'checkbox' && e.value === agent.instanceId);
    await page.keyboard.press('Space');
    await tabTo(page, (e) => e.id === 'run-send');
    await page.keyboard.press('Enter');
    const invocation = page.locator(`section.invocation[data-node="${agent.instanceId}"]`);
    await expect
      .poll(() => invocation.locator('.badge').textContent(), { timeout: 20_000 })
      .toBe('Success');
    expect((await invocation.locator('pre.output').textContent())?.trim()).toBe('typed-64');
    await context.close();
  });

  it('shows the one-line installer for a new activation when the server serves agent bundles', async () => {
    // A bundle as `npm run build:agent-bundle` lays it out: VERSION/linux-ARCH/ with the archive
    // and a manifest carrying its SHA-256 (the server reads both; nothing here is executed).
    const archive = Buffer.from('not a real archive, but its digest is real');
    const sha256 = createHash('sha256').update(archive).digest('hex');
    const base = join(bundleDir, '9.8.7', 'linux-x64');
    await mkdir(base, { recursive: true });
    await writeFile(join(base, 'openssm-agent.tar.gz'), archive);
    await writeFile(
      join(base, 'manifest.json'),
      JSON.stringify({ version: '9.8.7', platform: 'linux-x64', sha256 }),
    );
    try {
      const { context, page } = await signedInPage('operator');
      await page.getByRole('link', { name: 'Activations' }).click();
      await page.getByLabel('Node name').fill('installed');
      await page.getByRole('button', { name: 'Create activation' }).click();
      await expect
        .poll(() => page.getByRole('heading', { name: 'Install the agent on a node' }).count())
        .toBe(1);
      const command = (await page.locator('#install-command').textContent()) ?? '';
      expect(command).toMatch(
        new RegExp(
          `^curl -fsSL ${proxy.url.replace(/\./g, '\\.')}/install\\.sh \\| sudo sh -s -- --activation-code \\S+ --activation-id [0-9a-f-]{36}$`,
        ),
      );
      await screenshot(page, '11-activations-installer');
      // The URL in the command serves the installer, which names the bundle it will verify.
      const script = await fetch(`${proxy.url}/install.sh`);
      expect(script.status).toBe(200);
      const latest = (await (await fetch(`${proxy.url}/agent/latest`)).json()) as {
        version: string;
        platforms: Record<string, { sha256: string }>;
      };
      expect(latest.version).toBe('9.8.7');
      expect(latest.platforms['linux-x64']?.sha256).toBe(sha256);
      await context.close();
    } finally {
      await rm(join(bundleDir, '9.8.7'), { recursive: true, force: true });
    }
  });

  it('manages IAM: a user with a one-time secret and a password, a validated policy, a simulated decision', async () => {
    const { context, page } = await signedInPage('operator');
    await page.getByRole('link', { name: 'IAM' }).click();
    await page.getByLabel('New user name').fill('alice');
    await page.getByRole('button', { name: 'Create user' }).click();
    await page.getByRole('link', { name: 'alice', exact: true }).waitFor();
    await screenshot(page, '13-iam-users');
    for (const tab of ['Groups', 'Roles']) {
      await page.getByRole('tab', { name: tab }).click();
      await expect.poll(() => page.locator('.tabs [aria-selected="true"]').textContent()).toBe(tab);
      await expect.poll(() => page.locator('.tab-body').textContent()).toMatch(/^(?!Loading)./);
      await screenshot(page, `13-iam-${tab.toLowerCase()}`);
    }
    await page.getByRole('tab', { name: 'Users' }).click();
    await page.getByRole('link', { name: 'alice', exact: true }).click();
    await page.getByRole('button', { name: 'Create access key' }).click();
    await expect
      .poll(async () => (await page.locator('#new-secret-value').textContent())?.length)
      .toBe(40);
    await page.getByLabel('New console password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Set password' }).click();
    await expect.poll(() => page.locator('#user-password').textContent()).toContain('can sign in');
    await screenshot(page, '13-iam-user-alice');

    await page.goto(`${server.url}/console/#/iam/policies`);
    const editor = page.locator('#policy-document');
    await editor.waitFor();
    await page.getByLabel('Policy name').fill('DevShell');
    await editor.fill('{"Version": "2012-10-17", ');
    await page.getByRole('button', { name: 'Validate' }).click();
    await expect
      .poll(() => page.locator('.policy-validation').textContent())
      .toContain('Not valid JSON');
    await editor.fill(
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Maybe', Action: 'ssm:*', Resource: '*' }],
      }),
    );
    await page.getByRole('button', { name: 'Validate' }).click();
    await expect.poll(() => page.locator('.policy-validation').textContent()).toContain('Effect');
    await editor.fill(
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'ssm:StartSession', Resource: '*' }],
      }),
    );
    await page.getByRole('button', { name: 'Create policy' }).click();
    await expect.poll(() => page.locator('#iam-policies').textContent()).toContain('DevShell');
    await screenshot(page, '14-iam-policies');

    await page.getByRole('tab', { name: 'Simulate' }).click();
    await page.getByLabel('User or role').selectOption({ label: 'user/viewer' });
    await page.getByRole('button', { name: 'Simulate' }).click();
    const row = page.locator('#sim-table tr[data-action="ssm:StartSession"]');
    await expect.poll(() => row.textContent()).toContain('No policy allows it');
    await page.getByLabel('User or role').selectOption({ label: 'user/operator' });
    await page.getByRole('button', { name: 'Simulate' }).click();
    await expect.poll(() => row.textContent()).toContain('Allowed by operator/Everything');
    await screenshot(page, '15-iam-simulate');
    await context.close();
  });

  it('sets up an authenticator app and then asks for its code at sign-in', async () => {
    const { context, page } = await signedInPage('operator');
    await page.locator('#account-link').click();
    await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
    const secret = (await page.locator('#mfa-secret').textContent()) ?? '';
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const step = authenticatorStep();
    await page.getByLabel('Code from the app').fill(authenticatorCode(secret, step));
    await page.getByRole('button', { name: 'Turn on MFA' }).click();
    await expect
      .poll(() => page.locator('#mfa-status').textContent())
      .toContain('This session was opened with it');
    await screenshot(page, '16-account-mfa');
    await context.close();

    const fresh = await browser.newContext({ viewport: VIEWPORT });
    const signIn = await fresh.newPage();
    await signIn.goto(`${server.url}/console/`);
    await signIn.getByLabel('IAM user name').fill('operator');
    await signIn.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await signIn.getByRole('button', { name: 'Sign in' }).click();
    await signIn.getByLabel('MFA code').waitFor();
    await screenshot(signIn, '17-sign-in-mfa');
    // The code already used to turn MFA on is refused; the next one is taken.
    await signIn.getByLabel('MFA code').fill(authenticatorCode(secret, step));
    await signIn.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => signIn.getByRole('alert').textContent()).toContain('not valid');
    await signIn.getByLabel('MFA code').fill(authenticatorCode(secret, step + 1));
    await signIn.getByRole('button', { name: 'Sign in' }).click();
    await signIn.getByRole('button', { name: 'Sign out' }).waitFor();
    await fresh.close();
  });

  it('makes a user with a one-time password choose a new one at sign-in', async () => {
    const context = await browser.newContext({ viewport: VIEWPORT });
    const page = await context.newPage();
    await page.goto(`${server.url}/console/`);
    await page.getByLabel('IAM user name').fill('new-hire');
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByLabel('New password').fill('weak');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('at least');
    await page.getByLabel('New password').fill('A-Fresh-Password-9');
    await screenshot(page, '18-sign-in-new-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    await context.close();
  });
});
