export { type ConveyorConfig, ConfigError, loadConfig } from './config.js';
export { CONVEYOR_CONFIG, ConfigModule } from './config.module.js';
