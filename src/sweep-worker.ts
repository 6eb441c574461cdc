/** A worker of the sweep pool: plans the files it is sent and posts the results back in order. */
import { parentPort, workerData } from 'worker_threads';
import type { Discovered } from './discovery';
import { planOne } from './sweep';

const options = (workerData as { options: import('./types').OptimizeOptions }).options;
parentPort!.on('message', (batch: { i: number; d: Discovered }[]) => {
  parentPort!.postMessage(batch.map(({ i, d }) => ({ i, item: planOne(d, options) })));
});
