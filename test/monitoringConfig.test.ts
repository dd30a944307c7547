// The lifesci-streaming:monitoring section: tier defaults and every bad input named by its key.
import { strict as assert } from "assert";
import { ConfigError, DEFAULT_THRESHOLDS, parsePlatformConfig, RawConfig } from "../components/config";
import { readStackConfig } from "./support/harness";

const MONITORING = "lifesci-streaming:monitoring";

/** A stack file's config with the monitoring section replaced (or extra keys set). */
function withMonitoring(stack: "dev" | "prod", monitoring: unknown, extra: Record<string, string> = {}, secretKeys: string[] = []): RawConfig {
    const { values } = readStackConfig(stack);
    if (monitoring === undefined) delete values[MONITORING];
    else values[MONITORING] = JSON.stringify(monitoring);
    return { project: "lifesci-streaming", stack, values: { ...values, ...extra }, secretKeys: new Set(secretKeys) };
}

const base = { grafanaStackSlug: "lifescidev", contact: { type: "email", emails: ["ops@lifesci.example.com"] } };

function rejects(raw: RawConfig, expected: RegExp): void {
    assert.throws(
        () => parsePlatformConfig(raw),
        (err: Error) => err instanceof ConfigError && expected.test(err.message),
    );
}

describe("monitoring config", () => {
    it("stack files: dev and prod get their tier's thresholds and operating hours", () => {
        const dev = parsePlatformConfig(withMonitoring("dev", readStackConfigMonitoring("dev"))).monitoring;
        const prod = parsePlatformConfig(withMonitoring("prod", readStackConfigMonitoring("prod"))).monitoring;
        assert.deepEqual(dev.thresholds, DEFAULT_THRESHOLDS.dev);
        assert.deepEqual(prod.thresholds, DEFAULT_THRESHOLDS.prod);
        assert.equal(dev.grafanaStackSlug, "lifescidev");
        assert.deepEqual(prod.operatingHours, { startHourUtc: 4, endHourUtc: 22, weekdaysOnly: false });
    });

    it("a threshold set in config overrides the tier default, the rest stay", () => {
        const cfg = parsePlatformConfig(withMonitoring("prod", { ...base, thresholds: { consumerLagRecords: 250 } })).monitoring;
        assert.equal(cfg.thresholds.consumerLagRecords, 250);
        assert.equal(cfg.thresholds.connectorDownMinutes, DEFAULT_THRESHOLDS.prod.connectorDownMinutes);
    });

    it("cloud without a Grafana stack slug", () =>
        rejects(withMonitoring("dev", { contact: base.contact }), /lifesci-streaming:monitoring\.grafanaStackSlug: is required for target cloud/));

    it("monitoring switched off needs no slug", () => {
        assert.equal(parsePlatformConfig(withMonitoring("dev", { enabled: false })).monitoring.enabled, false);
    });

    it("a slug that is not a Grafana Cloud slug", () =>
        rejects(withMonitoring("dev", { ...base, grafanaStackSlug: "Lifesci-Dev" }), /lifesci-streaming:monitoring\.grafanaStackSlug: must be a Grafana Cloud stack slug/));

    it("a scrape interval Grafana Cloud does not offer", () =>
        rejects(withMonitoring("dev", { ...base, scrapeIntervalSeconds: 15 }), /lifesci-streaming:monitoring\.scrapeIntervalSeconds: must be one of 30, 60, 120/));

    it("a misspelt threshold", () =>
        rejects(withMonitoring("dev", { ...base, thresholds: { consumerLag: 5 } }), /lifesci-streaming:monitoring\.thresholds: unknown key\(s\) consumerLag/));

    it("a negative threshold", () =>
        rejects(withMonitoring("dev", { ...base, thresholds: { dlqRecords: -1 } }), /lifesci-streaming:monitoring\.thresholds\.dlqRecords: must be 0 or more/));

    it("operating hours that end before they start", () =>
        rejects(
            withMonitoring("dev", { ...base, operatingHours: { startHourUtc: 18, endHourUtc: 6 } }),
            /lifesci-streaming:monitoring\.operatingHours\.endHourUtc: must be after startHourUtc \(18\), got 6/,
        ));

    it("an hour out of range", () =>
        rejects(withMonitoring("dev", { ...base, operatingHours: { startHourUtc: 25 } }), /lifesci-streaming:monitoring\.operatingHours\.startHourUtc: must be 0\.\.23/));

    it("email contact without addresses, and an address that is not one", () => {
        rejects(withMonitoring("dev", { ...base, contact: { type: "email" } }), /lifesci-streaming:monitoring\.contact\.emails: list at least one address/);
        rejects(withMonitoring("dev", { ...base, contact: { type: "email", emails: ["ops"] } }), /lifesci-streaming:monitoring\.contact\.emails\.0: must be an email address/);
    });

    it("an unknown contact type", () =>
        rejects(withMonitoring("dev", { ...base, contact: { type: "pager" } }), /lifesci-streaming:monitoring\.contact\.type: must be one of email, webhook/));

    it("webhook contact without the secret URL, or with the URL in plain text", () => {
        const webhook = { grafanaStackSlug: "lifescidev", contact: { type: "webhook" } };
        rejects(withMonitoring("dev", webhook), /monitoring\.contact\.type: webhook needs the URL as a secret: `pulumi config set --secret lifesci-streaming:alertWebhookUrl/);
        const url = { "lifesci-streaming:alertWebhookUrl": "https://hooks.example.com/x" };
        rejects(withMonitoring("dev", webhook, url), /lifesci-streaming:alertWebhookUrl: must be a secret/);
        const ok = parsePlatformConfig(withMonitoring("dev", webhook, url, ["lifesci-streaming:alertWebhookUrl"]));
        assert.deepEqual(ok.monitoring.contact, { type: "webhook" });
    });

    it("Grafana credentials in plain text", () => {
        for (const k of ["grafana:auth", "grafana:cloudAccessPolicyToken"]) {
            rejects(withMonitoring("dev", base, { [k]: "glsa_plain" }), new RegExp(`${k}: must be a secret; set it with \`pulumi config set --secret ${k}`));
            parsePlatformConfig(withMonitoring("dev", base, { [k]: "glsa_plain" }, [k]));
        }
    });
});

function readStackConfigMonitoring(stack: "dev" | "prod"): unknown {
    return JSON.parse(readStackConfig(stack).values[MONITORING]);
}
