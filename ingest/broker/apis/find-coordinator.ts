// FindCoordinator (10) v0-2: this broker coordinates every group and transaction.
import { type ApiSchema, f } from '../protocol/schema.ts';

export const FindCoordinator: ApiSchema = {
  key: 10,
  name: 'FindCoordinator',
  min: 0,
  max: 2,
  flexibleFrom: Number.POSITIVE_INFINITY,
  request: [f('key', 'string'), f('keyType', 'int8', '1+')],
  response: [
    f('throttleTimeMs', 'int32', '1+'),
    f('errorCode', 'int16'),
    f('errorMessage', 'string', '1+', '1+'),
    f('nodeId', 'int32'),
    f('host', 'string'),
    f('port', 'int32'),
  ],
};
