// Crash-test child: runs a fast SimulatorSource into the embedded log at argv[2] until its span is
// appended (the parent SIGKILLs it part-way, then runs it again).
import { openEmbeddedLog } from '../../log/embedded/index.ts';
import { SimulatorSource } from '../source.ts';

const dir = process.argv[2]!;
const config = JSON.parse(process.argv[3]!);
const log = await openEmbeddedLog(dir, { fsync: false });
const source = new SimulatorSource(log, config, { mode: 'fast', batchLines: Number(process.argv[4] ?? 300) });
await source.start();
process.stdout.write('started\n');
await source.done;
await log.close();
