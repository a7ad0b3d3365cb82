// The node's heartbeat: UpdateInstanceInformation at start and every 5 minutes (ssm-wire §2.3;
// AWS's Ssm.HealthFrequencyMinutes), which is what makes the node show as Online. A failure is
// logged and the next beat tries again; refused credentials are dropped so it gets new ones.

import { AgentError, formatAgentError, hasAwsCode } from '../agent-error.js';
import type { SsmClient } from '../api/ssm-client.js';
import { CREDENTIALS_REJECTED, type CredentialProvider } from '../identity/credential-provider.js';
import type { Logger } from '../logging/logger.js';
import type { TemporaryCredentials } from '../net/sigv4-signer.js';
import type { PlatformInfo } from '../platform/platform-info.js';
import { AGENT_NAME, AGENT_VERSION } from '../version.js';

export interface HeartbeatOptions {
  readonly instanceId: string;
  readonly ssm: SsmClient;
  readonly credentials: CredentialProvider;
  readonly platform: () => Promise<PlatformInfo>;
  readonly intervalMs: number;
  readonly log: Logger;
}

export class Heartbeat {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly options: HeartbeatOptions) {}

  /** Beats now and then every interval. */
  start(): void {
    this.stopped = false;
    this.tick();
  }

  /** No more beats; one in flight is left to finish (it must not hold up a shutdown). */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /**
   * One UpdateInstanceInformation; resolves true when the server took it. Credentials the server
   * refuses are dropped and the call is made once more with fresh ones.
   */
  async beat(): Promise<boolean> {
    const { log } = this.options;
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.send();
      if (outcome === 'sent') {
        log.debug('heartbeat sent');
        return true;
      }
      if (outcome !== 'credentials-refused' || attempt >= 2) return false;
    }
  }

  private async send(): Promise<'sent' | 'credentials-refused' | 'failed'> {
    const { ssm, credentials, log, instanceId } = this.options;
    let used: TemporaryCredentials | undefined;
    try {
      const platform = await this.options.platform();
      used = await credentials.current();
      await ssm.updateInstanceInformation(used, {
        instanceId,
        agentName: AGENT_NAME,
        agentVersion: AGENT_VERSION,
        agentStatus: 'Active',
        ...platform,
      });
      return 'sent';
    } catch (error) {
      if (used !== undefined && hasAwsCode(error, ...CREDENTIALS_REJECTED)) {
        credentials.invalidate(used);
        log.info('heartbeat credentials refused; renewing them', {
          error: formatAgentError(error),
        });
        return 'credentials-refused';
      }
      if (!(error instanceof AgentError && error.code === 'RegistrationRejected')) {
        log.warn('heartbeat failed', { error: formatAgentError(error) });
      }
      return 'failed';
    }
  }

  private tick(): void {
    if (this.stopped) return;
    void this.beat().then(() => {
      if (!this.stopped) this.timer = setTimeout(() => this.tick(), this.options.intervalMs);
    });
  }
}
