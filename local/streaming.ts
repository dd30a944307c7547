// Local streaming, the counterpart of components/streaming: Kafka (KRaft), Schema Registry, every
// catalog topic created before any connector or app, and the Kafka Connect worker the local
// connectors run on (built from local/images/connect/).
import * as path from "path";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { allTopics } from "../components/catalog";
import { TopicsConfig } from "../components/config";
import { LocalScope, childOptions, dataVolume, loopback, oneShot, pinnedImage, service } from "./docker";
import { HOSTS, KAFKA_INTERNAL_BOOTSTRAP, SCHEMA_REGISTRY_INTERNAL_URL, asEnv, kafkaEnv, topicCreationScript } from "./settings";
import { CONNECT_IMAGE, CONNECT_PLUGINS, IMAGES, LOCAL_PORTS } from "./versions";

export const CONNECT_IMAGE_CONTEXT = path.join(__dirname, "images", "connect");

export interface LocalStreamingArgs extends LocalScope {
    basePrefix: string;
    topics: TopicsConfig;
    /** The platform: these resources' parent before the local tree mirrored the cloud one. */
    formerParent?: pulumi.Resource;
}

export class LocalStreaming extends pulumi.ComponentResource {
    readonly kafka: docker.Container;
    readonly schemaRegistry: docker.Container;
    readonly topicsInit: docker.Container;
    /** The topics topicsInit creates (every catalog topic); connectors may write only these. */
    readonly createdTopics: ReadonlySet<string>;
    readonly connectImage: docker.Image;
    readonly connect: docker.Container;
    readonly kafkaImage: docker.RemoteImage;
    /** The Connect REST endpoint, known only once the worker is healthy. */
    readonly connectEndpoint: pulumi.Output<string>;

    constructor(name: string, args: LocalStreamingArgs, opts?: pulumi.ComponentResourceOptions) {
        super("lifesci:local:LocalStreaming", name, {}, opts);
        const child = childOptions(this, args.formerParent);
        const { prefix } = args;

        this.kafkaImage = pinnedImage(args, child, "kafka");
        this.kafka = service(args, child, "kafka", {
            image: this.kafkaImage.imageId,
            envs: asEnv(kafkaEnv(LOCAL_PORTS.kafka)),
            ports: [[LOCAL_PORTS.kafka, LOCAL_PORTS.kafka]],
            volumes: [{ volume: dataVolume(args, child, "kafka"), path: "/var/lib/kafka/data" }],
            healthcheck: `kafka-broker-api-versions --bootstrap-server ${KAFKA_INTERNAL_BOOTSTRAP} >/dev/null 2>&1`,
        });
        this.schemaRegistry = service(args, child, "schemaRegistry", {
            image: pinnedImage(args, child, "schemaRegistry").imageId,
            envs: asEnv({
                SCHEMA_REGISTRY_HOST_NAME: HOSTS.schemaRegistry,
                SCHEMA_REGISTRY_LISTENERS: "http://0.0.0.0:8081",
                SCHEMA_REGISTRY_KAFKASTORE_BOOTSTRAP_SERVERS: `PLAINTEXT://${KAFKA_INTERNAL_BOOTSTRAP}`,
            }),
            ports: [[8081, LOCAL_PORTS.schemaRegistry]],
            healthcheck: "curl -fsS http://localhost:8081/subjects >/dev/null",
            dependsOn: [this.kafka],
        });

        // Every catalog topic, with partitions and retention from config, before any connector or app.
        this.createdTopics = new Set(allTopics(args.basePrefix).map((t) => t.name));
        this.topicsInit = oneShot(args, child, "topics-init", {
            image: this.kafkaImage.imageId,
            shell: "bash",
            script: topicCreationScript(args.basePrefix, args.topics),
            dependsOn: [this.kafka],
        });

        this.connectImage = new docker.Image(
            `${args.base}-connect-image`,
            {
                imageName: CONNECT_IMAGE,
                build: {
                    context: CONNECT_IMAGE_CONTEXT,
                    dockerfile: path.join(CONNECT_IMAGE_CONTEXT, "Dockerfile"),
                    args: { CONNECT_BASE_IMAGE: IMAGES.connectBase, ...CONNECT_PLUGINS },
                },
                skipPush: true,
            },
            child,
        );
        this.connect = service(args, child, "connect", {
            image: this.connectImage.imageName,
            envs: asEnv({
                CONNECT_BOOTSTRAP_SERVERS: KAFKA_INTERNAL_BOOTSTRAP,
                CONNECT_REST_ADVERTISED_HOST_NAME: HOSTS.connect,
                CONNECT_REST_PORT: "8083",
                CONNECT_GROUP_ID: `${prefix}-connect`,
                CONNECT_CONFIG_STORAGE_TOPIC: `_${prefix}-connect-configs`,
                CONNECT_OFFSET_STORAGE_TOPIC: `_${prefix}-connect-offsets`,
                CONNECT_STATUS_STORAGE_TOPIC: `_${prefix}-connect-status`,
                CONNECT_CONFIG_STORAGE_REPLICATION_FACTOR: "1",
                CONNECT_OFFSET_STORAGE_REPLICATION_FACTOR: "1",
                CONNECT_STATUS_STORAGE_REPLICATION_FACTOR: "1",
                CONNECT_KEY_CONVERTER: "io.confluent.connect.avro.AvroConverter",
                CONNECT_KEY_CONVERTER_SCHEMA_REGISTRY_URL: SCHEMA_REGISTRY_INTERNAL_URL,
                CONNECT_VALUE_CONVERTER: "io.confluent.connect.avro.AvroConverter",
                CONNECT_VALUE_CONVERTER_SCHEMA_REGISTRY_URL: SCHEMA_REGISTRY_INTERNAL_URL,
                CONNECT_PLUGIN_PATH: "/usr/share/java,/usr/share/confluent-hub-components",
            }),
            ports: [[8083, LOCAL_PORTS.connect]],
            healthcheck: "curl -fsS http://localhost:8083/connectors >/dev/null",
            startPeriod: "60s",
            dependsOn: [this.kafka, this.schemaRegistry],
        });
        this.connectEndpoint = this.connect.id.apply(() => loopback(LOCAL_PORTS.connect));
        this.registerOutputs({});
    }
}
