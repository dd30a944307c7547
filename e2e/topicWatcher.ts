// Reads every topic of the broker from the beginning and keeps each record with the time it
// arrived here, so hops can wait for a record and measure commit -> record latency.
import type { Consumer, EachMessagePayload } from "kafkajs";

export interface SeenRecord {
    topic: string;
    partition: number;
    offset: string;
    /** Parsed JSON key/value (JsonConverter: {schema, payload}); null for a tombstone. */
    key: any;
    value: any;
    /** Date.now() when this process received it. */
    arrivedAt: number;
}

const parse = (buf: Buffer | null) => (buf === null ? null : JSON.parse(buf.toString("utf8")));

export class TopicWatcher {
    readonly records: SeenRecord[] = [];
    private waiters: (() => void)[] = [];
    private readonly consumers: Consumer[] = [];
    private constructor(private readonly bootstrap: string) {}

    /** Reads the given topics (the platform's; not Kafka's or Connect's internal ones) from the beginning. */
    static async start(bootstrap: string, topics: string[]): Promise<TopicWatcher> {
        const watcher = new TopicWatcher(bootstrap);
        await watcher.addTopics(topics);
        return watcher;
    }

    /** Reads more topics (created later, e.g. for an added table), from the beginning, into the same record list. */
    async addTopics(topics: string[]): Promise<void> {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { Kafka, logLevel } = require("kafkajs") as typeof import("kafkajs");
        const kafka = new Kafka({ clientId: "lifesci-e2e-watcher", brokers: [this.bootstrap], logLevel: logLevel.NOTHING });
        const consumer = kafka.consumer({ groupId: `lifesci-e2e-watcher-${process.pid}-${Date.now()}-${this.consumers.length}`, maxWaitTimeInMs: 50, sessionTimeout: 10_000, heartbeatInterval: 1000 });
        this.consumers.push(consumer);
        await consumer.connect();
        await consumer.subscribe({ topics, fromBeginning: true });
        await consumer.run({
            eachMessage: async ({ topic, partition, message }: EachMessagePayload) => {
                let key: unknown;
                let value: unknown;
                try {
                    key = parse(message.key);
                    value = parse(message.value);
                } catch {
                    key = message.key?.toString("utf8");
                    value = message.value?.toString("utf8");
                }
                this.records.push({ topic, partition, offset: message.offset, key, value, arrivedAt: Date.now() });
                const waiting = this.waiters;
                this.waiters = [];
                for (const wake of waiting) wake();
            },
        });
    }

    /** Resolves with the first record (in arrival order) matching `match`, or undefined after `timeoutMs`. */
    async waitFor(match: (r: SeenRecord) => boolean, timeoutMs: number): Promise<SeenRecord | undefined> {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
            const found = this.records.find(match);
            if (found) return found;
            const left = deadline - Date.now();
            if (left <= 0) return undefined;
            await new Promise<void>((resolve) => {
                const timer = setTimeout(resolve, Math.min(left, 500));
                this.waiters.push(() => {
                    clearTimeout(timer);
                    resolve();
                });
            });
        }
    }

    on(topic: string): SeenRecord[] {
        return this.records.filter((r) => r.topic === topic);
    }

    async stop(): Promise<void> {
        for (const c of this.consumers) await c.disconnect().catch(() => undefined);
    }
}
