import { Controller, Get, HttpStatus } from '@nestjs/common';
import { ProblemException } from '#conveyor/http';
import { DataSource } from 'typeorm';

/** Readiness for load balancers and Kubernetes: the database answers and the schema is current. */
@Controller('health')
export class HealthController {
  constructor(private readonly dataSource: DataSource) {}

  @Get('ready')
  async ready(): Promise<{ status: 'ok' }> {
    let pendingMigrations: boolean;
    try {
      pendingMigrations = await this.dataSource.showMigrations();
    } catch {
      throw ProblemException.of(
        HttpStatus.SERVICE_UNAVAILABLE,
        'not-ready',
        'Not ready.',
        'database: unreachable',
      );
    }
    if (pendingMigrations) {
      throw ProblemException.of(
        HttpStatus.SERVICE_UNAVAILABLE,
        'not-ready',
        'Not ready.',
        'migrations: pending',
      );
    }
    return { status: 'ok' };
  }
}
