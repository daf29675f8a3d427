import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { MetricsAccess } from '#conveyor/auth';
import { JobMetrics } from './job-metrics.js';

@ApiExcludeController()
@MetricsAccess()
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: JobMetrics) {}

  /** Prometheus text exposition format. */
  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
