/**
 * Message faults on the bus: lose, duplicate, delay or reorder messages, and lose acks. A test
 * builds them with `messageFaults()`, hands them to `createBus({ faults })`, and adds rules at
 * any time. Each rule hits either the next N messages it matches or each one with a
 * probability, drawn from a seeded generator so a schedule can be replayed.
 *
 * Two kinds of loss, because at-least-once delivery covers one and not the other:
 * - `drop` is a lost publish: the broker never got the message, no group ever sees it. Only
 *   the publisher can guard against it (an outbox relay that republishes until confirmed).
 * - `loseAck` is a lost acknowledgement: the handler ran, but the broker did not hear so and
 *   redelivers. Consumers guard against it by being idempotent.
 */
import type { BusInterceptor, Forward, Message } from '../bus/types.ts';
import { seededRandom } from './seeded-random.ts';

/** Which messages a rule applies to. Every given field must match. */
export interface MessageMatch {
  topic?: string;
  key?: string;
  /** Any other test on the message, e.g. `(m) => m.payload.type === 'OrderPlaced'`. */
  where?: (message: Message) => boolean;
}

/** How often a rule fires: for the next `times` matching messages (default 1), or for each with `probability`. */
export interface FaultTiming {
  times?: number;
  /** Between 0 and 1; needs `messageFaults({ seed })`. */
  probability?: number;
}

export type FaultRule = MessageMatch & FaultTiming;

export type FaultKind = 'drop' | 'duplicate' | 'delay' | 'reorder' | 'loseAck';

/** One fault as it was injected, in order: the schedule a seed produced. */
export interface FaultEvent {
  fault: FaultKind;
  messageId: string;
  topic: string;
  key: string | undefined;
  /** The consumer group whose ack was lost (loseAck only). */
  group?: string;
  /** How long the message was held back (delay only). */
  delayMs?: number;
}

export interface MessageFaults extends BusInterceptor {
  /** The seed given to `messageFaults`, for reporting. */
  readonly seed: number | undefined;
  /** Every fault injected so far, in order. */
  readonly log: readonly FaultEvent[];
  /** Lost publish: the message never reaches the broker, so no group gets it, ever. */
  drop(rule?: FaultRule): void;
  /** Lost ack: after the handler succeeds, the bus redelivers as if it had failed (with the usual backoff, counting toward maxAttempts). */
  loseAck(rule?: FaultRule & { group?: string }): void;
  /** The message reaches every group twice, with the same id. */
  duplicate(rule?: FaultRule): void;
  /** The message reaches the broker `ms` later on the bus clock, so later messages, even of the same key, overtake it. */
  delay(rule: FaultRule & { ms: number }): void;
  /**
   * The message is held back and reaches the broker right after the next message this rule
   * matches (which itself passes unfaulted). With nothing after it, `drain()` releases it.
   */
  reorder(rule?: FaultRule): void;
  /** Removes every rule. Messages already held back by `reorder` are still released. */
  clear(): void;
}

interface Rule {
  fault: FaultKind;
  match: MessageMatch;
  group: string | undefined;
  delayMs: number;
  /** Fires left, for a counted rule. */
  remaining: number | undefined;
  probability: number;
}

/**
 * Message faults for `createBus({ faults })`. One fault at most per message: the first rule,
 * in the order added, that matches and fires. Probabilities need a `seed`; the same seed and
 * the same sequence of messages give the same faults.
 *
 * @example
 * const faults = messageFaults({ seed: 1234 });
 * const bus = createBus({ clock, faults });
 * faults.drop({ topic: 'orders', times: 1 });                     // the next order is lost
 * faults.duplicate({ topic: 'payments', probability: 0.2 });       // about one payment in five comes twice
 * faults.delay({ topic: 'orders', key: 'order-7', ms: 5_000 });
 */
export function messageFaults(options: { seed?: number } = {}): MessageFaults {
  const random = options.seed === undefined ? undefined : seededRandom(options.seed);
  let rules: Rule[] = [];
  const held: { rule: Rule; message: Message }[] = [];
  const log: FaultEvent[] = [];

  function add(fault: FaultKind, rule: FaultRule & { group?: string; ms?: number } = {}): void {
    const where = `${fault}(rule)`;
    if (rule.times !== undefined && rule.probability !== undefined) throw new TypeError(`${where}: give times or probability, not both`);
    if (rule.times !== undefined && (!Number.isInteger(rule.times) || rule.times < 1)) throw new RangeError(`${where}: times must be a whole number >= 1`);
    if (rule.probability !== undefined) {
      if (!(rule.probability >= 0 && rule.probability <= 1)) throw new RangeError(`${where}: probability must be between 0 and 1, got ${String(rule.probability)}`);
      if (!random) throw new TypeError(`${where}: a probability needs a seed, so a failing run can be replayed: messageFaults({ seed: 1234 })`);
    }
    if (fault === 'delay' && !(typeof rule.ms === 'number' && rule.ms > 0 && Number.isFinite(rule.ms))) throw new RangeError(`${where}: ms must be a number of milliseconds > 0`);
    rules.push({
      fault,
      match: { topic: rule.topic, key: rule.key, where: rule.where },
      group: rule.group,
      delayMs: rule.ms ?? 0,
      remaining: rule.probability === undefined ? (rule.times ?? 1) : undefined,
      probability: rule.probability ?? 0,
    });
  }

  function fires(rule: Rule): boolean {
    if (rule.remaining === undefined) return random!() < rule.probability;
    if (rule.remaining === 0) return false;
    rule.remaining -= 1;
    return true;
  }

  function record(fault: FaultKind, message: Message, extra: Partial<FaultEvent> = {}): void {
    log.push({ fault, messageId: message.id, topic: message.topic, key: message.key, ...extra });
  }

  return Object.freeze<MessageFaults>({
    seed: options.seed,
    log,
    drop: (rule) => add('drop', rule),
    loseAck: (rule) => add('loseAck', rule),
    duplicate: (rule) => add('duplicate', rule),
    delay: (rule) => add('delay', rule),
    reorder: (rule) => add('reorder', rule),
    clear() {
      rules = [];
    },

    onPublish(message: Message, forward: Forward): void {
      const waiting = held.filter((h) => matches(h.rule.match, message));
      if (waiting.length > 0) {
        forward(message);
        for (const h of waiting) {
          held.splice(held.indexOf(h), 1);
          forward(h.message);
        }
        return;
      }
      const rule = rules.find((r) => r.fault !== 'loseAck' && matches(r.match, message) && fires(r));
      if (rule) record(rule.fault, message, rule.fault === 'delay' ? { delayMs: rule.delayMs } : {});
      switch (rule?.fault) {
        case 'drop':
          return;
        case 'duplicate':
          forward(message);
          return forward(message);
        case 'delay':
          return forward(message, rule.delayMs);
        case 'reorder':
          held.push({ rule, message });
          return;
        default:
          return forward(message);
      }
    },

    ackLost(message: Message, group: string): boolean {
      const rule = rules.find((r) => r.fault === 'loseAck' && (r.group === undefined || r.group === group) && matches(r.match, message) && fires(r));
      if (rule) record('loseAck', message, { group });
      return rule !== undefined;
    },

    releaseHeld(forward: Forward): boolean {
      if (held.length === 0) return false;
      for (const h of held.splice(0)) forward(h.message);
      return true;
    },
  });
}

function matches(match: MessageMatch, message: Message): boolean {
  return (
    (match.topic === undefined || match.topic === message.topic) &&
    (match.key === undefined || match.key === message.key) &&
    (match.where === undefined || match.where(message))
  );
}
