// Version strings this package reports: the plugin's (read by `aws` and by agents) and the CLI's.

/**
 * What `session-manager-plugin --version`, OpenDataChannel and the HandshakeResponse report.
 * It must be above 1.2.331.0, or agents keep smux keep-alive on and kill port sessions after
 * ~30 s (ssm-wire §5.3, §11 item 7), and above 1.2.497.0 so newer `aws` CLIs pass the
 * StartSession response through an environment variable instead of argv (§3.1), where other
 * local users could read the token with `ps`.
 */
export const PLUGIN_VERSION = '1.2.694.0';

/** `openssm --version`; kept equal to packages/cli/package.json by a test. */
export const OPENSSM_VERSION = '0.1.0';
