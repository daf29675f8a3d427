import { Module } from '@nestjs/common';
import { BusTracing } from './bus-tracing.js';

@Module({ providers: [BusTracing] })
export class TelemetryModule {}
