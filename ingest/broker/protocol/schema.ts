// Messages as data, after Kafka's own JSON message definitions: each field names the versions it
// exists in, and one interpreter encodes and decodes every API and version (flexible versions use
// compact lengths and tagged-field sections). Adding a version is a table edit, not new code.
import { type Decoder, ProtocolDecodeError } from './decoder.ts';
import type { Encoder } from './encoder.ts';

export type Primitive = 'int8' | 'int16' | 'int32' | 'int64' | 'bool' | 'string' | 'bytes' | 'records';
export type FieldType = Primitive | { array: FieldType } | { struct: Field[] };

export interface Field {
  name: string;
  type: FieldType;
  min: number;
  max: number;
  /** Null is allowed from this version on. */
  nullableFrom: number;
}

/** A field: `versions` is "N+" or "N-M"; `nullable` is "N+" when null is allowed. */
export function f(name: string, type: FieldType, versions = '0+', nullable?: string): Field {
  const [min, max] = parseVersions(versions);
  return {
    name,
    type,
    min,
    max,
    nullableFrom: nullable ? parseVersions(nullable)[0] : Number.POSITIVE_INFINITY,
  };
}

export const array = (type: FieldType): FieldType => ({ array: type });
export const struct = (...fields: Field[]): FieldType => ({ struct: fields });
export const structs = (...fields: Field[]): FieldType => ({ array: { struct: fields } });

function parseVersions(v: string): [number, number] {
  const plus = /^(\d+)\+$/.exec(v);
  if (plus) return [Number(plus[1]), Number.POSITIVE_INFINITY];
  const range = /^(\d+)(?:-(\d+))?$/.exec(v);
  if (!range) throw new Error(`bad version range ${v}`);
  return [Number(range[1]), Number(range[2] ?? range[1])];
}

export interface ApiSchema {
  key: number;
  name: string;
  /** Versions Vigil serves (advertised by ApiVersions). */
  min: number;
  max: number;
  /** First flexible version (compact encodings + tagged fields); Infinity when none is served. */
  flexibleFrom: number;
  request: Field[];
  response: Field[];
}

// Decoded messages are plain records; each handler reads the fields its schema defines.
export type Message = Record<string, any>;

function defaultFor(field: Field, version: number): unknown {
  if (version >= field.nullableFrom) return null;
  const t = field.type;
  if (typeof t === 'object') return 'array' in t ? [] : {};
  switch (t) {
    case 'bool':
      return false;
    case 'string':
      return '';
    case 'bytes':
      return Buffer.alloc(0);
    case 'records':
      return null;
    default:
      return 0;
  }
}

export function decodeStruct(d: Decoder, fields: Field[], version: number, flexible: boolean): Message {
  const out: Message = {};
  for (const field of fields) {
    out[field.name] =
      version >= field.min && version <= field.max
        ? decodeValue(d, field.type, version, flexible, field)
        : defaultFor(field, version);
  }
  if (flexible) d.skipTaggedFields();
  return out;
}

function decodeValue(d: Decoder, type: FieldType, version: number, flexible: boolean, field: Field): unknown {
  if (typeof type === 'object') {
    if ('struct' in type) return decodeStruct(d, type.struct, version, flexible);
    const n = d.arrayLength(flexible);
    if (n < 0) return null;
    if (n > d.remaining) throw new ProtocolDecodeError(`array ${field.name} claims ${n} items`);
    const items = new Array(n);
    for (let i = 0; i < n; i++) items[i] = decodeValue(d, type.array, version, flexible, field);
    return items;
  }
  switch (type) {
    case 'int8':
      return d.int8();
    case 'int16':
      return d.int16();
    case 'int32':
      return d.int32();
    case 'int64':
      return d.int64();
    case 'bool':
      return d.bool();
    case 'string':
      return d.string(flexible);
    case 'bytes':
    case 'records':
      return d.bytes(flexible);
  }
}

export function encodeStruct(
  e: Encoder,
  fields: Field[],
  value: Message,
  version: number,
  flexible: boolean,
): void {
  for (const field of fields) {
    if (version < field.min || version > field.max) continue;
    const v = value[field.name];
    encodeValue(e, field.type, v === undefined ? defaultFor(field, version) : v, version, flexible);
  }
  if (flexible) e.uvarint(0);
}

function encodeValue(e: Encoder, type: FieldType, v: unknown, version: number, flexible: boolean): void {
  if (typeof type === 'object') {
    if ('struct' in type) {
      encodeStruct(e, type.struct, (v ?? {}) as Message, version, flexible);
      return;
    }
    if (v === null) {
      e.arrayLength(null, flexible);
      return;
    }
    const items = v as unknown[];
    e.arrayLength(items.length, flexible);
    for (const item of items) encodeValue(e, type.array, item, version, flexible);
    return;
  }
  switch (type) {
    case 'int8':
      e.int8(v as number);
      return;
    case 'int16':
      e.int16(v as number);
      return;
    case 'int32':
      e.int32(v as number);
      return;
    case 'int64':
      e.int64(v as number);
      return;
    case 'bool':
      e.bool(v as boolean);
      return;
    case 'string':
      e.string(v as string | null, flexible);
      return;
    case 'bytes':
    case 'records':
      e.bytes(v as Buffer | null, flexible);
      return;
  }
}
