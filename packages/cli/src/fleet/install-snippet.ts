// The text an operator pastes to put the agent on machines: the one-line install command, and a
// cloud-init user-data document (an Auto Scaling launch template's user data) that runs it on
// first boot. Pure functions of the activation and the server; quoting is done here, once.

export interface InstallTarget {
  /** The server's public URL (an http(s) origin). */
  readonly serverUrl: string;
  readonly activationId: string;
  readonly activationCode: string;
  /** PEM of the CA the server's certificate chains to, when it is not a public one. */
  readonly caPem?: string;
}

/** Where the user data puts the server's CA on the node (read by curl and the installer). */
export const NODE_CA_PATH = '/etc/openssm-agent/server-ca.pem';

/** POSIX shell single-quoting: safe for any text. */
export function shellQuote(text: string): string {
  return /^[A-Za-z0-9_./:=,@+-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`;
}

/** `curl … /install.sh | sudo sh -s -- …` for one machine. */
export function installCommand(target: InstallTarget, sudo = true): string {
  const base = target.serverUrl.replace(/\/$/, '');
  const cacert = target.caPem === undefined ? '' : ` --cacert ${NODE_CA_PATH}`;
  const args = [
    '--activation-code',
    shellQuote(target.activationCode),
    '--activation-id',
    shellQuote(target.activationId),
    ...(target.caPem === undefined ? [] : ['--ca-file', NODE_CA_PATH]),
  ].join(' ');
  return `curl -fsSL${cacert} ${shellQuote(`${base}/install.sh`)} | ${sudo ? 'sudo ' : ''}sh -s -- ${args}`;
}

/**
 * A `#cloud-config` document: cloud-init writes the CA (when there is one) and runs the
 * installer as root on first boot. The activation's default name and tags apply to every node.
 */
export function cloudInitUserData(target: InstallTarget): string {
  const lines = [
    '#cloud-config',
    '# OpenSSM: every instance booted with this user data installs the agent and registers',
    '# with the activation below (its default name and tags apply) on first boot.',
  ];
  if (target.caPem !== undefined) {
    lines.push(
      'write_files:',
      `  - path: ${NODE_CA_PATH}`,
      "    permissions: '0644'",
      '    content: |',
      ...target.caPem
        .trim()
        .split('\n')
        .map((line) => `      ${line}`),
    );
  }
  // runcmd runs as root once, after write_files; the list form keeps YAML out of the quoting.
  lines.push('runcmd:', `  - [sh, -c, ${yamlQuote(installCommand(target, false))}]`, '');
  return lines.join('\n');
}

function yamlQuote(text: string): string {
  return `"${text.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}
