// One structured logger (pino) for every stage; level from VIGIL_LOG_LEVEL.
import { pino } from 'pino';

export const logger = pino({
  level: process.env.VIGIL_LOG_LEVEL ?? 'info',
  base: undefined,
});

export type Logger = typeof logger;
