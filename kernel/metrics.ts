// Prometheus metrics shared by every stage (prom-client); the API serves them at /metrics.
import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';

export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry });

export const stageRecordsIn = new Counter({
  name: 'vigil_stage_records_in_total',
  help: 'Input records processed by a stage',
  labelNames: ['stage'],
  registers: [metricsRegistry],
});
export const stageRecordsOut = new Counter({
  name: 'vigil_stage_records_out_total',
  help: 'Output records emitted by a stage',
  labelNames: ['stage'],
  registers: [metricsRegistry],
});
export const stageErrors = new Counter({
  name: 'vigil_stage_errors_total',
  help: 'Input records a stage could not process (kept on an errors topic)',
  labelNames: ['stage'],
  registers: [metricsRegistry],
});
export const stageLag = new Gauge({
  name: 'vigil_stage_lag_records',
  help: 'Records between a stage position and the log end, summed over its input partitions',
  labelNames: ['stage'],
  registers: [metricsRegistry],
});
