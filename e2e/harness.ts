// Starts the real data path on one machine and hands the hops a context: Kafka (KRaft), Kafka
// Connect (distributed) with the local stack's plugins, MariaDB and PostgreSQL, all child processes
// on free loopback ports; the local stack's topics, SQL bootstrap and warehouse DDL applied; the
// connectors left for the deploy hop, which creates them through the project's Connect provider in
// @pulumi/pulumi's dynamic-provider host, as `pulumi up` would.
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { MariaDb, startMariaDb } from "../scripts/checks/throwawayMariaDb";
import { DynamicProviderHost } from "../test/support/dynamicProviderHost";
import { HarnessEndpoints } from "./differences";
import { LocalStackPlan, engineProps, localStackPlan, urnOf } from "./localStack";
import {
    ConnectWorker,
    JavaProcessSpec,
    KafkaBroker,
    ManagedProcess,
    Postgres,
    RuntimeJars,
    kafkaAdmin,
    moduleClasspath,
    runtimeJars,
    startConnect,
    startJava,
    startKafka,
    startPostgres,
    connectWarehouse,
    stopAll,
    tempDir,
} from "./runtime";
import { TopicWatcher } from "./topicWatcher";
import type { PlannedChange } from "./workload";
import type { StatusRowObservation } from "./batchReleaseHop";

export const ADMIN_USER = "lifesci_e2e_admin";

export interface CommittedChange extends PlannedChange {
    /** Date.now() right after the commit returned. */
    committedAt: number;
}

export interface E2eContext {
    dir: string;
    jars: RuntimeJars;
    kafka: KafkaBroker;
    connect: ConnectWorker;
    mariadb: MariaDb;
    postgres: Postgres;
    plan: LocalStackPlan;
    host: DynamicProviderHost;
    endpoints: HarnessEndpoints;
    watcher: TopicWatcher;
    /** Topics created from the local stack's topics-init script, before any connector. */
    createdTopics: Set<string>;
    /** Generated for this run: never the recorded mock values, never printed. */
    secrets: { adminPassword: string; cdcPassword: string; postgresPassword: string };
    /** The properties each resource was last created/updated with in the host, by resource name (for later updates). */
    deployed: Map<string, { urn: string; id: string; outs: Record<string, unknown>; inputs?: Record<string, unknown> }>;
    /** What the CDC hop committed, for the hops that follow the same changes downstream. */
    committed: CommittedChange[];
    /** When the CDC connectors were created (start of their snapshot). */
    connectorsCreatedAt?: number;
    /** The sample batch's row in the local warehouse after each step of its life (batch release hop). */
    statusRows?: StatusRowObservation[];
    /** Starts another Java process (e.g. a Kafka Streams app), stopped with the rest. */
    startJava(spec: Omit<JavaProcessSpec, "dir">): ManagedProcess;
    /** The runtime classpath of a Maven module (target/classes + dependencies from Maven Central). */
    moduleClasspath(pom: string): string;
    log(message: string): void;
}

/** Thrown when the environment cannot run the data path (missing binary, Maven failure): exit 2. */
export class EnvironmentError extends Error {}

/** The local stack itself does not evaluate (a program defect the plan checks catch): the first hop fails. */
export class ProgramError extends Error {}

const secret = () => randomBytes(18).toString("base64url");

/** The bootstrap of the local stack, aimed at the throwaway MariaDB with the harness's admin account. */
export function bootstrapProps(ctx: Pick<E2eContext, "plan" | "mariadb" | "secrets">, overrides: Record<string, unknown> = {}) {
    return engineProps(ctx.plan.bootstrap, {
        host: ctx.mariadb.host,
        port: ctx.mariadb.port,
        adminUser: ADMIN_USER,
        adminPassword: ctx.secrets.adminPassword,
        cdcPassword: ctx.secrets.cdcPassword,
        ...overrides,
    });
}

export async function startHarness(log: (m: string) => void): Promise<E2eContext> {
    const dir = tempDir();
    const secrets = { adminPassword: secret(), cdcPassword: secret(), postgresPassword: secret() };
    let jars: RuntimeJars;
    try {
        const t = Date.now();
        jars = runtimeJars();
        log(`jars ${jars.resolved ? "resolved from Maven Central" : "from the cache"} (${Date.now() - t} ms)`);
    } catch (err) {
        throw new EnvironmentError((err as Error).message);
    }
    const planning = localStackPlan().then(
        (plan) => ({ plan }),
        (err: Error) => ({ error: err }),
    );
    let mariadb: MariaDb, postgres: Postgres, kafka: KafkaBroker;
    try {
        [mariadb, postgres, kafka] = await Promise.all([startMariaDb(), startPostgres(dir, "warehouse", "lifesci", secrets.postgresPassword), startKafka(dir, jars)]);
    } catch (err) {
        await stopAll();
        throw new EnvironmentError(`${(err as Error).message} (logs in ${dir})`);
    }
    log(`kafka ${kafka.bootstrap}, mariadb 127.0.0.1:${mariadb.port}, postgres 127.0.0.1:${postgres.port}`);
    const connecting = startConnect(dir, jars, kafka.bootstrap);
    const planned = await planning;
    if ("error" in planned) {
        await connecting.catch(() => undefined);
        await stopAll();
        await mariadb.stop();
        fs.rmSync(dir, { recursive: true, force: true });
        throw new ProgramError(planned.error.message);
    }
    const plan = planned.plan;
    // The host loads @pulumi/pulumi like the engine's; on a busy machine that takes a while.
    const host = await DynamicProviderHost.start(120_000);

    // Topics: exactly what the local stack's topics-init container creates, before any connector.
    const admin = kafkaAdmin(kafka.bootstrap);
    await admin.connect();
    try {
        await admin.createTopics({
            waitForLeaders: true,
            topics: plan.topics.map((t) => ({ topic: t.name, numPartitions: t.partitions, replicationFactor: 1, configEntries: Object.entries(t.configs).map(([name, value]) => ({ name, value })) })),
        });
    } finally {
        await admin.disconnect();
    }
    const createdTopics = new Set(plan.topics.map((t) => t.name));

    // MariaDB: an admin account like the RDS master user / the local container's root, then the stack's own bootstrap, in the host.
    await mariadb.query("CREATE USER ?@'%' IDENTIFIED BY ?", [ADMIN_USER, secrets.adminPassword]);
    await mariadb.query("GRANT ALL PRIVILEGES ON *.* TO ?@'%' WITH GRANT OPTION", [ADMIN_USER]);

    // PostgreSQL: the warehouse DDL the local Postgres container runs at first start.
    const pg = await connectWarehouse(postgres);
    try {
        await pg.query(plan.warehouseDdl);
    } finally {
        await pg.end();
    }

    let connect: ConnectWorker;
    try {
        connect = await connecting;
    } catch (err) {
        await host.stop();
        await stopAll();
        throw new EnvironmentError((err as Error).message);
    }
    log(`connect ${connect.url}`);
    const watcher = await TopicWatcher.start(kafka.bootstrap, [...createdTopics]);
    const ctx: E2eContext = {
        dir,
        jars,
        kafka,
        connect,
        mariadb: mariadb!,
        postgres,
        plan,
        host,
        endpoints: { connectUrl: connect.url, kafkaBootstrap: kafka.bootstrap, mysqlHost: "127.0.0.1", mysqlPort: mariadb.port, postgresJdbcUrl: postgres.url },
        watcher,
        createdTopics,
        secrets,
        deployed: new Map(),
        committed: [],
        startJava: (spec) => startJava({ ...spec, dir }),
        moduleClasspath,
        log,
    };
    // The SQL bootstrap (databases, migrations, seed rows, CDC account and grants, signal tables).
    const urn = urnOf(plan.run, plan.bootstrap);
    const checked = await host.check(urn, {}, bootstrapProps(ctx));
    if (checked.failures.length) throw new Error(`bootstrap check failed: ${JSON.stringify(checked.failures)}`);
    const created = await host.create(urn, checked.inputs);
    ctx.deployed.set(plan.bootstrap.name, { urn, id: created.id, outs: created.outs, inputs: checked.inputs });
    log("SQL bootstrap applied through the provider host");
    return ctx;
}

export async function stopHarness(ctx: E2eContext | undefined, keepDir = false): Promise<void> {
    await ctx?.watcher.stop();
    await ctx?.host.stop().catch(() => undefined);
    await stopAll();
    await ctx?.mariadb.stop();
    if (ctx && !keepDir) fs.rmSync(ctx.dir, { recursive: true, force: true });
    else if (ctx) process.stderr.write(`e2e: logs kept in ${path.join(ctx.dir)}\n`);
}
