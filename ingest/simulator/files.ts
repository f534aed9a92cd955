// `vigil simulate --out DIR`: one file per log as Zeek names them (conn.log, dns.log, ...; JSON lines
// or TSV with headers), syslog.log / cef.log when asked, ground-truth.jsonl and intel.csv beside them.
import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { SimulatorConfig, SimulatorConfigInput } from './config.ts';
import { Simulation } from './simulate.ts';
import { isZeekLog, type SimLogType, zeekTsvFooter, zeekTsvHeader } from './zeek-logs.ts';

export interface SimulationSummary {
  outDir: string;
  format: 'json' | 'tsv';
  lines: number;
  perLog: Partial<Record<SimLogType, number>>;
  episodes: number;
  start: string;
  end: string;
}

const FLUSH_CHARS = 1 << 20;

class LogFile {
  private fd: number;
  private buf: string[] = [];
  private size = 0;
  lines = 0;

  constructor(path: string, header: string | null) {
    this.fd = openSync(path, 'w');
    if (header) this.push(header);
  }

  push(text: string): void {
    this.buf.push(text);
    this.size += text.length + 1;
    if (this.size >= FLUSH_CHARS) this.flush();
  }

  flush(): void {
    if (this.buf.length === 0) return;
    writeSync(this.fd, `${this.buf.join('\n')}\n`);
    this.buf = [];
    this.size = 0;
  }

  close(footer: string | null): void {
    if (footer) this.push(footer);
    this.flush();
    closeSync(this.fd);
  }
}

export function writeSimulation(
  config: SimulatorConfigInput | SimulatorConfig,
  outDir: string,
  onProgress?: (eventTimeMs: number, lines: number) => void,
): SimulationSummary {
  const sim = new Simulation(config);
  const format = sim.config.format;
  mkdirSync(outDir, { recursive: true });
  const files = new Map<SimLogType, LogFile>();
  const startMs = sim.startUs / 1000;
  const endMs = sim.endUs / 1000;
  let lines = 0;
  for (const { event } of sim.events({ bucket: 0, index: 0 }, format)) {
    let file = files.get(event.log);
    if (!file) {
      const header = format === 'tsv' && isZeekLog(event.log) ? zeekTsvHeader(event.log, startMs) : null;
      file = new LogFile(join(outDir, `${event.log}.log`), header);
      files.set(event.log, file);
    }
    file.push(event.line);
    file.lines++;
    if (++lines % 100_000 === 0) onProgress?.(event.ts, lines);
  }
  const perLog: Partial<Record<SimLogType, number>> = {};
  for (const [log, file] of files) {
    file.close(format === 'tsv' && isZeekLog(log) ? zeekTsvFooter(endMs) : null);
    perLog[log] = file.lines;
  }
  const truth = sim.groundTruth();
  writeFileSync(join(outDir, 'ground-truth.jsonl'), truth.map((t) => `${JSON.stringify(t)}\n`).join(''));
  writeFileSync(join(outDir, 'intel.csv'), sim.intelCsv());
  const summary: SimulationSummary = {
    outDir,
    format,
    lines,
    perLog,
    episodes: truth.length,
    start: new Date(startMs).toISOString(),
    end: new Date(endMs).toISOString(),
  };
  writeFileSync(
    join(outDir, 'simulation.json'),
    `${JSON.stringify({ summary, config: sim.config }, null, 2)}\n`,
  );
  return summary;
}
