// `vigil query "SQL"`: SQL over the archived history (DuckDB views events, features, scores, alerts).
import type { Command } from 'commander';
import { printTable } from '../../ingest/cli/log-commands.ts';
import { resolveDataDir } from '../../ingest/log/open.ts';
import { historyRoot, openHistory } from './history.ts';

export function registerQueryCommand(program: Command): void {
  program
    .command('query <sql>')
    .description('run SQL over the archived history (views: events, features, scores, alerts)')
    .option('--json', 'JSON lines instead of a table')
    .option('--max-rows <n>', 'rows to print in a table', (v) => Number(v), 200)
    .action(async (sql: string, opts: { json?: boolean; maxRows: number }) => {
      const dataDir = resolveDataDir((program.opts() as { dataDir?: string }).dataDir);
      const history = await openHistory(historyRoot(dataDir));
      try {
        if (!history.views.length) {
          process.stderr.write(
            `no history yet under ${historyRoot(dataDir)} (vigil serve archives topics as they fill)\n`,
          );
        }
        const { columns, rows } = await history.query(sql);
        if (opts.json) {
          for (const row of rows) process.stdout.write(`${JSON.stringify(row)}\n`);
          return;
        }
        const cell = (v: unknown) =>
          (v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v)).slice(
            0,
            60,
          );
        printTable(
          columns,
          rows.slice(0, opts.maxRows).map((r) => columns.map((c) => cell(r[c]))),
        );
        if (rows.length > opts.maxRows)
          process.stderr.write(`(${rows.length - opts.maxRows} more rows; use --json for all)\n`);
      } finally {
        history.close();
      }
    });
}
