// Local monitoring, the counterpart of components/monitoring: a Kafka exporter and Prometheus in
// place of the Confluent metrics export, a local Grafana, and the same Monitoring component (the
// dashboards and alert rules of the catalog) aimed at it.
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as grafana from "@pulumiverse/grafana";
import { PlatformConfig } from "../components/config";
import { Monitoring } from "../components/monitoring";
import { MonitoredLocalConnector } from "./connectors";
import { LocalScope, childOptions, dataVolume, loopback, pinnedImage, service } from "./docker";
import { HOSTS, KAFKA_EXPORTER_PORT, KAFKA_INTERNAL_BOOTSTRAP, catalogTopicRegex, prometheusConfig } from "./settings";
import { LocalStreaming } from "./streaming";
import { localStreamsMetricsTargets } from "./streams";
import { LOCAL_PORTS } from "./versions";

export const GRAFANA_ADMIN = "admin";

export interface LocalMonitoringArgs extends LocalScope {
    config: PlatformConfig;
    streaming: LocalStreaming;
    grafanaPassword: pulumi.Output<string>;
    connectors: MonitoredLocalConnector[];
    formerParent?: pulumi.Resource;
}

export class LocalMonitoring extends pulumi.ComponentResource {
    readonly prometheus: docker.Container;
    readonly grafana: docker.Container;
    /** The catalog's dashboards and alert rules, when monitoring is enabled. */
    readonly monitoring?: Monitoring;

    constructor(name: string, args: LocalMonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
        super("lifesci:local:LocalMonitoring", name, {}, opts);
        const child = childOptions(this, args.formerParent);
        const cfg = args.config;
        const basePrefix = cfg.confluent.topicPrefix;

        const kafkaExporter = service(args, child, "kafkaExporter", {
            image: pinnedImage(args, child, "kafkaExporter").imageId,
            command: [`--kafka.server=${KAFKA_INTERNAL_BOOTSTRAP}`, `--topic.filter=^(${catalogTopicRegex(basePrefix)})$`, "--group.filter=.*"],
            healthcheck: `wget -qO- http://localhost:${KAFKA_EXPORTER_PORT}/metrics >/dev/null`,
            dependsOn: [args.streaming.kafka],
        });
        this.prometheus = service(args, child, "prometheus", {
            image: pinnedImage(args, child, "prometheus").imageId,
            ports: [[9090, LOCAL_PORTS.prometheus]],
            volumes: [{ volume: dataVolume(args, child, "prometheus"), path: "/prometheus" }],
            uploads: [{ file: "/etc/prometheus/prometheus.yml", content: prometheusConfig(basePrefix, 15, localStreamsMetricsTargets()) }],
            healthcheck: "wget -qO- http://localhost:9090/-/ready >/dev/null",
            dependsOn: [kafkaExporter, args.streaming.connect],
        });
        this.grafana = service(args, child, "grafana", {
            image: pinnedImage(args, child, "grafana").imageId,
            envs: [`GF_SECURITY_ADMIN_USER=${GRAFANA_ADMIN}`, pulumi.interpolate`GF_SECURITY_ADMIN_PASSWORD=${args.grafanaPassword}`, "GF_USERS_ALLOW_SIGN_UP=false"],
            ports: [[3000, LOCAL_PORTS.grafana]],
            volumes: [{ volume: dataVolume(args, child, "grafana"), path: "/var/lib/grafana" }],
            healthcheck: "wget -qO- http://localhost:3000/api/health >/dev/null",
            dependsOn: [this.prometheus],
        });

        if (cfg.monitoring.enabled) {
            const provider = new grafana.Provider(
                `${args.base}-grafana`,
                { url: this.grafana.id.apply(() => loopback(LOCAL_PORTS.grafana)), auth: pulumi.interpolate`${GRAFANA_ADMIN}:${args.grafanaPassword}` },
                child,
            );
            const dataSource = new grafana.oss.DataSource(
                `${args.base}-prometheus-datasource`,
                { type: "prometheus", name: "Prometheus (local)", uid: "local-prometheus", url: `http://${HOSTS.prometheus}:9090`, isDefault: true },
                { ...child, provider },
            );
            this.monitoring = new Monitoring(
                "monitoring",
                {
                    namePrefix: args.prefix,
                    provider,
                    dataSourceUid: dataSource.uid,
                    metricsSource: "local",
                    config: cfg.monitoring,
                    webhookUrl: new pulumi.Config().getSecret("alertWebhookUrl"),
                    estate: { basePrefix, connectors: args.connectors, ksqlClusterIds: [], rdsInstanceIds: [] },
                },
                child,
            );
        }
        this.registerOutputs({});
    }
}
