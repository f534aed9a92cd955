// Feeds the analysts' alert store from the `alerts` topic. The store inserts by alert id and ignores
// ids it has, so a batch replayed after a crash changes nothing (effectively once).

import { errorRecord } from '../../ingest/pipeline/runner.ts';
import type { Stage } from '../../ingest/pipeline/stage.ts';
import { ALERTS_TOPIC, type Alert, parseAlert } from '../../kernel/alert.ts';
import type { AlertStore } from './store.ts';

export function createAlertSinkStage(store: AlertStore): Stage {
  return {
    name: 'alert-store',
    inputs: [ALERTS_TOPIC],
    async process(batch, ctx) {
      const alerts: Alert[] = [];
      const errors = [];
      for (const r of batch) {
        const parsed = parseAlert(r.value.toString('utf8'));
        if (typeof parsed === 'string') {
          ctx.countError();
          errors.push(errorRecord('alert-store', r, 'invalid', parsed));
        } else alerts.push(parsed);
      }
      await store.insert(alerts);
      return errors;
    },
  };
}
