// ApiVersions (18). v3 is flexible: librdkafka opens with it; its response header stays v0.
import { type ApiSchema, f, structs } from '../protocol/schema.ts';

export const ApiVersions: ApiSchema = {
  key: 18,
  name: 'ApiVersions',
  min: 0,
  max: 3,
  flexibleFrom: 3,
  request: [f('clientSoftwareName', 'string', '3+'), f('clientSoftwareVersion', 'string', '3+')],
  response: [
    f('errorCode', 'int16'),
    f('apiKeys', structs(f('apiKey', 'int16'), f('minVersion', 'int16'), f('maxVersion', 'int16'))),
    f('throttleTimeMs', 'int32', '1+'),
  ],
};
