// Stack config -> one typed, validated PlatformConfig. Every check runs before any resource
// is registered, and every error names the config key and what is allowed.
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { allowReplayProblems, crossFieldProblems } from "./checks";
import { monitoringSchema, resolveMonitoringConfig } from "./monitoring";
import {
    ALLOW_REPLAY_ENV,
    PROJECT_NAMESPACE,
    PlatformConfig,
    SECRET_CONFIG_KEYS,
    TARGETS,
    TIERS,
    Target,
    cdcSchema,
    schemaRegistrySchema,
    streamsSchema,
    confluentSchema,
    ksqldbSchema,
    lakeSchema,
    mysqlSchema,
    topicsSchema,
    warehouseSchema,
} from "./schema";
import { TIER_DEFAULTS, withDefaults } from "./tiers";

/** Config values as the engine hands them over: every value a string, objects as JSON. */
export interface RawConfig {
    project: string;
    stack: string;
    /** Full keys (`namespace:key`) to string values. */
    values: Record<string, string>;
    /** Full keys whose values are Pulumi secrets. */
    secretKeys: ReadonlySet<string>;
    /** Per-deploy settings from the environment of the run (ALLOW_REPLAY_ENV). */
    env?: Record<string, string | undefined>;
}

export class ConfigError extends Error {
    constructor(readonly problems: string[], stack: string) {
        super(`Invalid config for stack "${stack}":\n${problems.map((p) => `  - ${p}`).join("\n")}`);
        this.name = "ConfigError";
    }
}

const KNOWN_KEYS = [
    "target",
    "tier",
    "mysql",
    "confluent",
    "topics",
    "cdc",
    "ksqldb",
    "lake",
    "warehouse",
    "monitoring",
    "alertWebhookUrl",
    "cdcTruststore",
    "cdcTruststorePassword",
    "schemaRegistry",
    "streams",
] as const;

function key(name: string): string {
    return `${PROJECT_NAMESPACE}:${name}`;
}

/** Parses a structured config value, or records why it cannot be read. */
function readObject(raw: RawConfig, name: string, problems: string[]): unknown {
    const value = raw.values[key(name)];
    if (value === undefined) return {};
    try {
        return JSON.parse(value);
    } catch {
        problems.push(`${key(name)}: must be an object (got "${value}")`);
        return undefined;
    }
}

function zodProblems(name: string, error: z.ZodError): string[] {
    return error.issues.map((issue) => {
        const where = [name, ...issue.path.map(String)].join(".");
        if (issue.code === "unrecognized_keys") {
            return `${PROJECT_NAMESPACE}:${where}: unknown key(s) ${issue.keys.join(", ")}`;
        }
        return `${PROJECT_NAMESPACE}:${where}: ${issue.message}`;
    });
}

function parseSection<T extends z.ZodType>(raw: RawConfig, name: string, schema: T, problems: string[]): z.infer<T> {
    const value = readObject(raw, name, problems);
    if (value === undefined) return {} as z.infer<T>;
    const result = schema.safeParse(value);
    if (!result.success) {
        problems.push(...zodProblems(name, result.error));
        return {} as z.infer<T>;
    }
    return result.data;
}

function pickEnum<T extends string>(
    raw: RawConfig,
    name: string,
    allowed: readonly T[],
    fallback: T | undefined,
    problems: string[],
): T {
    const value = raw.values[key(name)];
    if (value === undefined) {
        if (fallback === undefined) problems.push(`${key(name)}: is required; one of ${allowed.join(", ")}`);
        return fallback as T;
    }
    if (!(allowed as readonly string[]).includes(value)) {
        problems.push(`${key(name)}: must be one of ${allowed.join(", ")} (got "${value}")`);
    }
    return value as T;
}

/** Pure: validates raw stack config and fills tier defaults. Throws ConfigError listing every problem. */
export function parsePlatformConfig(raw: RawConfig): PlatformConfig {
    const problems: string[] = [];

    for (const fullKey of Object.keys(raw.values)) {
        const [namespace, name] = fullKey.split(":");
        if (namespace === PROJECT_NAMESPACE && !(KNOWN_KEYS as readonly string[]).includes(name)) {
            problems.push(`${fullKey}: unknown key; known keys are ${KNOWN_KEYS.join(", ")}`);
        }
    }
    for (const secretKey of SECRET_CONFIG_KEYS) {
        if (raw.values[secretKey] !== undefined && !raw.secretKeys.has(secretKey)) {
            problems.push(`${secretKey}: must be a secret; set it with \`pulumi config set --secret ${secretKey} ...\``);
        }
    }

    const target = pickEnum(raw, "target", TARGETS, undefined, problems);
    const tier = pickEnum(raw, "tier", TIERS, "dev", problems);
    const prod = tier === "prod";
    const mysql = parseSection(raw, "mysql", mysqlSchema, problems);
    const confluent = parseSection(raw, "confluent", confluentSchema, problems);
    const topics = parseSection(raw, "topics", topicsSchema, problems);
    const cdc = parseSection(raw, "cdc", cdcSchema, problems);
    const lake = parseSection(raw, "lake", lakeSchema, problems);
    const warehouse = parseSection(raw, "warehouse", warehouseSchema, problems);
    const snowflakeAccount = snowflakeAccountConfig(raw, target, problems);
    const problemsBeforeMonitoring = problems.length;
    const monitoringSection = parseSection(raw, "monitoring", monitoringSchema, problems);
    const monitoring = resolveMonitoringConfig(monitoringSection, {
        tier,
        target,
        webhookUrlSet: raw.values[key("alertWebhookUrl")] !== undefined,
        webhookUrlKey: key("alertWebhookUrl"),
    });
    // Cross-field checks only make sense on a section that parsed.
    if (problems.length === problemsBeforeMonitoring) {
        problems.push(...monitoring.problems.map((p) => `${PROJECT_NAMESPACE}:${p}`));
    }
    const ksqldb = parseSection(raw, "ksqldb", ksqldbSchema, problems);
    const schemaRegistry = parseSection(raw, "schemaRegistry", schemaRegistrySchema, problems);
    const streams = parseSection(raw, "streams", streamsSchema, problems);

    const region = raw.values["aws:region"] ?? "";
    if (target === "cloud" && !region) {
        problems.push("aws:region: is required for target cloud (e.g. `pulumi config set aws:region eu-central-1`)");
    } else if (region && !/^[a-z]{2}(-gov)?-[a-z]+-\d$/.test(region)) {
        problems.push(`aws:region: must be an AWS region such as eu-central-1 (got "${region}")`);
    }

    // An unknown tier is already a recorded problem; resolve the rest with dev defaults to report more.
    const defaults = TIER_DEFAULTS[prod ? "prod" : "dev"];
    const { auditLockDays, auditLockYears, ...lakeRest } = lake;
    const resolved: PlatformConfig = {
        project: raw.project,
        stack: raw.stack,
        target,
        tier,
        namePrefix: `lifesci-${raw.stack}`,
        protect: prod,
        region,
        mysql: withDefaults(defaults.mysql, mysql),
        confluent: withDedicatedCku({ cloud: "AWS", region, ...withDefaults(defaults.confluent, confluent) }),
        topics: withDefaults(defaults.topics, topics),
        cdc: withDefaults(defaults.cdc, cdc),
        lake: {
            ...withDefaults(defaults.lake, lakeRest),
            // The tier's lock period only when neither unit is given, so a stack sets one unit explicitly.
            ...(auditLockDays === undefined && auditLockYears === undefined
                ? { auditLockDays: defaults.lake.auditLockDays, auditLockYears: defaults.lake.auditLockYears }
                : { auditLockDays, auditLockYears }),
        },
        warehouse: { ...snowflakeAccount, region: warehouse.region, ...withDefaults(defaults.warehouse, warehouse) },
        monitoring: monitoring.config,
        ksqldb: withDefaults(defaults.ksqldb, ksqldb),
        schemaRegistry: withDefaults(defaults.schemaRegistry, schemaRegistry),
        streams: withDefaults(defaults.streams, streams),
    };

    problems.push(...crossFieldProblems(resolved), ...allowReplayProblems(resolved, raw.env ?? {}));
    if (problems.length > 0) throw new ConfigError(problems, raw.stack);
    return resolved;
}

const SNOWFLAKE_IDENTIFIER = /^[A-Za-z][A-Za-z0-9_]{0,254}$/;

/** The Snowflake account lives in the provider's own namespace (`snowflake:`), as plain config. */
function snowflakeAccountConfig(raw: RawConfig, target: Target, problems: string[]): { organizationName: string; accountName: string } {
    const read = (name: string): string => {
        const fullKey = `snowflake:${name}`;
        const value = raw.values[fullKey];
        if (value === undefined) {
            if (target === "cloud") {
                problems.push(`${fullKey}: is required for target cloud (e.g. \`pulumi config set ${fullKey} <${name}>\`)`);
            }
            return "";
        }
        if (!SNOWFLAKE_IDENTIFIER.test(value)) {
            problems.push(`${fullKey}: must be a Snowflake identifier (letters, digits, _; got "${value}")`);
        }
        return value;
    };
    return { organizationName: read("organizationName"), accountName: read("accountName") };
}

/** The Snowflake region id of an AWS region: eu-central-1 -> AWS_EU_CENTRAL_1. */
export function snowflakeRegionOf(awsRegion: string): string {
    return `AWS_${awsRegion.toUpperCase().replace(/-/g, "_")}`;
}

// `isConfigSecret` is exported by the SDK's runtime but missing from its typings.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const runtimeConfig = require("@pulumi/pulumi/runtime/config") as { isConfigSecret(key: string): boolean };

/** A dedicated cluster without `cku` gets the smallest size a MULTI_ZONE dedicated cluster allows. */
function withDedicatedCku<C extends { clusterType: string; cku?: number }>(c: C): C {
    return c.clusterType === "dedicated" && c.cku === undefined ? { ...c, cku: 2 } : c;
}

/** Reads the running stack's config from the engine and validates it. */
export function loadPlatformConfig(): PlatformConfig {
    const values = pulumi.runtime.allConfig();
    const secretKeys = new Set(Object.keys(values).filter((k) => runtimeConfig.isConfigSecret(k)));
    return parsePlatformConfig({
        project: pulumi.getProject(),
        stack: pulumi.getStack(),
        values,
        secretKeys,
        env: { [ALLOW_REPLAY_ENV]: process.env[ALLOW_REPLAY_ENV] },
    });
}
