// The data scientists' notebook, executed as they run it (jupyter nbconvert --execute) against a fresh
// data dir: every cell runs without an error, the plots are drawn, and a model is trained and registered.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './helpers/child.ts';
import { tempDir } from './helpers/tmp.ts';

const NOTEBOOK = join(repoRoot, 'notebooks', 'train-on-replayed-logs.ipynb');
const PYTHON_MODULES = ['pandas', 'matplotlib', 'ipykernel', 'nbformat'];

interface Output {
  output_type: string;
  name?: string;
  text?: string | string[];
  data?: Record<string, unknown>;
  ename?: string;
  evalue?: string;
}
interface Cell {
  cell_type: string;
  source: string | string[];
  outputs?: Output[];
  execution_count?: number | null;
}
interface Notebook {
  cells: Cell[];
  metadata: { kernelspec?: { name: string } };
}

/** Runs a command without blocking the worker (vitest's RPC needs the event loop meanwhile). */
function run(
  cmd: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...options, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.once('error', reject);
    child.once('close', (status) => resolve({ status, stderr }));
  });
}

const joined = (t: string | string[] | undefined) => (Array.isArray(t) ? t.join('') : (t ?? ''));

/** The interpreter the `jupyter` launcher on PATH runs (from its #! line). */
function jupyterPython(): string | null {
  const which = spawnSync('sh', ['-c', 'command -v jupyter'], { encoding: 'utf8' });
  if (which.status !== 0 || !which.stdout.trim()) return null;
  const first = readFileSync(which.stdout.trim(), 'utf8').split('\n', 1)[0] ?? '';
  if (!first.startsWith('#!')) return null;
  const [interpreter, arg] = first.slice(2).trim().split(/\s+/);
  return interpreter?.endsWith('/env') ? (arg ?? null) : (interpreter ?? null);
}

/** Why the notebook cannot run here (no jupyter, or the kernel's Python lacks a package), or null. */
function skipReason(): string | null {
  const nbconvert = spawnSync('jupyter', ['nbconvert', '--version'], { encoding: 'utf8' });
  const jupyter = jupyterPython();
  if (nbconvert.status !== 0 || !jupyter)
    return 'jupyter nbconvert is not installed (apt-get install jupyter-nbconvert)';
  const spec = spawnSync(
    jupyter,
    [
      '-c',
      'import json; from jupyter_client.kernelspec import KernelSpecManager as K; print(json.dumps(K().get_kernel_spec("python3").argv))',
    ],
    { encoding: 'utf8' },
  );
  if (spec.status !== 0) return 'no python3 Jupyter kernel (apt-get install python3-ipykernel)';
  // The kernel's own interpreter: Debian's /usr/bin/python3, not whatever python3 is first on PATH.
  const python = (JSON.parse(spec.stdout) as string[])[0]!;
  const check = spawnSync(python, ['-c', `import ${PYTHON_MODULES.join(', ')}`], { encoding: 'utf8' });
  if (check.status !== 0)
    return `the python3 kernel (${python}) lacks ${PYTHON_MODULES.join('/')} (apt-get install python3-pandas python3-matplotlib)`;
  return null;
}

describe('notebooks/train-on-replayed-logs.ipynb as committed', () => {
  it('is a Python 3 notebook with its outputs cleared', () => {
    const nb = JSON.parse(readFileSync(NOTEBOOK, 'utf8')) as Notebook;
    expect(nb.metadata.kernelspec?.name).toBe('python3');
    const code = nb.cells.filter((c) => c.cell_type === 'code');
    expect(code.length).toBeGreaterThan(5);
    for (const c of code) {
      expect(c.outputs).toEqual([]);
      expect(c.execution_count ?? null).toBeNull();
    }
  });
});

const reason = skipReason();
if (reason) {
  describe.skip(`notebooks/train-on-replayed-logs.ipynb executed — ${reason}`, () => {
    it('runs top to bottom', () => {});
  });
} else {
  describe('notebooks/train-on-replayed-logs.ipynb executed', () => {
    it('runs top to bottom against a fresh data dir: no errors, its plots, a registered model', {
      timeout: 420_000,
    }, async () => {
      const tmp = tempDir('vigil-notebook-test-');
      try {
        const dataDir = join(tmp.dir, 'data');
        const executed = join(tmp.dir, 'executed.ipynb');
        const result = await run(
          'jupyter',
          [
            'nbconvert',
            '--to',
            'notebook',
            '--execute',
            '--ExecutePreprocessor.timeout=300',
            '--output',
            executed,
            NOTEBOOK,
          ],
          {
            cwd: join(repoRoot, 'notebooks'),
            env: { ...process.env, VIGIL_DATA_DIR: dataDir, VIGIL_REPO: repoRoot },
          },
        );
        // nbconvert exits non-zero on the first failing cell; its stderr names the cell and the error.
        expect(result.status, result.stderr.slice(-4000)).toBe(0);

        const nb = JSON.parse(readFileSync(executed, 'utf8')) as Notebook;
        const code = nb.cells.filter((c) => c.cell_type === 'code');
        const outputs = code.flatMap((c) => c.outputs ?? []);
        const errors = outputs.filter((o) => o.output_type === 'error');
        expect(errors.map((e) => `${e.ename}: ${e.evalue}`)).toEqual([]);
        for (const c of code) expect(c.execution_count).toBeTypeOf('number');

        // Feature distributions, alerts over time, scores per scenario: shown inline and saved.
        const images = outputs.filter((o) => o.output_type === 'display_data' && o.data?.['image/png']);
        expect(images.length).toBeGreaterThanOrEqual(3);
        for (const f of ['feature-distributions.png', 'alerts-over-time.png', 'scores-per-scenario.png']) {
          const file = join(dataDir, 'notebook', 'figures', f);
          expect(existsSync(file), f).toBe(true);
          expect(statSync(file).size).toBeGreaterThan(10_000);
        }

        const printed = outputs
          .filter((o) => o.output_type === 'stream')
          .map((o) => joined(o.text))
          .join('');
        // The ground truth labelled some windows malicious, and the model trained on them was registered.
        const labelled = /([\d,]+) rows \((\d+) malicious\)/.exec(printed);
        expect(labelled, printed.slice(-2000)).not.toBeNull();
        expect(Number(labelled![2])).toBeGreaterThan(0);
        expect(printed).toMatch(/registered notebook-network-src:1 \(gradient-boosting\)/);
        expect(printed).toMatch(
          /notebook-network-src:1 on \d+ test rows \([1-9]\d* malicious\): AUROC 0\.\d+/,
        );
        expect(existsSync(join(dataDir, 'notebook', 'model', 'model.onnx'))).toBe(true);
      } finally {
        tmp.remove();
      }
    });
  });
}
