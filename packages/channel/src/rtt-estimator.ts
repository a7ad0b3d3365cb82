// Round-trip estimation and retransmission timeout, with AWS's update rule (ssm-wire §4.7) so
// our resend pace matches what AWS's peers expect: RTTVAR = 3/4 RTTVAR + 1/4 |RTT - sample|,
// RTT = 7/8 RTT + 1/8 sample, RTO = RTT + max(minVariance, 4 RTTVAR), capped.

import type { ChannelConfig } from './channel-config.js';

export class RttEstimator {
  private rtt: number;
  private rttVar: number;
  private rto: number;

  constructor(
    private readonly config: Pick<
      ChannelConfig,
      'initialRttMs' | 'initialRttVarMs' | 'initialRtoMs' | 'minRtoVarianceMs' | 'maxRtoMs'
    >,
  ) {
    this.rtt = config.initialRttMs;
    this.rttVar = config.initialRttVarMs;
    this.rto = config.initialRtoMs;
  }

  get retransmissionTimeoutMs(): number {
    return this.rto;
  }

  get smoothedRttMs(): number {
    return this.rtt;
  }

  addSample(sampleMs: number): void {
    const sample = Math.max(0, sampleMs);
    this.rttVar = 0.75 * this.rttVar + 0.25 * Math.abs(this.rtt - sample);
    this.rtt = 0.875 * this.rtt + 0.125 * sample;
    this.rto = Math.min(
      this.config.maxRtoMs,
      this.rtt + Math.max(this.config.minRtoVarianceMs, 4 * this.rttVar),
    );
  }
}
