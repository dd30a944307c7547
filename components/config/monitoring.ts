// The `lifesci-streaming:monitoring` config section: Grafana stack, scrape interval, alert
// thresholds (tier defaults), operating hours and the contact point. Pure: config.ts parses the
// section with this schema and calls resolveMonitoringConfig; problems come back as
// `monitoring.<path>: <message>` and config.ts prefixes the namespace.
import { z } from "zod";

export const CONTACT_TYPES = ["email", "webhook"] as const;
/** Grafana Cloud's Metrics Endpoint integration scrapes every 30, 60 or 120 seconds. */
export const SCRAPE_INTERVALS = [30, 60, 120] as const;

const wholeNumber = (what: string) =>
    z.number({ error: `must be a number (${what})` }).int({ message: `must be a whole number (${what})` });
const minutes = wholeNumber("minutes").min(1, { message: "must be at least 1 minute" }).max(1440, { message: "must be at most 1440 (a day)" });
const count = wholeNumber("records").min(0, { message: "must be 0 or more" });

const thresholdsSchema = z.strictObject({
    consumerLagRecords: wholeNumber("records").min(1, { message: "must be at least 1" }).optional(),
    consumerLagMinutes: minutes.optional(),
    connectorDownMinutes: minutes.optional(),
    dlqRecords: count.optional(),
    dlqWindowMinutes: minutes.optional(),
    cdcSilenceMinutes: minutes.optional(),
    labOosRecords: count.optional(),
    machineAlarmRecords: count.optional(),
    eventWindowMinutes: minutes.optional(),
    rdsFreeStorageGb: wholeNumber("GiB").min(1, { message: "must be at least 1 GiB" }).optional(),
    rdsBinlogDiskUsageGb: wholeNumber("GiB").min(1, { message: "must be at least 1 GiB" }).optional(),
});

export const monitoringSchema = z.strictObject({
    enabled: z.boolean().optional(),
    grafanaStackSlug: z
        .string()
        .regex(/^[a-z][a-z0-9]{1,28}$/, { message: "must be a Grafana Cloud stack slug: lower case letters and digits, starting with a letter" })
        .optional(),
    scrapeIntervalSeconds: z
        .literal(SCRAPE_INTERVALS, { error: `must be one of ${SCRAPE_INTERVALS.join(", ")} (Grafana Cloud Metrics Endpoint)` })
        .optional(),
    thresholds: thresholdsSchema.optional(),
    operatingHours: z
        .strictObject({
            startHourUtc: wholeNumber("hour").min(0, { message: "must be 0..23" }).max(23, { message: "must be 0..23" }).optional(),
            endHourUtc: wholeNumber("hour").min(1, { message: "must be 1..24" }).max(24, { message: "must be 1..24" }).optional(),
            weekdaysOnly: z.boolean().optional(),
        })
        .optional(),
    contact: z
        .strictObject({
            type: z.enum(CONTACT_TYPES, { error: `must be one of ${CONTACT_TYPES.join(", ")}` }),
            emails: z.array(z.email({ message: "must be an email address" })).optional(),
        })
        .optional(),
});

export type MonitoringSection = z.infer<typeof monitoringSchema>;

export interface AlertThresholds {
    /** Consumer lag (records, max over a group's partitions of one topic) that pages... */
    consumerLagRecords: number;
    /** ...when it lasts this long. */
    consumerLagMinutes: number;
    /** A connector (or a sink task) not RUNNING for this long. */
    connectorDownMinutes: number;
    /** More than this many records reach a dead-letter queue within dlqWindowMinutes. */
    dlqRecords: number;
    dlqWindowMinutes: number;
    /** No CDC record from a domain for this long, during operating hours. */
    cdcSilenceMinutes: number;
    /** More than this many out-of-spec lab results within eventWindowMinutes. */
    labOosRecords: number;
    /** More than this many machine alarms within eventWindowMinutes. */
    machineAlarmRecords: number;
    eventWindowMinutes: number;
    /** RDS free storage below this. */
    rdsFreeStorageGb: number;
    /** RDS binlog files above this. */
    rdsBinlogDiskUsageGb: number;
}

export interface OperatingHours {
    /** Hours in UTC: PromQL's hour() and day_of_week() evaluate in UTC. */
    startHourUtc: number;
    endHourUtc: number;
    weekdaysOnly: boolean;
}

export interface MonitoringConfig {
    enabled: boolean;
    grafanaStackSlug?: string;
    scrapeIntervalSeconds: (typeof SCRAPE_INTERVALS)[number];
    thresholds: AlertThresholds;
    operatingHours: OperatingHours;
    contact: { type: "email"; emails: string[] } | { type: "webhook" };
}

/** Tier defaults: prod pages sooner and on smaller deviations than dev. */
export const DEFAULT_THRESHOLDS: Record<"dev" | "prod", AlertThresholds> = {
    dev: {
        consumerLagRecords: 10_000,
        consumerLagMinutes: 15,
        connectorDownMinutes: 10,
        dlqRecords: 10,
        dlqWindowMinutes: 15,
        cdcSilenceMinutes: 60,
        labOosRecords: 0,
        machineAlarmRecords: 20,
        eventWindowMinutes: 15,
        rdsFreeStorageGb: 5,
        rdsBinlogDiskUsageGb: 10,
    },
    prod: {
        consumerLagRecords: 1_000,
        consumerLagMinutes: 5,
        connectorDownMinutes: 3,
        dlqRecords: 0,
        dlqWindowMinutes: 10,
        cdcSilenceMinutes: 15,
        labOosRecords: 0,
        machineAlarmRecords: 5,
        eventWindowMinutes: 15,
        rdsFreeStorageGb: 20,
        rdsBinlogDiskUsageGb: 50,
    },
};

const DEFAULT_HOURS: Record<"dev" | "prod", OperatingHours> = {
    dev: { startHourUtc: 6, endHourUtc: 18, weekdaysOnly: true },
    prod: { startHourUtc: 4, endHourUtc: 22, weekdaysOnly: false },
};

export interface MonitoringContext {
    tier: "dev" | "prod";
    target: "cloud" | "local";
    /** Whether the secret webhook URL key is set. */
    webhookUrlSet: boolean;
    /** Full name of the webhook URL key, for messages. */
    webhookUrlKey: string;
}

/** Fills tier defaults and checks rules that span fields. Problems are `monitoring.<path>: ...`. */
export function resolveMonitoringConfig(section: MonitoringSection, ctx: MonitoringContext): { config: MonitoringConfig; problems: string[] } {
    const problems: string[] = [];
    const enabled = section.enabled ?? true;
    const thresholds = { ...DEFAULT_THRESHOLDS[ctx.tier], ...section.thresholds };
    const operatingHours = { ...DEFAULT_HOURS[ctx.tier], ...section.operatingHours };
    const contactType = section.contact?.type ?? "email";
    const emails = section.contact?.emails ?? [];

    if (operatingHours.endHourUtc <= operatingHours.startHourUtc) {
        problems.push(
            `monitoring.operatingHours.endHourUtc: must be after startHourUtc (${operatingHours.startHourUtc}), got ${operatingHours.endHourUtc}`,
        );
    }
    if (enabled && ctx.target === "cloud" && !section.grafanaStackSlug) {
        problems.push("monitoring.grafanaStackSlug: is required for target cloud (the Grafana Cloud stack that scrapes and alerts), or set monitoring.enabled false");
    }
    if (enabled && contactType === "email" && emails.length === 0) {
        problems.push("monitoring.contact.emails: list at least one address for contact type email");
    }
    if (contactType === "webhook" && emails.length > 0) {
        problems.push("monitoring.contact.emails: only applies to contact type email");
    }
    if (enabled && contactType === "webhook" && !ctx.webhookUrlSet) {
        problems.push(
            `monitoring.contact.type: webhook needs the URL as a secret: \`pulumi config set --secret ${ctx.webhookUrlKey} https://...\``,
        );
    }
    if (thresholds.eventWindowMinutes < 5) {
        problems.push("monitoring.thresholds.eventWindowMinutes: must be at least 5 (Confluent exports one data point per minute)");
    }

    return {
        config: {
            enabled,
            grafanaStackSlug: section.grafanaStackSlug,
            scrapeIntervalSeconds: section.scrapeIntervalSeconds ?? 60,
            thresholds,
            operatingHours,
            contact: contactType === "email" ? { type: "email", emails } : { type: "webhook" },
        },
        problems,
    };
}
