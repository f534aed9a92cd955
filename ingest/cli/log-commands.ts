// `vigil topics`, `vigil produce`, `vigil consume`: the log from the shell.
import { isUtf8 } from 'node:buffer';
import { createInterface } from 'node:readline';
import { type Command, InvalidArgumentError } from 'commander';
import { openLog, resolveDataDir } from '../log/open.ts';
import type { EventLog, LogRecord, ProducerRecord } from '../log/types.ts';
import { progressBar } from './progress.ts';

export interface GlobalOptions {
  dataDir?: string;
  config?: string;
}

/** Opens the log for a command; `logConfig` lets the composition root pass a configured backend. */
export type LogOpener = (globals: GlobalOptions) => Promise<EventLog>;

export const defaultLogOpener: LogOpener = async (globals) => openLog(resolveDataDir(globals.dataDir));

const int = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be a whole number`);
  return n;
};

/** Parses an ISO time, epoch ms, or a duration ago such as 15m, 2h, 7d. */
export function parseTime(text: string, now = Date.now()): number {
  const rel = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/.exec(text.trim());
  if (rel) {
    const unit = { ms: 1, s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 604800e3 }[rel[2] as 'ms'];
    return now - Number(rel[1]) * unit;
  }
  if (/^\d{10,}$/.test(text)) return Number(text);
  const t = Date.parse(text);
  if (Number.isNaN(t))
    throw new InvalidArgumentError(`'${text}' is not a time (ISO 8601, epoch ms, or a duration like 2h)`);
  return t;
}

export function recordToJson(r: LogRecord): Record<string, unknown> {
  const utf8 = isUtf8(r.value);
  const headers = Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, v.toString('utf8')]));
  return {
    topic: r.topic,
    partition: r.partition,
    offset: r.offset,
    timestamp: r.timestamp,
    key: r.key ? r.key.toString('utf8') : null,
    ...(utf8 ? { value: r.value.toString('utf8') } : { value_base64: r.value.toString('base64') }),
    ...(Object.keys(headers).length ? { headers } : {}),
  };
}

export function registerLogCommands(program: Command, openFor: LogOpener = defaultLogOpener): void {
  const globals = () => program.opts() as GlobalOptions;

  const topics = program.command('topics').description('list, create and describe topics');
  topics
    .command('list', { isDefault: true })
    .description('list topics with partitions and offsets')
    .option('--json', 'JSON output')
    .action(async (opts: { json?: boolean }) => {
      const log = await openFor(globals());
      try {
        const infos = await Promise.all((await log.listTopics()).map((t) => log.describeTopic(t)));
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(infos)}\n`);
          return;
        }
        const rows = infos.map((t) => {
          const records = t.partitions.reduce((n, p) => n + p.latest - p.earliest, 0);
          return [t.name, String(t.partitions.length), String(records)];
        });
        printTable(['TOPIC', 'PARTITIONS', 'RECORDS'], rows);
      } finally {
        await log.close();
      }
    });
  topics
    .command('create <name>')
    .description('create a topic')
    .option('-p, --partitions <n>', 'partitions', int('partitions'), 1)
    .option('--retention-ms <ms>', 'delete segments older than this', int('retention-ms'))
    .option('--retention-bytes <bytes>', 'keep at most this many bytes per partition', int('retention-bytes'))
    .action(
      async (name: string, opts: { partitions: number; retentionMs?: number; retentionBytes?: number }) => {
        const log = await openFor(globals());
        try {
          await log.createTopic(name, {
            partitions: opts.partitions,
            retention: { ms: opts.retentionMs, bytes: opts.retentionBytes },
          });
          process.stderr.write(`created topic ${name} with ${opts.partitions} partition(s)\n`);
        } finally {
          await log.close();
        }
      },
    );
  topics
    .command('describe <name>')
    .description('partitions and their earliest/latest offsets')
    .option('--json', 'JSON output')
    .action(async (name: string, opts: { json?: boolean }) => {
      const log = await openFor(globals());
      try {
        const info = await log.describeTopic(name);
        if (opts.json) process.stdout.write(`${JSON.stringify(info)}\n`);
        else
          printTable(
            ['PARTITION', 'EARLIEST', 'LATEST'],
            info.partitions.map((p) => [p.partition, p.earliest, p.latest].map(String)),
          );
      } finally {
        await log.close();
      }
    });

  program
    .command('produce <topic>')
    .description('append stdin lines to a topic, one record per line')
    .option('-k, --key <key>', 'the same key for every record')
    .option('--key-field <field>', 'key each JSON line by this (dotted) field')
    .option('-p, --partition <n>', 'write to this partition', int('partition'))
    .option(
      '--create <partitions>',
      'create the topic with this many partitions if missing',
      int('partitions'),
    )
    .option('--batch <n>', 'records per append', int('batch'), 1000)
    .action(
      async (
        topic: string,
        opts: { key?: string; keyField?: string; partition?: number; create?: number; batch: number },
      ) => {
        const log = await openFor(globals());
        const bar = progressBar('produce', 'lines');
        let total = 0;
        try {
          if (opts.create) await log.ensureTopic(topic, { partitions: opts.create });
          else await log.describeTopic(topic);
          let batch: ProducerRecord[] = [];
          const flush = async () => {
            if (!batch.length) return;
            await log.append(topic, batch);
            total += batch.length;
            bar.update(total);
            batch = [];
          };
          for await (const line of createInterface({
            input: process.stdin,
            crlfDelay: Number.POSITIVE_INFINITY,
          })) {
            if (line === '') continue;
            batch.push({ value: line, key: keyFor(line, opts), partition: opts.partition });
            if (batch.length >= opts.batch) await flush();
          }
          await flush();
        } finally {
          bar.stop();
          await log.close();
        }
        process.stderr.write(`produced ${total} record(s) to ${topic}\n`);
      },
    );

  program
    .command('consume <topic>')
    .description('print records as JSON lines')
    .option('--from-beginning', 'start at the earliest offset')
    .option('--offset <n>', 'start at this offset (every partition, or --partition)', int('offset'))
    .option('--since <time>', 'start at the first record at or after this time (ISO, epoch ms, or 2h)')
    .option('-g, --group <group>', 'start at and commit this consumer group\u2019s offsets')
    .option('-p, --partition <n>', 'only this partition', int('partition'))
    .option('-n, --max <n>', 'stop after this many records', int('max'))
    .option('-f, --follow', 'keep waiting for new records (the default when no start is given)')
    .action(
      async (
        topic: string,
        opts: {
          fromBeginning?: boolean;
          offset?: number;
          since?: string;
          group?: string;
          partition?: number;
          max?: number;
          follow?: boolean;
        },
      ) => {
        const log = await openFor(globals());
        let stop = false;
        const onSignal = () => {
          stop = true;
        };
        process.once('SIGINT', onSignal);
        process.once('SIGTERM', onSignal);
        try {
          const info = await log.describeTopic(topic);
          const parts = info.partitions.filter(
            (p) => opts.partition === undefined || p.partition === opts.partition,
          );
          if (!parts.length)
            throw new InvalidArgumentError(`topic ${topic} has no partition ${opts.partition}`);
          const committed = opts.group ? await log.committedOffsets(opts.group, topic) : [];
          const since = opts.since ? parseTime(opts.since) : undefined;
          const positions = new Map<number, number>();
          for (const p of parts) {
            let start = p.latest;
            const c = committed.find((o) => o.partition === p.partition);
            if (opts.fromBeginning) start = p.earliest;
            else if (opts.offset !== undefined) start = Math.min(Math.max(opts.offset, p.earliest), p.latest);
            else if (since !== undefined) start = await log.offsetForTimestamp(topic, p.partition, since);
            else if (c) start = c.offset;
            positions.set(p.partition, start);
          }
          const positioned =
            opts.fromBeginning || opts.offset !== undefined || since !== undefined || committed.length > 0;
          const follow = opts.follow ?? !positioned;
          let printed = 0;
          const max = opts.max ?? Number.POSITIVE_INFINITY;
          while (!stop && printed < max) {
            let got = 0;
            for (const [partition, offset] of positions) {
              const records = await log.read(topic, partition, offset, {
                maxRecords: Math.min(1000, max - printed),
              });
              for (const r of records) {
                process.stdout.write(`${JSON.stringify(recordToJson(r))}\n`);
                printed++;
              }
              if (records.length) {
                positions.set(partition, records[records.length - 1]!.offset + 1);
                got += records.length;
              }
              if (printed >= max) break;
            }
            if (opts.group && got) {
              await log.commitOffsets(
                opts.group,
                [...positions].map(([partition, offset]) => ({ topic, partition, offset })),
              );
            }
            if (!got) {
              if (!follow) break;
              const [first] = positions;
              await log.read(topic, first![0], first![1], { maxRecords: 1, maxWaitMs: 500 });
            }
          }
        } finally {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
          await log.close();
        }
      },
    );
}

function keyFor(line: string, opts: { key?: string; keyField?: string }): string | undefined {
  if (opts.key !== undefined) return opts.key;
  if (!opts.keyField) return undefined;
  try {
    let v: unknown = JSON.parse(line);
    for (const part of opts.keyField.split('.')) v = (v as Record<string, unknown> | undefined)?.[part];
    return v === undefined || v === null ? undefined : String(v);
  } catch {
    return undefined;
  }
}

export function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  process.stdout.write(`${[line(header), ...rows.map(line)].join('\n')}\n`);
}
