import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { EventLoopMonitor } from './event-loop-monitor.js';
import { HealthController } from './health.controller.js';
import { ShutdownSignal } from './readiness.js';

@Module({
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController],
  providers: [EventLoopMonitor, ShutdownSignal],
  exports: [ShutdownSignal],
})
export class HealthModule {}
