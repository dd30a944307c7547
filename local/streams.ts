// Local Kafka Streams apps, the counterpart of components/streams: each catalog app as a container
// built from the same Dockerfile the cloud image is built from, with the environment the catalog
// builds for it (PLAINTEXT to the local broker, the local CDC topics' value format), health checked
// on its /health endpoint and waited for.
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { STREAMS_APPS, STREAMS_DEFAULTS, StreamsApp, StreamsAppName, streamsAppEnvironment, streamsHealthProbeShell } from "../components/catalog";
import { StreamsConfig } from "../components/config";
import { buildContextOf } from "../components/streams";
import { LocalKafka, localCdcValueFormat } from "./connectorMapping";
import { HOSTS, asEnv } from "./settings";
import { LocalScope, childOptions, dataVolume, loopback, service } from "./docker";
import { LOCAL_PORTS } from "./versions";

/** The container (host) name and published health port of each app: a new catalog app must add its own. */
export const LOCAL_STREAMS: Record<StreamsAppName, { host: keyof typeof HOSTS; healthPort: number }> = {
    batch_release: { host: "batchRelease", healthPort: LOCAL_PORTS.batchReleaseHealth },
};

/** Where the local Prometheus scrapes each app's GET /metrics: its container on the stack's network, its HEALTH_PORT. */
export function localStreamsMetricsTargets(): string[] {
    return STREAMS_APPS.map((app) => `${HOSTS[LOCAL_STREAMS[app.name].host]}:${STREAMS_DEFAULTS.healthPort}`);
}

/** The app's environment in the local stack: no credentials (PLAINTEXT, local Schema Registry without auth). */
export function localStreamsEnvironment(app: StreamsApp, basePrefix: string, kafka: LocalKafka, cfg: StreamsConfig): Record<string, string> {
    const { environment, secretEnv } = streamsAppEnvironment(app, {
        basePrefix,
        bootstrapServers: kafka.bootstrapServers,
        securityProtocol: "PLAINTEXT",
        valueFormat: localCdcValueFormat(kafka),
        schemaRegistryUrl: kafka.schemaRegistryUrl,
        // One broker.
        replicationFactor: 1,
        overdueAfter: cfg.overdueAfter,
        overdueCheckInterval: cfg.overdueCheckInterval,
    });
    if (secretEnv.length > 0) throw new Error(`local Kafka Streams app ${app.name}: the local stack has no credentials for ${secretEnv.join(", ")}`);
    return environment;
}

export interface LocalStreamsAppsArgs extends LocalScope {
    basePrefix: string;
    kafka: LocalKafka;
    config: StreamsConfig;
    /** The broker, the topic creation and the local Schema Registry: the app's inputs and outputs exist first. */
    dependsOn: pulumi.Resource[];
    formerParent?: pulumi.Resource;
}

export class LocalStreamsApps extends pulumi.ComponentResource {
    readonly images = new Map<StreamsAppName, docker.Image>();
    readonly containers = new Map<StreamsAppName, docker.Container>();
    /** Health endpoints as seen from the laptop. */
    readonly healthUrls: Record<string, string> = {};

    constructor(name: string, args: LocalStreamsAppsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("lifesci:local:LocalStreamsApps", name, {}, opts);
        const child = childOptions(this, args.formerParent);
        for (const app of STREAMS_APPS) {
            const { host, healthPort } = LOCAL_STREAMS[app.name];
            const { context, dockerfile } = buildContextOf(app);
            const image = new docker.Image(
                `${args.base}-${HOSTS[host]}-image`,
                { imageName: `${args.prefix}-${HOSTS[host]}:local`, build: { context, dockerfile }, skipPush: true },
                child,
            );
            const environment = localStreamsEnvironment(app, args.basePrefix, args.kafka, args.config);
            const container = service(args, child, host, {
                image: image.imageName,
                envs: asEnv(environment),
                ports: [[Number(environment.HEALTH_PORT), healthPort]],
                volumes: [{ volume: dataVolume(args, child, HOSTS[host]), path: environment.STATE_DIR }],
                healthcheck: streamsHealthProbeShell(Number(environment.HEALTH_PORT)),
                // State restore from the changelogs before RUNNING.
                startPeriod: "120s",
                dependsOn: args.dependsOn,
            });
            this.images.set(app.name, image);
            this.containers.set(app.name, container);
            this.healthUrls[app.name] = `${loopback(healthPort)}/health`;
        }
        this.registerOutputs({ healthUrls: this.healthUrls });
    }
}
