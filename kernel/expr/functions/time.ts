// Time functions over event time (`timestamp` is the event's @timestamp in epoch ms). Always UTC:
// a rule must give the same answer on every machine and in every replay.
import { describe, type ExpressionFunction, FunctionArgumentError } from './types.ts';

export function toEpochMs(value: unknown, fn: string): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string') {
    const ms = Date.parse(value);
    if (!Number.isNaN(ms)) return ms;
  }
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value.getTime();
  throw new FunctionArgumentError(`${fn}: expected epoch ms or an ISO-8601 time, got ${describe(value)}`);
}

export const timeFunctions: ExpressionFunction[] = [
  {
    signature: 'hour(dyn): int',
    handler: (t: unknown) => BigInt(new Date(toEpochMs(t, 'hour')).getUTCHours()),
    description: 'hour(timestamp): hour of day 0-23 (UTC)',
  },
  {
    signature: 'dayOfWeek(dyn): int',
    handler: (t: unknown) => BigInt(new Date(toEpochMs(t, 'dayOfWeek')).getUTCDay()),
    description: 'dayOfWeek(timestamp): 0 = Sunday ... 6 = Saturday (UTC)',
  },
  {
    signature: 'isWeekend(dyn): bool',
    handler: (t: unknown) => {
      const d = new Date(toEpochMs(t, 'isWeekend')).getUTCDay();
      return d === 0 || d === 6;
    },
    description: 'isWeekend(timestamp): Saturday or Sunday (UTC)',
  },
  {
    signature: 'epochMs(dyn): double',
    handler: (t: unknown) => toEpochMs(t, 'epochMs'),
    description: 'epochMs(time): an ISO-8601 string or number as epoch milliseconds',
  },
];
