// Source counters: what each source appended, and what it had to drop (UDP under overload).
import { Counter } from 'prom-client';
import { metricsRegistry } from '../../kernel/metrics.ts';

export const sourceLines = new Counter({
  name: 'vigil_source_lines_total',
  help: 'Raw lines a source appended to its sensor raw topic',
  labelNames: ['type', 'sensor'],
  registers: [metricsRegistry],
});

export const sourceDropped = new Counter({
  name: 'vigil_source_dropped_total',
  help: 'Raw lines a source could not append (buffer full or log error)',
  labelNames: ['type', 'sensor'],
  registers: [metricsRegistry],
});
