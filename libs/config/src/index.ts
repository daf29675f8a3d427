export {
  CONVEYOR_ROLES,
  type ConveyorConfig,
  type ConveyorRole,
  ConfigError,
  LOG_LEVELS,
  type LogLevel,
  loadConfig,
} from './config.js';
export { CONVEYOR_CONFIG, ConfigModule } from './config.module.js';
