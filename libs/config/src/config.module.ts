import { type DynamicModule, Global, Module } from '@nestjs/common';
import type { ConveyorConfig } from './config.js';

export const CONVEYOR_CONFIG = Symbol('CONVEYOR_CONFIG');

@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: ConveyorConfig): DynamicModule {
    return {
      module: ConfigModule,
      providers: [{ provide: CONVEYOR_CONFIG, useValue: config }],
      exports: [CONVEYOR_CONFIG],
    };
  }
}
