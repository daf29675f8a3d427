export { CONVEYOR_ROLES, type ConveyorConfig, type ConveyorRole, ConfigError, loadConfig } from './config.js';
export { CONVEYOR_CONFIG, ConfigModule } from './config.module.js';
