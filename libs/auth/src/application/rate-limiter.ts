import { Inject, Injectable } from '@nestjs/common';
import { CONVEYOR_CONFIG, type ConveyorConfig } from '#conveyor/config';
import type { Principal } from '../domain/principal.js';

/** What a route draws on: submits (and cancel, retry, redrive), reads, or nothing (lease holders). */
export type RateClass = 'submit' | 'read' | 'none';

export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  /** performance.now() of the last refill. */
  at: number;
}

/**
 * Token buckets per API key and class, held by this instance: a key gets its rate from each
 * replica it reaches (see docs/security.md). A bucket holds one second's worth of tokens, so a
 * key may burst to its rate and then sustains it.
 */
@Injectable()
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(@Inject(CONVEYOR_CONFIG) private readonly config: ConveyorConfig) {}

  take(principal: Principal, rateClass: RateClass, cost = 1): RateDecision {
    const rate = this.rateFor(principal, rateClass);
    if (rate === 0) return { allowed: true };
    const id = `${principal.keyId}:${rateClass}`;
    const now = performance.now();
    const bucket = this.buckets.get(id) ?? { tokens: rate, at: now };
    bucket.tokens = Math.min(rate, bucket.tokens + ((now - bucket.at) / 1000) * rate);
    bucket.at = now;
    this.buckets.set(id, bucket);
    // A cost larger than the bucket (a big batch) passes when the bucket is full and leaves it in
    // debt, so the key still averages its rate.
    const needed = Math.min(cost, rate);
    if (bucket.tokens >= needed) {
      bucket.tokens -= cost;
      return { allowed: true };
    }
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((needed - bucket.tokens) / rate)) };
  }

  private rateFor(principal: Principal, rateClass: RateClass): number {
    switch (rateClass) {
      case 'submit':
        return principal.submitPerSecond ?? this.config.limits.submitPerSecond;
      case 'read':
        return principal.readPerSecond ?? this.config.limits.readPerSecond;
      case 'none':
        return 0;
    }
  }
}
