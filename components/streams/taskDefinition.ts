// The ECS container definition of a Kafka Streams app, as a pure function of the catalog's
// environment (streamsAppEnvironment) and where its secret lives. Credentials go in `secrets`
// (ECS reads them from Secrets Manager when the task starts), never in `environment`.
//   Container definition parameters: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html
//   Secrets Manager in `secrets`, `valueFrom` = `<secret arn>:<json key>::`:
//     https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-secrets-manager.html
//   awslogs driver: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using_awslogs.html
//   Container health check: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_HealthCheck.html
//   Fargate task storage (bind mounts from ephemeral storage): https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-task-storage.html
import { StreamsEnvironment, streamsHealthProbe } from "../catalog";

/** The app answers `GET /health` with 200 while Kafka Streams is RUNNING, 503 otherwise. */
export function healthCheckCommand(port: number): string[] {
    return ["CMD", ...streamsHealthProbe(port)];
}

/**
 * Health check timing: RocksDB state restore from the changelog can take minutes on a fresh task,
 * hence the start period (the maximum ECS allows, 300 s) before failures count.
 */
export const HEALTH_CHECK_TIMING = { interval: 15, timeout: 5, retries: 4, startPeriod: 300 } as const;

export interface StreamsContainerSpec {
    name: string;
    image: string;
    env: StreamsEnvironment;
    /** Secrets Manager secret holding one JSON key per secret variable. */
    secretArn: string;
    logGroup: string;
    region: string;
}

export interface EcsKeyValue {
    name: string;
    value: string;
}

/** `secrets` entries: each secret variable from its JSON key of the one secret. */
export function ecsSecrets(secretArn: string, names: readonly string[]): { name: string; valueFrom: string }[] {
    if (!/^arn:aws[a-z-]*:secretsmanager:/.test(secretArn)) throw new Error(`ECS secrets: "${secretArn}" is not a Secrets Manager ARN`);
    return names.map((name) => ({ name, valueFrom: `${secretArn}:${name}::` }));
}

/** The one container of the task, as the `containerDefinitions` JSON array ECS takes. */
export function streamsContainerDefinitions(spec: StreamsContainerSpec): object[] {
    const { environment, secretEnv } = spec.env;
    for (const name of secretEnv) {
        if (name in environment) throw new Error(`container ${spec.name}: ${name} is a secret and must not be in the plain environment`);
    }
    const port = Number(environment.HEALTH_PORT);
    return [
        {
            name: spec.name,
            image: spec.image,
            essential: true,
            environment: Object.entries(environment)
                .sort(([a], [b]) => a.localeCompare(b))
                .map(([name, value]): EcsKeyValue => ({ name, value })),
            secrets: ecsSecrets(spec.secretArn, secretEnv),
            // Only the health endpoint; nothing routes to it from outside the task.
            portMappings: [{ containerPort: port, protocol: "tcp" }],
            healthCheck: { command: healthCheckCommand(port), ...HEALTH_CHECK_TIMING },
            // RocksDB state (STATE_DIR, owned by the image's non-root user) and the JVM's temp files
            // live in the task's writable layer on Fargate ephemeral storage: gone with the task,
            // restored from the changelog topics. (A read-only root with bind mounts would hand
            // those directories to root, which the image's user cannot write.)
            logConfiguration: {
                logDriver: "awslogs",
                options: { "awslogs-group": spec.logGroup, "awslogs-region": spec.region, "awslogs-stream-prefix": spec.name },
            },
            // Kafka Streams closes cleanly (commits, releases its tasks) within this on SIGTERM.
            stopTimeout: 60,
        },
    ];
}
