// Squid native access.log: `time elapsed client code/status bytes method URL ident peer/host type`.
import { z } from 'zod';
import { epochSecondsToIso, isIpAddress, parseError, toInt } from './common.ts';
import type { ParseResult, Parser } from './types.ts';
import { urlFields } from './url-fields.ts';

export const squidOptions = z.object({}).strict();

export class SquidParser implements Parser {
  readonly format = 'squid';

  parse(raw: string): ParseResult {
    const f = raw.trim().split(/\s+/);
    if (f.length < 7)
      return parseError(
        `squid: ${f.length} fields; expected time elapsed client code/status bytes method URL ...`,
      );
    const [time, elapsed, client, codeStatus, bytes, method, url, ident, hierarchy, type] = f as string[];
    const iso = epochSecondsToIso(time!);
    if (iso === undefined || !/^\d+(\.\d+)?$/.test(time!)) {
      return { ok: false, kind: 'invalid', message: `time: ${JSON.stringify(time)} is not epoch seconds` };
    }
    const slash = codeStatus!.indexOf('/');
    const action = slash === -1 ? codeStatus! : codeStatus!.slice(0, slash);
    const status = slash === -1 ? undefined : toInt(codeStatus!.slice(slash + 1));
    const elapsedMs = toInt(elapsed);
    const event: Record<string, unknown> = {
      '@timestamp': iso,
      event: { kind: 'event', action, ...(elapsedMs === undefined ? {} : { duration: elapsedMs * 1e6 }) },
      source: { ip: client },
      http: {
        request: { method },
        response: { ...(status === undefined ? {} : { status_code: status }), bytes: toInt(bytes) },
      },
      url: urlFields(url!),
      squid: { elapsed_ms: elapsedMs, result_code: action, hierarchy_code: undefined as string | undefined },
    };
    if (!isIpAddress(client)) {
      // Squid writes a hostname here when log_fqdn is on.
      event.source = { domain: client };
    }
    if (ident !== undefined && ident !== '-') event.user = { name: ident };
    if (hierarchy !== undefined) {
      const s = hierarchy.indexOf('/');
      const code = s === -1 ? hierarchy : hierarchy.slice(0, s);
      const peer = s === -1 ? '' : hierarchy.slice(s + 1);
      (event.squid as Record<string, unknown>).hierarchy_code = code;
      if (peer !== '' && peer !== '-')
        event.destination = isIpAddress(peer) ? { ip: peer } : { domain: peer };
    }
    if (type !== undefined && type !== '-') {
      ((event.http as Record<string, unknown>).response as Record<string, unknown>).mime_type = type;
    }
    return { ok: true, events: [event] };
  }
}
