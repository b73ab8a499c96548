/**
 * The shop's Orders and Payments for `npm start` in the full environment, in real time, with a
 * payment provider that takes 80 to 400 ms and now and then 3 s. Place an order with
 *
 *   curl -s -X POST localhost:3000/orders -H 'content-type: application/json' \
 *     -H 'traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' \
 *     -d '{"orderId":"o-1","totalCents":2500,"customer":{"name":"Zoë","email":"zoe@example.com"}}'
 *
 * and watch the log lines in the terminal. The tests do not use this file.
 */
import { systemClock } from 'labkit/clock';
import { sqlite } from 'labkit/db';
import type { Network, ServiceHandle } from 'labkit/service';
import { RedMetrics } from './metrics.ts';
import { orders, payments, type Telemetry } from './shop.ts';
import { SpanRecorder } from './telemetry.ts';

export default async function start(network: Network): Promise<ServiceHandle[]> {
  const clock = systemClock();
  const telemetry = (): Telemetry => ({ clock, recorder: new SpanRecorder(), metrics: new RedMetrics(), logs: (line) => console.log(line) });
  let calls = 0;
  const provider = async () => {
    calls += 1;
    await clock.sleep(calls % 25 === 0 ? 3000 : 80 + ((calls * 37) % 320));
  };
  return [
    await network.start(payments, { provider, telemetry: telemetry() }),
    await network.start(orders, { db: await sqlite(), fetch: network.fetch, telemetry: telemetry() }),
  ];
}
