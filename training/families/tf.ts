// TF.js on the wasm backend (tfjs-node cannot be installed here). Initialized once per process.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';

let ready: Promise<typeof tf> | undefined;

export function loadTf(): Promise<typeof tf> {
  ready ??= (async () => {
    if (tf.getBackend() !== 'wasm') {
      const ok = await tf.setBackend('wasm');
      if (!ok) throw new Error('TF.js wasm backend failed to initialize');
    }
    await tf.ready();
    return tf;
  })();
  return ready;
}

export type Tf = typeof tf;
