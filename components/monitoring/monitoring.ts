// Dashboards and alerting in one Grafana, whichever it is: the Grafana Cloud stack (cloud) or the
// local Grafana (local stack). The caller brings the provider, the Prometheus data source and
// the metrics source; everything else comes from the catalog, the estate and the config.
import * as pulumi from "@pulumi/pulumi";
import * as grafana from "@pulumiverse/grafana";
import { ALERT_INTENTS, AlertRule, MonitoredConnector, MonitoredEstate, PLATFORM_DOMAIN, SEVERITIES, Severity, alertRules } from "./alerts";
import { DOMAINS } from "../catalog";
import { buildDashboards, grafanaRuleStages } from "./dashboards";
import { MetricsSource } from "./metricsVocabulary";
import { MonitoringConfig } from "../config";

export interface MonitoredEstateInputs {
    basePrefix: string;
    kafkaClusterId?: pulumi.Input<string>;
    connectors: { name: string; id: pulumi.Input<string>; kind: MonitoredConnector["kind"]; domain?: MonitoredConnector["domain"] }[];
    ksqlClusterIds: pulumi.Input<string>[];
    rdsInstanceIds: pulumi.Input<string>[];
    s3Replications?: { sourceBucket: pulumi.Input<string>; destinationBucket: pulumi.Input<string>; ruleId: string }[];
    nlbTargetGroups?: { targetGroup: pulumi.Input<string>; loadBalancer: pulumi.Input<string> }[];
}

export interface MonitoringArgs {
    namePrefix: string;
    /** The Grafana to configure. */
    provider: pulumi.ProviderResource;
    /** UID of the Prometheus data source that holds the metrics. */
    dataSourceUid: pulumi.Input<string>;
    metricsSource: MetricsSource;
    config: MonitoringConfig;
    /** Secret webhook URL, required when config.contact.type is webhook. */
    webhookUrl?: pulumi.Input<string>;
    estate: MonitoredEstateInputs;
}

/** How often a severity repeats while firing. */
export const REPEAT_INTERVAL: Record<Severity, string> = { critical: "1h", warning: "4h", info: "12h" };

/** The whole notification tree: by severity, then by domain, all to the one contact point. */
export function notificationPolicyTree(contactPoint: pulumi.Input<string>): grafana.alerting.NotificationPolicyArgs {
    const domains = [...DOMAINS.map((d) => d.name as string), PLATFORM_DOMAIN];
    return {
        contactPoint,
        groupBies: ["grafana_folder", "alertname", "domain"],
        policies: SEVERITIES.map((severity) => ({
            matchers: [{ label: "severity", match: "=", value: severity }],
            contactPoint,
            groupWait: severity === "critical" ? "30s" : "2m",
            repeatInterval: REPEAT_INTERVAL[severity],
            policies: domains.map((domain) => ({
                matchers: [{ label: "domain", match: "=", value: domain }],
                contactPoint,
                groupBies: ["grafana_folder", "alertname", "domain"],
            })),
        })),
    };
}

/** Estate with placeholder ids: rule and dashboard counts depend only on names, never on ids. */
function estateShape(e: MonitoredEstateInputs): MonitoredEstate {
    return {
        basePrefix: e.basePrefix,
        kafkaClusterId: e.kafkaClusterId === undefined ? undefined : "lkc-shape",
        connectors: e.connectors.map((c) => ({ ...c, id: "lcc-shape" })),
        ksqlClusterIds: e.ksqlClusterIds.map((_, i) => `lksqlc-shape${i}`),
        rdsInstanceIds: e.rdsInstanceIds.map((_, i) => `rds-shape${i}`),
        s3Replications: (e.s3Replications ?? []).map((r, i) => ({ sourceBucket: `bucket-shape${i}`, destinationBucket: `bucket-shape${i}`, ruleId: r.ruleId })),
        nlbTargetGroups: (e.nlbTargetGroups ?? []).map((_, i) => ({ targetGroup: `targetgroup/shape${i}`, loadBalancer: `net/shape${i}` })),
    };
}

function resolveEstate(e: MonitoredEstateInputs): pulumi.Output<MonitoredEstate> {
    return pulumi
        .all([
            pulumi.output(e.kafkaClusterId),
            pulumi.all(e.connectors.map((c) => c.id)),
            pulumi.all(e.ksqlClusterIds),
            pulumi.all(e.rdsInstanceIds),
            pulumi.all((e.s3Replications ?? []).map((r) => pulumi.all([r.sourceBucket, r.destinationBucket]))),
            pulumi.all((e.nlbTargetGroups ?? []).map((n) => pulumi.all([n.targetGroup, n.loadBalancer]))),
        ])
        .apply(([kafkaClusterId, connectorIds, ksqlClusterIds, rdsInstanceIds, replicationBuckets, nlbs]) => ({
            basePrefix: e.basePrefix,
            kafkaClusterId,
            connectors: e.connectors.map((c, i) => ({ ...c, id: connectorIds[i] })),
            ksqlClusterIds,
            rdsInstanceIds,
            s3Replications: (e.s3Replications ?? []).map((r, i) => ({
                sourceBucket: replicationBuckets[i][0],
                destinationBucket: replicationBuckets[i][1],
                ruleId: r.ruleId,
            })),
            nlbTargetGroups: nlbs.map(([targetGroup, loadBalancer]) => ({ targetGroup, loadBalancer })),
        }));
}

function grafanaRule(rule: AlertRule, dataSourceUid: string): grafana.types.input.alerting.RuleGroupRule {
    return {
        name: rule.title,
        for: `${rule.forMinutes}m`,
        condition: "C",
        noDataState: rule.noData,
        execErrState: "Error",
        labels: rule.labels,
        annotations: rule.annotations,
        datas: grafanaRuleStages(rule, dataSourceUid),
    };
}

export class Monitoring extends pulumi.ComponentResource {
    readonly folder: grafana.oss.Folder;
    readonly dashboards: grafana.oss.Dashboard[];
    readonly ruleGroups: grafana.alerting.RuleGroup[];
    readonly contactPoint: grafana.alerting.ContactPoint;
    readonly notificationPolicy: grafana.alerting.NotificationPolicy;

    constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
        super("lifesci:monitoring:Monitoring", name, {}, opts);
        const { config, namePrefix, metricsSource } = args;
        const child = { parent: this, provider: args.provider };
        const estate = resolveEstate(args.estate);
        const shape = estateShape(args.estate);
        const dataSourceUid = pulumi.output(args.dataSourceUid);

        this.folder = new grafana.oss.Folder(`${name}-folder`, { title: `${namePrefix} streaming platform`, uid: `${namePrefix}-platform` }, child);

        const models = pulumi.all([estate, dataSourceUid]).apply(([e, uid]) => buildDashboards(metricsSource, e, namePrefix, uid));
        this.dashboards = buildDashboards(metricsSource, shape, namePrefix, "shape").map(
            (model, i) =>
                new grafana.oss.Dashboard(
                    `${name}-dashboard-${model.uid.slice(namePrefix.length + 1)}`,
                    { folder: this.folder.uid, configJson: models.apply((all) => JSON.stringify(all[i].json)) },
                    child,
                ),
        );

        const rules = pulumi
            .all([estate, dataSourceUid])
            .apply(([e, uid]) => alertRules(metricsSource, e, config.thresholds, config.operatingHours).map((r) => ({ rule: r, grafana: grafanaRule(r, uid) })));
        const shapeRules = alertRules(metricsSource, shape, config.thresholds, config.operatingHours);
        this.ruleGroups = ALERT_INTENTS.filter((intent) => shapeRules.some((r) => r.intent === intent.key)).map(
            (intent) =>
                new grafana.alerting.RuleGroup(
                    `${name}-rules-${intent.key}`,
                    {
                        name: intent.key,
                        folderUid: this.folder.uid,
                        intervalSeconds: 60,
                        rules: rules.apply((all) => all.filter((r) => r.rule.intent === intent.key).map((r) => r.grafana)),
                    },
                    child,
                ),
        );

        const contactName = `${namePrefix}-oncall`;
        if (config.contact.type === "webhook" && args.webhookUrl === undefined) {
            throw new Error(`monitoring contact type is webhook but no webhook URL was given (lifesci-streaming:alertWebhookUrl)`);
        }
        this.contactPoint = new grafana.alerting.ContactPoint(
            `${name}-contact`,
            config.contact.type === "email"
                ? { name: contactName, emails: [{ addresses: config.contact.emails, subject: `[${namePrefix}] {{ .CommonLabels.severity }}: {{ .CommonLabels.alertname }}` }] }
                : { name: contactName, webhooks: [{ url: pulumi.secret(args.webhookUrl!) }] },
            child,
        );

        // The notification policy is a singleton per Grafana org: it owns the whole tree.
        this.notificationPolicy = new grafana.alerting.NotificationPolicy(
            `${name}-notification-policy`,
            notificationPolicyTree(this.contactPoint.name),
            child,
        );

        this.registerOutputs({
            folderUid: this.folder.uid,
            dashboardUrls: this.dashboards.map((d) => d.url),
        });
    }
}
