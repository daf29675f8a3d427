import { Injectable } from '@nestjs/common';

/** Flipped first thing on SIGTERM, so load balancers stop sending traffic before the drain. */
@Injectable()
export class ShutdownSignal {
  private draining = false;

  get isDraining(): boolean {
    return this.draining;
  }

  startDraining(): void {
    this.draining = true;
  }
}
