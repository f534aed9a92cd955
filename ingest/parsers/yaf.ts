// YAF flow records as Metron ingests them: yafscii `--tabular --print-header`-style pipe-delimited
// lines with padded columns (start|end|duration|rtt|proto|sip|sp|dip|dp|iflags|uflags|riflags|ruflags|
// isn|risn|tag|rtag|pkt|oct|rpkt|roct|app|end_reason). Times are UTC unless `timezone` says otherwise.
import { z } from 'zod';
import { epochMsToIso, ipProtocolName, parseError, toFloat, toInt } from './common.ts';
import { localTimeOptions, parseLooseTimestamp } from './time.ts';
import type { ParseResult, Parser } from './types.ts';

export const YAF_COLUMNS = [
  'start_time',
  'end_time',
  'duration',
  'rtt',
  'proto',
  'sip',
  'sp',
  'dip',
  'dp',
  'iflags',
  'uflags',
  'riflags',
  'ruflags',
  'isn',
  'risn',
  'tag',
  'rtag',
  'pkt',
  'oct',
  'rpkt',
  'roct',
  'app',
  'end_reason',
] as const;

export const yafOptions = z.object({ timezone: localTimeOptions.timezone }).strict();
export type YafOptions = z.infer<typeof yafOptions>;

export class YafParser implements Parser {
  readonly format = 'yaf';
  constructor(private readonly options: YafOptions = {}) {}

  parse(raw: string): ParseResult {
    const parts = raw.split('|');
    if (parts.length !== YAF_COLUMNS.length) {
      return parseError(`yaf: ${parts.length} pipe-separated columns; expected ${YAF_COLUMNS.length}`);
    }
    const yaf: Record<string, string> = {};
    for (let i = 0; i < parts.length; i++) yaf[YAF_COLUMNS[i]!] = parts[i]!.trim();
    const start = epochMsToIso(parseLooseTimestamp(yaf.start_time!, this.options));
    const end = epochMsToIso(parseLooseTimestamp(yaf.end_time!, this.options));
    if (start === undefined) {
      return {
        ok: false,
        kind: 'invalid',
        message: `start_time: ${JSON.stringify(yaf.start_time)} is not a time; expected yyyy-mm-dd hh:mm:ss.sss`,
      };
    }
    const protoNumber = toInt(yaf.proto);
    const evt: Record<string, unknown> = { kind: 'event', start };
    if (end !== undefined) evt.end = end;
    const duration = toFloat(yaf.duration);
    if (duration !== undefined) evt.duration = Math.round(duration * 1e9);
    const source: Record<string, unknown> = { ip: yaf.sip, port: yaf.sp };
    const destination: Record<string, unknown> = { ip: yaf.dip, port: yaf.dp };
    const pkt = toInt(yaf.pkt);
    const oct = toInt(yaf.oct);
    const rpkt = toInt(yaf.rpkt);
    const roct = toInt(yaf.roct);
    if (pkt !== undefined) source.packets = pkt;
    if (oct !== undefined) source.bytes = oct;
    if (rpkt !== undefined) destination.packets = rpkt;
    if (roct !== undefined) destination.bytes = roct;
    const network: Record<string, unknown> = {};
    if (protoNumber !== undefined) {
      network.iana_number = String(protoNumber);
      const name = ipProtocolName(protoNumber);
      if (name !== undefined) network.transport = name;
    }
    if (oct !== undefined || roct !== undefined) network.bytes = (oct ?? 0) + (roct ?? 0);
    if (pkt !== undefined || rpkt !== undefined) network.packets = (pkt ?? 0) + (rpkt ?? 0);
    return {
      ok: true,
      events: [{ '@timestamp': start, event: evt, source, destination, network, yaf }],
    };
  }
}
