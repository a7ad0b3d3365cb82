// Round-trip estimation and retransmission timeout, with AWS's update rule (ssm-wire §4.7) so
// our resend pace matches what AWS's peers expect: RTTVAR = 3/4 RTTVAR + 1/4 |RTT - sample|,
// RTT = 7/8 RTT + 1/8 sample, RTO = RTT + max(minVariance, 4 RTTVAR), within [minRto, maxRto];
// doubled after a timeout (RFC 6298 §5.5), which AWS's peers do not do but cannot notice.

import type { ChannelConfig } from './channel-config.js';

export class RttEstimator {
  private rtt: number;
  private rttVar: number;
  private rto: number;

  constructor(
    private config: Pick<
      ChannelConfig,
      | 'initialRttMs'
      | 'initialRttVarMs'
      | 'initialRtoMs'
      | 'minRtoVarianceMs'
      | 'minRtoMs'
      | 'maxRtoMs'
    >,
  ) {
    this.rtt = config.initialRttMs;
    this.rttVar = config.initialRttVarMs;
    this.rto = this.bounded(config.initialRtoMs);
  }

  get retransmissionTimeoutMs(): number {
    return this.rto;
  }

  get smoothedRttMs(): number {
    return this.rtt;
  }

  /** New bounds (a negotiated transport); the estimate so far is kept, the timeout re-bounded. */
  setBounds(config: Pick<ChannelConfig, 'minRtoVarianceMs' | 'minRtoMs' | 'maxRtoMs'>): void {
    this.config = { ...this.config, ...config };
    this.rto = this.bounded(this.rto);
  }

  /** Doubles the timeout after a retransmission timeout (up to the cap); the next sample resets it. */
  backOff(): void {
    this.rto = this.bounded(this.rto * 2);
  }

  addSample(sampleMs: number): void {
    const sample = Math.max(0, sampleMs);
    this.rttVar = 0.75 * this.rttVar + 0.25 * Math.abs(this.rtt - sample);
    this.rtt = 0.875 * this.rtt + 0.125 * sample;
    this.rto = this.bounded(this.rtt + Math.max(this.config.minRtoVarianceMs, 4 * this.rttVar));
  }

  private bounded(rto: number): number {
    return Math.min(this.config.maxRtoMs, Math.max(this.config.minRtoMs, rto));
  }
}
