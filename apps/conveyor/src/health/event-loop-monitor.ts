import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';

/** The longest event-loop stall since the previous reading, from Node's own sampler. */
@Injectable()
export class EventLoopMonitor implements OnModuleDestroy {
  private readonly histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: 20 });

  constructor() {
    this.histogram.enable();
  }

  /** Milliseconds; resets the window. */
  takeMaxDelayMs(): number {
    const max = this.histogram.max / 1e6;
    this.histogram.reset();
    return Number.isFinite(max) ? max : 0;
  }

  onModuleDestroy(): void {
    this.histogram.disable();
  }
}
