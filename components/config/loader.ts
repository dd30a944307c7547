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
    Tier,
    cdcSchema,
    schemaRegistrySchema,
    streamsSchema,
    networkSchema,
    confluentSchema,
    ksqldbSchema,
    lakeSchema,
    mysqlSchema,
    topicsSchema,
    warehouseSchema,
} from "./schema";
import { closest } from "./suggest";
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
    "network",
    "tierOverride",
] as const;

/**
 * Namespaces of the providers the program configures. A key in a namespace that is a slip of one
 * of these or of ours (`lifesci-streamin:tier`) would be ignored by everything: it is an error.
 */
const KNOWN_NAMESPACES = [PROJECT_NAMESPACE, "aws", "confluentcloud", "snowflake", "grafana", "docker", "random", "tls", "pulumi"] as const;

/**
 * The tier a stack's name promises: `prod`, `production`, `prd` as a name or a `-`/`_`/`.`
 * separated part of it (`prod`, `eu-prod`) mean prod. undefined: the name promises nothing.
 */
export function tierOfStackName(stack: string): Tier | undefined {
    return stack.toLowerCase().split(/[-_.]/).some((part) => ["prod", "production", "prd"].includes(part)) ? "prod" : undefined;
}

/** AWS regions, as the provider's schema lists them (`aws.Region`); a region outside it is a typo. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const AWS_REGIONS: readonly string[] = Object.values((require("@pulumi/aws/types/enums") as { Region: Record<string, string> }).Region);

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

/** The sub-schema at `path` (objects, arrays, records; optional and refined wrappers unwrapped). */
function schemaAt(schema: z.ZodType, path: readonly PropertyKey[]): z.ZodType | undefined {
    let current: any = schema;
    for (let i = 0; ; i++) {
        const def = current?._zod?.def;
        if (!def) return undefined;
        if (["optional", "nullable", "default", "prefault", "readonly", "catch"].includes(def.type)) {
            current = def.innerType;
            i--;
            continue;
        }
        if (def.type === "pipe") {
            current = def.in;
            i--;
            continue;
        }
        if (i === path.length) return current;
        const segment = path[i];
        if (def.type === "object") current = def.shape[String(segment)];
        else if (def.type === "array") current = def.element;
        else if (def.type === "record") current = def.valueType;
        else return undefined;
    }
}

/** The keys an object schema knows. */
function knownKeysOf(schema: z.ZodType | undefined): string[] {
    const def = (schema as any)?._zod?.def;
    return def?.type === "object" ? Object.keys(def.shape) : [];
}

/**
 * YAML reads unquoted `8.0` as the number 8 and `yes` as true; where a string is expected the
 * message says to quote it, showing the value the user most likely wrote.
 */
function quoteHint(issue: z.core.$ZodIssue, field: string): string | undefined {
    const input = (issue as { input?: unknown }).input;
    if (typeof input !== "number" && typeof input !== "boolean") return undefined;
    let options: string[] = [];
    if (issue.code === "invalid_value") {
        options = issue.values.filter((v): v is string => typeof v === "string");
        if (options.length === 0) return undefined;
    } else if (!(issue.code === "invalid_type" && issue.expected === "string")) {
        return undefined;
    }
    const written = typeof input === "number" && Number.isInteger(input) && options.includes(input.toFixed(1)) ? input.toFixed(1) : String(input);
    const allowed = options.length > 0 ? `one of ${options.map((o) => `"${o}"`).join(", ")}` : "a string";
    return `must be ${allowed}, but YAML read the unquoted ${written} as the ${typeof input} ${JSON.stringify(input)}: quote it (${field}: "${written}")`;
}

function zodProblems(name: string, error: z.ZodError, schema: z.ZodType): string[] {
    return error.issues.map((issue) => {
        const where = [name, ...issue.path.map(String)].join(".");
        if (issue.code === "unrecognized_keys") {
            const known = knownKeysOf(schemaAt(schema, issue.path));
            const guesses = issue.keys.map((k) => closest(k, known)).filter((g): g is string => g !== undefined);
            const guess = guesses.length > 0 ? ` (did you mean ${guesses.join(", ")}?)` : "";
            return `${PROJECT_NAMESPACE}:${where}: unknown key(s) ${issue.keys.join(", ")}${guess}; known keys are ${known.join(", ")}`;
        }
        const field = String(issue.path[issue.path.length - 1] ?? name);
        return `${PROJECT_NAMESPACE}:${where}: ${quoteHint(issue, field) ?? issue.message}`;
    });
}

function parseSection<T extends z.ZodType>(raw: RawConfig, name: string, schema: T, problems: string[]): z.infer<T> {
    const value = readObject(raw, name, problems);
    if (value === undefined) return {} as z.infer<T>;
    const result = schema.safeParse(value, { reportInput: true });
    if (!result.success) {
        problems.push(...zodProblems(name, result.error, schema));
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
            const guess = closest(name, KNOWN_KEYS);
            problems.push(`${fullKey}: unknown key${guess ? ` (did you mean ${key(guess)}?)` : ""}; known keys are ${KNOWN_KEYS.join(", ")}`);
        } else if (name !== undefined && !(KNOWN_NAMESPACES as readonly string[]).includes(namespace)) {
            const guess = closest(namespace, KNOWN_NAMESPACES);
            if (guess) problems.push(`${fullKey}: unknown namespace "${namespace}"; did you mean ${guess}:${name}? (a key nobody reads is ignored)`);
        }
    }
    for (const secretKey of SECRET_CONFIG_KEYS) {
        if (raw.values[secretKey] !== undefined && !raw.secretKeys.has(secretKey)) {
            problems.push(`${secretKey}: must be a secret; set it with \`pulumi config set --secret ${secretKey} ...\``);
        }
    }

    const target = pickEnum(raw, "target", TARGETS, undefined, problems);
    // No default: a missing tier must not quietly give a stack dev safeguards.
    const tier = pickEnum(raw, "tier", TIERS, undefined, problems);
    problems.push(...tierRoleProblems(raw, tier));
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
    const network = parseSection(raw, "network", networkSchema, problems);

    const region = raw.values["aws:region"] ?? "";
    const regionProblem = regionProblemOf(region, target);
    if (regionProblem) problems.push(regionProblem);

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
        network: withDefaults(defaults.network, network),
    };

    // Rules across keys judge the resolved config: where a key they read was already refused (a
    // section that did not parse and got defaults, a region that is not one), they would only
    // blame a neighbour for it.
    const refused = problems.map((p) => p.split(/[:.]/).slice(0, 2).join(":"));
    const crossField = [...crossFieldProblems(resolved), ...allowReplayProblems(resolved, raw.env ?? {})].filter(
        (p) => !refused.includes(p.split(/[:.]/).slice(0, 2).join(":")) && !(regionProblem && /region/.test(p)),
    );
    problems.push(...crossField);
    if (problems.length > 0) throw new ConfigError(problems, raw.stack);
    return resolved;
}

/** Why `aws:region` cannot be used, naming it; undefined when it can. */
function regionProblemOf(region: string, target: Target): string | undefined {
    if (target === "cloud" && !region) return "aws:region: is required for target cloud (e.g. `pulumi config set aws:region eu-central-1`)";
    if (!region || AWS_REGIONS.includes(region)) return undefined;
    const guess = closest(region, AWS_REGIONS);
    return `aws:region: "${region}" is not an AWS region${guess ? ` (did you mean ${guess}?)` : ""}; e.g. eu-central-1, us-east-1`;
}

/**
 * The tier must match what the stack's name promises: a stack named prod runs with prod
 * safeguards unless `tierOverride` says, in words, why this one does not.
 */
function tierRoleProblems(raw: RawConfig, tier: Tier | undefined): string[] {
    const override = raw.values[key("tierOverride")];
    const promised = tierOfStackName(raw.stack);
    const mismatch = tier !== undefined && (TIERS as readonly string[]).includes(tier) && promised !== undefined && promised !== tier;
    if (override !== undefined) {
        if (!mismatch) {
            return [`${key("tierOverride")}: only for a stack whose name says ${promised ?? "nothing about its tier"} but runs tier ${tier}; remove it`];
        }
        if (override.trim().length < 10) {
            return [`${key("tierOverride")}: say why stack "${raw.stack}" runs tier ${tier} (at least 10 characters; got "${override}")`];
        }
        return [];
    }
    if (!mismatch) return [];
    return [
        `${key("tier")}: stack "${raw.stack}" is named for tier ${promised} but sets tier ${tier}, which drops ${promised}'s safeguards ` +
            `(protection, backups, private network); set tier ${promised}, or state why with ` +
            `\`pulumi config set ${key("tierOverride")} "<reason>"\``,
    ];
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
