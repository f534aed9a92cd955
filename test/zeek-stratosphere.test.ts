// Every real Zeek log under ../shared/data/zeek/stratosphere (TSV with #fields headers and JSON
// lines, several log types and Zeek versions) parses with zero errors, and every record that has
// a timestamp and a 5-tuple in the log keeps them in the event. The files total ~30k lines, so all
// of them are read (no per-file cap).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseLine } from '../ingest/parsers/parse-line.ts';
import { createParser } from '../ingest/parsers/registry.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const zeekDir = path.join(path.resolve(repoRoot, '../shared/data'), 'zeek/stratosphere');
const haveData = existsSync(zeekDir);

function logFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) return logFiles(p);
    return /\.log(\.labeled)?$/.test(name) ? [p] : [];
  });
}

describe.skipIf(!haveData)(
  haveData
    ? 'Zeek stratosphere logs'
    : 'Zeek stratosphere logs (skipped: ../shared/data/zeek/stratosphere not found)',
  () => {
    const files = haveData ? logFiles(zeekDir) : [];
    it('finds the logs', () => {
      expect(files.length).toBeGreaterThanOrEqual(30);
    });
    for (const file of files) {
      const rel = path.relative(zeekDir, file);
      it(`${rel}: zero errors, @timestamp and 5-tuple kept`, () => {
        const lines = readFileSync(file, 'utf8').split('\n');
        if (lines.at(-1) === '') lines.pop();
        const isJson = lines[0]?.startsWith('{') ?? false;
        // One parser instance per file: TSV parsers keep the header state of their stream.
        const parser = createParser(isJson ? 'zeek-json' : 'zeek-tsv');
        const errors: string[] = [];
        let records = 0;
        let tuples = 0;
        for (const line of lines) {
          const r = parseLine(parser, line, { sensor: 'zeek', ingestedAt: Date.UTC(2026, 0, 1) });
          if (!r.ok) {
            if (errors.length < 5) errors.push(`${r.kind}: ${r.message} <- ${line.slice(0, 100)}`);
            continue;
          }
          for (const e of r.events) {
            records++;
            const zeek = Object.values(e.zeek as Record<string, Record<string, unknown>>)[0]!;
            // The event time is the record's ts, not the ingest time.
            expect(Date.parse(e['@timestamp'] as string)).toBe(
              Math.floor((zeek.ts as number) * 1000 + 0.0005),
            );
            if (zeek['id.orig_h'] !== undefined) {
              const src = e.source as Record<string, unknown>;
              const dst = e.destination as Record<string, unknown>;
              expect(src.ip).toBe(zeek['id.orig_h']);
              expect(src.port).toBe(zeek['id.orig_p']);
              expect(dst.ip).toBe(zeek['id.resp_h']);
              expect(dst.port).toBe(zeek['id.resp_p']);
              if (zeek.proto !== undefined)
                expect((e.network as Record<string, unknown>).transport).toBe(zeek.proto);
              tuples++;
            }
          }
        }
        console.log(
          `[stratosphere] ${rel}: ${records} records, ${tuples} with a 5-tuple, ${errors.length} errors`,
        );
        expect(errors).toEqual([]);
        expect(records).toBe(lines.filter((l) => !l.startsWith('#')).length);
        expect(records).toBeGreaterThan(0);
      });
    }
  },
);
