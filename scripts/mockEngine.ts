// Runs the real program (index.ts) under Pulumi's mock engine with a stack file's config and
// records what the engine would receive: every resource's inputs and options, every invoke,
// and the stack outputs. Each run loads the program's modules fresh. Used by the tests
// (test/harness.ts), the offline plan, the docs generator and the benchmark.
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { performance } from "perf_hooks";
import type * as pulumi from "@pulumi/pulumi";
import * as YAML from "yaml";

export const REPO_ROOT = path.join(__dirname, "..");
const PROJECT = "lifesci-streaming";

// The SDK is loaded on first use, not on import: the CLIs that import this module for its paths
// and config reader (and every CLI's --help) do not pay for @pulumi/pulumi.
/* eslint-disable @typescript-eslint/no-require-imports */
const sdk = (): typeof import("@pulumi/pulumi") => require("@pulumi/pulumi");
// Internal helpers the SDK exports at runtime but not in its typings.
const settings = () => require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> };
const debuggable = () => require("@pulumi/pulumi/runtime/debuggable") as { leakedPromises(): unknown };
// The mock monitor's request/response plumbing, to record registrations as the engine receives them.
const rpcInternals = () => require("@pulumi/pulumi/runtime/rpc") as { unknownValue: string; deserializeProperties(s: unknown): any; serializeProperties(label: string, v: unknown): Promise<any> };
const resproto = () => require("@pulumi/pulumi/proto/resource_pb");
const structproto = () => require("google-protobuf/google/protobuf/struct_pb");
const runtimeState = () => require("@pulumi/pulumi/runtime/state") as { getStore(): { settings: { monitor: any } } };
const outputInternals = () => require("@pulumi/pulumi/output") as { isUnknown(v: unknown): boolean };
/* eslint-enable @typescript-eslint/no-require-imports */

/**
 * A run that fails on purpose leaves promises that never settle; the SDK would report them as
 * leaks at exit and set a failing exit code. They belong to a finished run, so forget them.
 */
function forgetAbandonedPromises(): void {
    debuggable().leakedPromises();
}

export interface RecordedResource {
    /** The engine's identity: `urn:pulumi:<stack>::<project>::<parent type chain>$<type>::<name>`. */
    urn: string;
    type: string;
    name: string;
    /** Inputs as the engine receives them (secrets unwrapped by the mock monitor). */
    inputs: Record<string, any>;
    /** The state the mocks returned. */
    state: Record<string, any>;
    /** As the engine receives it: inherited from the parent unless the resource sets it. */
    protect: boolean;
    /** `type::name` of explicit dependsOn resources, as the program wrote them. */
    dependsOn: string[];
    /**
     * URNs the engine orders this resource after, as it receives them: explicit dependsOn expanded
     * to components' children, plus the resources whose outputs the inputs carry.
     */
    dependencies: string[];
    /** Per input property, the URNs its value depends on. */
    propertyDependencies: Record<string, string[]>;
    /**
     * The provider the engine uses for a custom resource: the explicit provider's URN, or
     * `default_<package>` when the resource falls back to the package's default provider.
     */
    provider?: string;
    /** `type::name` of the parent, if any. */
    parent?: string;
    /** URN of the parent (the root stack's for top-level resources). */
    parentUrn?: string;
    /** Output properties the provider marks secret (`additionalSecretOutputs`). */
    secretOutputs: string[];
    /** Input paths the engine leaves alone after creation (`ignoreChanges`). */
    ignoreChanges?: string[];
    /** The SDK object, to inspect outputs (e.g. pulumi.isSecret). */
    resource?: pulumi.Resource;
    custom: boolean;
    /** The id the mocks gave a custom resource. */
    id?: string;
}

export interface RecordedInvoke {
    token: string;
    inputs: Record<string, any>;
}

export interface StackRun {
    stack: string;
    resources: RecordedResource[];
    invokes: RecordedInvoke[];
    outputs: Record<string, unknown>;
    /** Outputs as SDK values, before unwrapping; use with pulumi.isSecret. */
    rawOutputs: Record<string, unknown>;
    ofType(type: string): RecordedResource[];
    one(type: string, name?: string | RegExp): RecordedResource;
    /** How long the evaluation took (a shared run: the first evaluation's time, loading the program's modules included). */
    evaluationMs: number;
}

export interface RunOptions {
    /** Replace or add config values (full keys). Objects are stored as JSON like the CLI does. */
    set?: Record<string, unknown>;
    /** Remove config keys (full keys). */
    unset?: string[];
    /** Full keys to mark as secrets. */
    secretKeys?: string[];
    /** Evaluate again even when a run with the same config exists (e.g. to time it). */
    fresh?: boolean;
    /** Per-invoke answers that replace the defaults below. */
    invokes?: Record<string, (inputs: any) => Record<string, any>>;
    /** Directory of the program to evaluate (index.ts + Pulumi.<stack>.yaml); default this repository. */
    programDir?: string;
    /**
     * Evaluate as `pulumi preview` of a new stack: a dry run where ids and every output the
     * provider computes (nested fields included) are unknown, and applies on them do not run.
     */
    preview?: boolean;
}

const key = (type: string, name: string) => `${type}::${name}`;

const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";

/**
 * The URN the engine gives a resource: its type qualified by every ancestor's type (the root
 * stack excluded), so one name under two parents stays two resources. (The SDK's mock monitor
 * keeps only the direct parent's type.)
 */
export function engineUrn(stack: string, parentUrn: string | undefined, type: string, name: string): string {
    const parentQualifiedType = parentUrn ? parentUrn.split("::")[2] : undefined;
    const qualified = parentQualifiedType && parentQualifiedType !== ROOT_STACK_TYPE ? `${parentQualifiedType}$${type}` : type;
    return `urn:pulumi:${stack}::${PROJECT}::${qualified}::${name}`;
}

/** The package of a type token, as the engine picks a default provider (`aws:s3/bucket:Bucket` -> aws). */
function packageOf(type: string): string {
    return type.split(":")[0];
}

/** The value the engine uses for "unknown during preview". */
const unknownValue = () => rpcInternals().unknownValue;

/**
 * Provider-computed state in a preview: every value the provider would compute is unknown; values
 * that merely echo an input stay known (e.g. a provider integration's `aws.customerRoleArn`
 * next to its unknown `iamRoleArn` and `externalId`).
 */
function unknownsFor(computed: unknown, input: unknown): unknown {
    if (computed && typeof computed === "object" && !Array.isArray(computed)) {
        const inputs = input && typeof input === "object" ? (input as Record<string, unknown>) : {};
        return Object.fromEntries(Object.entries(computed).map(([k, v]) => [k, unknownsFor(v, inputs[k])]));
    }
    return JSON.stringify(computed) === JSON.stringify(input) ? computed : unknownValue();
}

/** What a copy of the program needs to evaluate (besides the Pulumi.<stack>.yaml files). */
export const PROGRAM_PATHS = ["index.ts", "Pulumi.yaml", "package.json", "tsconfig.json", "components", "local", "sql", "streams"] as const;

/** Copies one of PROGRAM_PATHS into a program copy, without build output (the Streams apps' Maven `target/`). */
export function copyProgramPath(entry: string, toDir: string, fromDir = REPO_ROOT): void {
    fs.cpSync(path.join(fromDir, entry), path.join(toDir, entry), { recursive: true, filter: (src) => path.basename(src) !== "target" });
}

/** Reads `Pulumi.<stack>.yaml` into the flat string map the engine hands to programs. */
export function readStackConfig(stack: string, programDir = REPO_ROOT): { values: Record<string, string>; secretKeys: string[] } {
    const file = path.join(programDir, `Pulumi.${stack}.yaml`);
    const parsed = YAML.parseDocument(fs.readFileSync(file, "utf8"));
    if (parsed.errors.length > 0) {
        // The parser's first line says what and where (line, column); the file is ours to name.
        const [first] = parsed.errors;
        const shown = path.relative(process.cwd(), file).startsWith("..") ? file : path.relative(process.cwd(), file);
        throw new Error(`${shown}: YAML syntax error: ${first.message.split("\n")[0]}`);
    }
    const doc = parsed.toJS() ?? {};
    const values: Record<string, string> = {};
    const secretKeys: string[] = [];
    for (const [k, v] of Object.entries<any>(doc.config ?? {})) {
        if (v && typeof v === "object" && "secure" in v) {
            // Ciphertext cannot be decrypted here; a stand-in keeps the key a secret.
            values[k] = `mock-secret-for-${k}`;
            secretKeys.push(k);
        } else {
            values[k] = typeof v === "string" ? v : JSON.stringify(v);
        }
    }
    return { values, secretKeys };
}

/** Directories of this repository that hold tools, not the program: their modules stay loaded. */
const TOOL_DIRS = ["node_modules", "test", "scripts", "policy"].map((d) => path.join(REPO_ROOT, d) + path.sep);

function clearProgramModules(programDir: string): void {
    const root = programDir + path.sep;
    for (const id of Object.keys(require.cache)) {
        if (!id.startsWith(root) || id.includes(`${path.sep}node_modules${path.sep}`)) continue;
        if (programDir === REPO_ROOT && TOOL_DIRS.some((dir) => id.startsWith(dir))) continue;
        delete require.cache[id];
    }
}

let failCurrentRun: ((err: unknown) => void) | undefined;
process.on("unhandledRejection", (err) => {
    // Late rejections from an already failed run are dropped; that run has reported its error.
    failCurrentRun?.(err);
});

/**
 * A custom resource's fake id: a function of its URN only, like a real resource's id stays put
 * across previews. (A counter made every id, and every output built from one, depend on how many
 * resources any earlier evaluation in the process had registered: `plan --against` saw changes.)
 */
export function fakeId(prefix: string, urn: string): string {
    return `${prefix}-${createHash("sha256").update(urn).digest("hex").slice(0, 10)}`;
}

/** Outputs the real providers compute, in realistic shapes. */
function computedState(type: string, name: string, inputs: Record<string, any>, id: string): Record<string, any> {
    switch (type) {
        case "confluentcloud:index/environment:Environment":
            return { resourceName: `crn://confluent.cloud/organization=org-mock/environment=${id}` };
        case "confluentcloud:index/kafkaCluster:KafkaCluster":
            return {
                apiVersion: "cmk/v2",
                kind: "Cluster",
                rbacCrn: `crn://confluent.cloud/organization=org-mock/environment=${inputs.environment?.id}/cloud-cluster=${id}`,
                bootstrapEndpoint: `SASL_SSL://${id}.${inputs.region}.aws.confluent.cloud:9092`,
                restEndpoint: `https://${id}.${inputs.region}.aws.confluent.cloud:443`,
            };
        case "confluentcloud:index/serviceAccount:ServiceAccount":
            return { apiVersion: "iam/v2", kind: "ServiceAccount" };
        case "confluentcloud:index/apiKey:ApiKey":
            return { secret: `mock-api-secret-${name}` };
        case "confluentcloud:index/connector:Connector":
            return { status: "RUNNING" };
        case "confluentcloud:index/ksqlCluster:KsqlCluster":
            return {
                apiVersion: "ksqldbcm/v2",
                kind: "Cluster",
                // Derived from the whole mock id so the offline plan can show it by resource name.
                topicPrefix: `pksqlc-${id}`,
                restEndpoint: `https://pksqlc-${id}.eu-central-1.aws.confluent.cloud:443`,
                resourceName: `crn://confluent.cloud/organization=org-mock/environment=${inputs.environment?.id}/cloud-cluster=${inputs.kafkaCluster?.id}/ksql=${id}`,
                storage: 125 * inputs.csu,
            };
        case "aws:rds/instance:Instance":
            return {
                address: `${inputs.identifier}.cmock.${"eu-central-1"}.rds.amazonaws.com`,
                port: inputs.port ?? 3306,
                arn: `arn:aws:rds:eu-central-1:123456789012:db:${inputs.identifier}`,
                // The primary's zone (RDS picks it; a Multi-AZ standby runs in another).
                availabilityZone: inputs.availabilityZone ?? "eu-central-1a",
            };
        case "confluentcloud:index/network:Network":
            return {
                dnsDomain: `${id}.${inputs.region}.aws.confluent.cloud`,
                aws: [{ account: "210987654321", vpc: "vpc-0confluent", privateLinkEndpointService: `com.amazonaws.vpce.${inputs.region}.vpce-svc-0mock${id}` }],
                gateways: [{ id: `gw-${id}` }],
                resourceName: `crn://confluent.cloud/organization=org-mock/environment=${inputs.environment?.id}/network=${id}`,
            };
        case "confluentcloud:index/accessPoint:AccessPoint":
            return {
                awsEgressPrivateLinkEndpoint: inputs.awsEgressPrivateLinkEndpoint
                    ? { ...inputs.awsEgressPrivateLinkEndpoint, vpcEndpointId: `vpce-0mock${id}`, vpcEndpointDnsName: `*.vpce-0mock${id}.vpce-svc.eu-central-1.vpce.amazonaws.com` }
                    : undefined,
            };
        case "aws:ec2/vpcEndpointService:VpcEndpointService":
            return { serviceName: `com.amazonaws.vpce.eu-central-1.vpce-svc-0${id}`, arn: `arn:aws:ec2:eu-central-1:123456789012:vpc-endpoint-service/vpce-svc-0${id}` };
        case "aws:ec2/vpcEndpoint:VpcEndpoint":
            return { dnsEntries: [{ dnsName: `vpce-0${id}.vpce-svc.eu-central-1.vpce.amazonaws.com`, hostedZoneId: "Z0MOCK" }] };
        case "aws:lb/loadBalancer:LoadBalancer":
        case "aws:lb/targetGroup:TargetGroup": {
            // arnSuffix: the CloudWatch dimension value (`targetgroup/<name>/<id>`, `net/<name>/<id>` for an NLB).
            const kind = type === "aws:lb/targetGroup:TargetGroup" ? "targetgroup" : "net";
            const suffix = `${kind}/${inputs.name ?? name}/${id}`;
            return { arn: `arn:aws:elasticloadbalancing:eu-central-1:123456789012:${kind === "net" ? "loadbalancer/" : ""}${suffix}`, arnSuffix: suffix };
        }
        case "aws:lambda/function:Function":
            return { arn: `arn:aws:lambda:eu-central-1:123456789012:function:${inputs.name ?? name}` };
        case "aws:cloudwatch/eventRule:EventRule":
            return { arn: `arn:aws:events:eu-central-1:123456789012:rule/${inputs.name ?? name}` };
        case "aws:sns/topic:Topic":
            return { arn: `arn:aws:sns:eu-central-1:123456789012:${inputs.name ?? name}` };
        case "aws:cloudwatch/logGroup:LogGroup":
            return { arn: `arn:aws:logs:eu-central-1:123456789012:log-group:${inputs.name ?? name}` };
        case "aws:route53/zone:Zone":
            return { zoneId: `Z0${id.toUpperCase()}` };
        case "aws:kms/key:Key":
            return { arn: `arn:aws:kms:eu-central-1:123456789012:key/${id}`, keyId: id };
        case "random:index/randomPassword:RandomPassword":
            return { result: `mock-generated-password-${name}` };
        case "random:index/randomString:RandomString":
            return { result: `mock-random-string-${name}` };
        case "aws:s3/bucket:Bucket":
            return { arn: `arn:aws:s3:::${inputs.bucket}`, bucket: inputs.bucket };
        case "confluentcloud:index/providerIntegration:ProviderIntegration":
            return {
                aws: {
                    ...inputs.aws,
                    iamRoleArn: "arn:aws:iam::111122223333:role/cspi-mock-confluent",
                    externalId: `mock-external-id-${id}`,
                },
            };
        case "tls:index/privateKey:PrivateKey":
            return {
                privateKeyPem: `-----BEGIN RSA PRIVATE KEY-----\nMOCKPKCS1${name}\n-----END RSA PRIVATE KEY-----\n`,
                privateKeyPemPkcs8: `-----BEGIN PRIVATE KEY-----\nMOCKPRIVATEKEY${name}\nLINE2\n-----END PRIVATE KEY-----\n`,
                publicKeyPem: `-----BEGIN PUBLIC KEY-----\nMOCKPUBLICKEY${name}\n-----END PUBLIC KEY-----\n`,
            };
        case "aws:iam/role:Role":
            return { arn: `arn:aws:iam::123456789012:role/${inputs.name ?? name}` };
        case "grafana:oss/folder:Folder":
            return { uid: inputs.uid ?? id, url: `https://lifescidev.grafana.net/dashboards/f/${inputs.uid ?? id}` };
        case "grafana:oss/dashboard:Dashboard": {
            const uid = JSON.parse(inputs.configJson ?? "{}").uid ?? id;
            return { uid, url: `https://lifescidev.grafana.net/d/${uid}` };
        }
        case "docker:index/remoteImage:RemoteImage":
            return { imageId: `sha256:mock${id}`, repoDigest: `${inputs.name}@sha256:mock${id}` };
        case "docker:index/image:Image":
            return { repoDigest: `${inputs.imageName}@sha256:mockbuilt`, baseImageName: inputs.imageName };
        case "aws:ecr/repository:Repository":
            return {
                arn: `arn:aws:ecr:eu-central-1:123456789012:repository/${inputs.name}`,
                registryId: "123456789012",
                repositoryUrl: `123456789012.dkr.ecr.eu-central-1.amazonaws.com/${inputs.name}`,
            };
        case "docker-build:index:Image": {
            // Pushed: the first tag with the digest of the build, as the provider reports it.
            const digest = `sha256:${"0".repeat(56)}${id.replace(/[^a-f0-9]/g, "").padStart(8, "0").slice(-8)}`;
            return { digest, ref: inputs.push ? `${inputs.tags?.[0]}@${digest}` : "", contextHash: "mock-context-hash" };
        }
        case "aws:secretsmanager/secret:Secret":
            return { arn: `arn:aws:secretsmanager:eu-central-1:123456789012:secret:${inputs.name}-AbCdEf` };
        case "aws:secretsmanager/secretVersion:SecretVersion":
            return { versionId: `mock-version-${id}`, arn: `${inputs.secretId}` };
        case "aws:cloudwatch/logGroup:LogGroup":
            return { arn: `arn:aws:logs:eu-central-1:123456789012:log-group:${inputs.name}` };
        case "aws:ecs/cluster:Cluster":
            return { arn: `arn:aws:ecs:eu-central-1:123456789012:cluster/${inputs.name}` };
        case "aws:ecs/taskDefinition:TaskDefinition":
            return { arn: `arn:aws:ecs:eu-central-1:123456789012:task-definition/${inputs.family}:1`, revision: 1 };
        case "grafana:cloudProvider/awsAccount:AwsAccount":
            return { resourceId: `aws-account-${id}` };
        default:
            return {};
    }
}

const ID_PREFIX: Record<string, string> = {
    "confluentcloud:index/environment:Environment": "env",
    "confluentcloud:index/kafkaCluster:KafkaCluster": "lkc",
    "confluentcloud:index/serviceAccount:ServiceAccount": "sa",
    "confluentcloud:index/apiKey:ApiKey": "MOCKKEY",
    "confluentcloud:index/connector:Connector": "lcc",
    "confluentcloud:index/providerIntegration:ProviderIntegration": "cspi",
    "confluentcloud:index/ksqlCluster:KsqlCluster": "lksqlc",
};

/** Default answers to the invokes the program makes, shaped like the real providers' results. */
export const DEFAULT_INVOKES: Record<string, (inputs: any) => Record<string, any>> = {
    "confluentcloud:index/getIpAddresses:getIpAddresses": (inputs) => {
        const region = inputs.filter?.regions?.[0] ?? "eu-central-1";
        const prefixes = ["3.64.0.0/28", "18.156.12.32/28", "52.28.44.16/29"];
        return {
            id: "ip-addresses",
            filter: inputs.filter,
            ipAddresses: prefixes.map((ipPrefix) => ({
                addressType: "EGRESS",
                apiVersion: "networking/v1",
                cloud: "AWS",
                ipPrefix,
                kind: "IpAddress",
                region,
                services: ["CONNECT"],
            })),
        };
    },
    "confluentcloud:index/getSchemaRegistryCluster:getSchemaRegistryCluster": (inputs) => ({
        id: "lsrc-mock01",
        apiVersion: "srcm/v3",
        kind: "Cluster",
        environment: inputs.environment,
        resourceName: `crn://confluent.cloud/organization=org-mock/environment=${inputs.environment?.id}/schema-registry=lsrc-mock01`,
        restEndpoint: "https://psrc-mock01.eu-central-1.aws.confluent.cloud",
        package: "ESSENTIALS",
    }),
    "aws:index/getCallerIdentity:getCallerIdentity": () => ({
        id: "123456789012",
        accountId: "123456789012",
        arn: "arn:aws:iam::123456789012:user/deployer",
        userId: "AIDAMOCKDEPLOYER",
    }),
    "grafana:cloud/getStack:getStack": (inputs) => ({
        id: "1234567",
        slug: inputs.slug,
        name: inputs.slug,
        url: `https://${inputs.slug}.grafana.net`,
        regionSlug: "prod-eu-west-2",
        prometheusUserId: 2345678,
        prometheusName: `${inputs.slug}-prom`,
        prometheusUrl: "https://prometheus-prod-24-prod-eu-west-2.grafana.net",
        connectionsApiUrl: "https://connections-api-eu-west-2.grafana.net",
        cloudProviderUrl: "https://cloud-provider-api-eu-west-2.grafana.net",
    }),
    "grafana:oss/getDataSource:getDataSource": (inputs) => ({
        id: "1:grafanacloud-prom",
        name: inputs.name,
        uid: "grafanacloud-prom",
        type: "prometheus",
        url: "https://prometheus-prod-24-prod-eu-west-2.grafana.net/api/prom",
    }),
    "aws:ecr/getAuthorizationToken:getAuthorizationToken": (inputs) => ({
        id: inputs.registryId ?? "123456789012",
        registryId: inputs.registryId,
        authorizationToken: "QVdTOm1vY2stZWNyLXBhc3N3b3Jk",
        expiresAt: "2030-01-01T00:00:00Z",
        proxyEndpoint: `https://${inputs.registryId ?? "123456789012"}.dkr.ecr.eu-central-1.amazonaws.com`,
        userName: "AWS",
        password: "mock-ecr-password",
    }),
    // Looked up by id: a dedicated VPC (prod's mysql.vpcId); without: the account's default VPC.
    "aws:ec2/getVpc:getVpc": (inputs) => (inputs.id ? { id: inputs.id, cidrBlock: "10.10.0.0/16", default: false } : { id: "vpc-0def4017", cidrBlock: "172.31.0.0/16", default: true }),
    // Subnets of a configured VPC are private (prefix subnet-0a1, as in Pulumi.prod.yaml); others belong to the default VPC.
    // Subnets prefixed subnet-0d are private subnets added to the default VPC (dev's network.workloadSubnetIds).
    "aws:ec2/getSubnet:getSubnet": (inputs) => ({
        id: inputs.id,
        vpcId: String(inputs.id).startsWith("subnet-0a1") ? "vpc-0a1b2c3d4e5f60718" : "vpc-0def4017",
        mapPublicIpOnLaunch: !String(inputs.id).startsWith("subnet-0a1") && !String(inputs.id).startsWith("subnet-0d"),
        availabilityZone: `eu-central-1${"abc"[Number.parseInt(String(inputs.id).slice(-1), 16) % 3]}`,
        availabilityZoneId: `euc1-az${(Number.parseInt(String(inputs.id).slice(-1), 16) % 3) + 1}`,
    }),
    "confluentcloud:index/getGateway:getGateway": (inputs) => ({
        id: inputs.id,
        displayName: "egress",
        environment: inputs.environment,
        awsEgressPrivateLinkGateways: [{ principalArn: "arn:aws:iam::210987654321:role/confluent-egress-mock", region: "eu-central-1" }],
        awsIngressPrivateLinkGateways: [],
        awsPeeringGateways: [],
        awsPrivateNetworkInterfaceGateways: [],
        azureEgressPrivateLinkGateways: [],
        azureIngressPrivateLinkGateways: [],
        azurePeeringGateways: [],
        gcpEgressPrivateServiceConnectGateways: [],
        gcpPeeringGateways: [],
    }),
    // The RDS instance's network interface, found by its security group.
    // A Multi-AZ instance: the primary's interface and the standby's, same security group, other zone.
    "aws:ec2/getNetworkInterfaces:getNetworkInterfaces": () => ({ id: "eu-central-1", ids: ["eni-0rdsprimary", "eni-0rdsstandby"] }),
    "aws:ec2/getNetworkInterface:getNetworkInterface": (inputs) =>
        inputs.id === "eni-0rdsstandby"
            ? { id: inputs.id, privateIp: "172.31.36.5", availabilityZone: "eu-central-1b", description: "RDSNetworkInterface" }
            : { id: inputs.id, privateIp: "172.31.20.17", availabilityZone: "eu-central-1a", description: "RDSNetworkInterface" },
    // The route table explicitly associated with a subnet: one private table per zone (as a NAT-per-AZ VPC has), with its NAT route.
    "aws:ec2/getRouteTable:getRouteTable": (inputs) => {
        const zone = "abc"[Number.parseInt(String(inputs.subnetId).slice(-1), 16) % 3];
        return {
            id: `rtb-0private${zone}`,
            routeTableId: `rtb-0private${zone}`,
            subnetId: inputs.subnetId,
            vpcId: String(inputs.subnetId).startsWith("subnet-0a1") ? "vpc-0a1b2c3d4e5f60718" : "vpc-0def4017",
            associations: [{ subnetId: inputs.subnetId, routeTableId: `rtb-0private${zone}`, main: false }],
            routes: [{ cidrBlock: "0.0.0.0/0", natGatewayId: `nat-0${zone}` }],
        };
    },
    "aws:ec2/getSubnets:getSubnets": () => ({
        id: "eu-central-1",
        ids: ["subnet-0a1b2c3d", "subnet-0b2c3d4e", "subnet-0c3d4e5f"],
    }),
};

/** True for a value a preview does not know: in recorded inputs (the SDK's marker) or state (the wire value). */
export function isUnknownValue(value: unknown): boolean {
    return outputInternals().isUnknown(value) || value === unknownValue();
}

/** How a resolved output that a preview does not know is shown. */
export const UNKNOWN_OUTPUT = "[unknown during preview]";

async function resolveDeep(value: unknown): Promise<unknown> {
    if (sdk().Output.isInstance(value)) {
        // `promise(true)` yields the unknown marker where a preview does not know the value (an
        // apply would never run there).
        const inner = await (value as any).promise(true);
        const known: boolean = await (value as any).isKnown;
        return !known || outputInternals().isUnknown(inner) ? UNKNOWN_OUTPUT : resolveDeep(inner);
    }
    if (Array.isArray(value)) return Promise.all(value.map(resolveDeep));
    if (value && typeof value === "object" && !(value instanceof sdk().Resource)) {
        const entries = await Promise.all(Object.entries(value).map(async ([k, v]) => [k, await resolveDeep(v)]));
        return Object.fromEntries(entries);
    }
    return value;
}

function describe(res: any): string {
    return key(res.__pulumiType, res.__name);
}

const completedRuns = new Map<string, Promise<StackRun>>();

/**
 * Evaluates index.ts for `stack` under mocks. Rejects with the program's error, if any.
 * Runs with the same config are evaluated once per test process and shared (tests only read
 * them); runs with custom invoke answers are always fresh.
 */
export function runStack(stack: string, options: RunOptions = {}): Promise<StackRun> {
    if (options.invokes || options.fresh) return evaluateStack(stack, options);
    const cacheKey = JSON.stringify([stack, options.set ?? {}, options.unset ?? [], options.secretKeys ?? [], options.programDir ?? REPO_ROOT, options.preview === true]);
    let run = completedRuns.get(cacheKey);
    if (!run) {
        run = evaluateStack(stack, options);
        run.catch(() => completedRuns.delete(cacheKey));
        completedRuns.set(cacheKey, run);
    }
    return run;
}

async function evaluateStack(stack: string, options: RunOptions): Promise<StackRun> {
    // The SDK records a stack trace for every promise it creates (for leak reports), and under
    // ts-node each trace is source-mapped: that alone was ~80% of a stack's evaluation time.
    // Error messages are untouched; only those debug traces go while the program evaluates.
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    const started = performance.now();
    try {
        const run = await evaluateStackTraced(stack, options);
        return { ...run, evaluationMs: performance.now() - started };
    } finally {
        Error.stackTraceLimit = stackTraceLimit;
    }
}

async function evaluateStackTraced(stack: string, options: RunOptions): Promise<Omit<StackRun, "evaluationMs">> {
    const programDir = path.resolve(options.programDir ?? REPO_ROOT);
    const { values, secretKeys } = readStackConfig(stack, programDir);
    for (const k of options.unset ?? []) delete values[k];
    for (const [k, v] of Object.entries(options.set ?? {})) {
        values[k] = typeof v === "string" ? v : JSON.stringify(v);
    }
    const invokeAnswers = { ...DEFAULT_INVOKES, ...options.invokes };
    forgetAbandonedPromises();

    const preview = options.preview === true;
    // Keyed by URN, as the engine identifies resources.
    const records = new Map<string, RecordedResource>();
    const invokes: RecordedInvoke[] = [];
    const record = (urn: string, type: string, name: string): RecordedResource => {
        let r = records.get(urn);
        if (!r) {
            r = { urn, type, name, inputs: {}, state: {}, protect: false, dependsOn: [], dependencies: [], propertyDependencies: {}, custom: true, secretOutputs: [] };
            records.set(urn, r);
        }
        return r;
    };
    const registeredUrns = new Set<string>();
    const registrationErrors: Error[] = [];
    /** URNs of the SDK objects the transformation saw, to name their children's parents. */
    const urnOfResource = new WeakMap<pulumi.Resource, string>();

    /** What the engine does with a registration: identity, options, then the provider's answer (the mocks). */
    const register = (req: any): { urn: string; id: string; state: Record<string, any> } => {
        const type: string = req.getType();
        const name: string = req.getName();
        const parentUrn: string = req.getParent() || undefined;
        const urn = engineUrn(stack, parentUrn, type, name);
        if (registeredUrns.has(urn)) {
            // The engine fails the whole update on this; the SDK would only reject that resource's outputs.
            const err = new Error(`Duplicate resource URN '${urn}'; try giving it a unique name`);
            registrationErrors.push(err);
            throw err;
        }
        registeredUrns.add(urn);
        const r = record(urn, type, name);
        const custom = req.getCustom() === true;
        const inputs = rpcInternals().deserializeProperties(req.getObject());
        r.parentUrn = parentUrn;
        r.custom = custom;
        r.protect = req.getProtect() === true;
        r.dependencies = [...req.getDependenciesList()].sort();
        r.propertyDependencies = Object.fromEntries(
            [...req.getPropertydependenciesMap().entries()].map(([k, v]: [string, any]) => [k, [...v.getUrnsList()].sort()]),
        );
        const providerRef: string = req.getProvider();
        r.provider = custom && type !== ROOT_STACK_TYPE && !type.startsWith("pulumi:providers:")
            ? (providerRef ? providerRef.split("::").slice(0, -1).join("::") : `default_${packageOf(type)}`)
            : undefined;
        r.inputs = inputs;
        if (!custom) {
            r.state = { ...inputs };
            return { urn, id: "", state: r.state };
        }
        const id = fakeId(ID_PREFIX[type] ?? name, urn);
        // In a preview, inputs may hold unknowns the fake cannot compute from; whatever it cannot
        // compute is left out, and the SDK reads outputs missing in a preview as unknown.
        let computed: Record<string, any>;
        try {
            computed = computedState(type, name, inputs, id);
        } catch (err) {
            if (!preview) throw err;
            computed = {};
        }
        // A preview of a new stack: the provider answers with unknown ids and computed outputs.
        const state: Record<string, any> = { ...inputs, ...(preview ? (unknownsFor(computed, inputs) as Record<string, any>) : computed) };
        // The engine marks these outputs secret; the mock monitor does not, so do it here.
        for (const field of r.secretOutputs) {
            if (field in state && !isSecretInput(state[field]) && state[field] !== unknownValue()) state[field] = secretInput(state[field]);
        }
        r.state = state;
        r.id = preview ? undefined : id;
        return { urn, id: preview ? "" : id, state };
    };

    await sdk().runtime.setMocks(
        {
            newResource() {
                throw new Error("mock engine: registrations go through the engine's registerResource");
            },
            call(args) {
                invokes.push({ token: args.token, inputs: args.inputs });
                const answer = invokeAnswers[args.token];
                if (!answer) throw new Error(`mock engine: no mock for invoke ${args.token}; add one to DEFAULT_INVOKES in scripts/mockEngine.ts`);
                return answer(args.inputs);
            },
        },
        PROJECT,
        stack,
        preview,
    );
    // Answer registrations here rather than in the SDK's mock monitor, which names resources by
    // their direct parent only and drops protect, dependencies and the provider reference.
    const monitor = runtimeState().getStore().settings.monitor;
    monitor.registerResource = async (req: any, callback: (err: unknown, res?: unknown) => void) => {
        try {
            const { urn, id, state } = register(req);
            const serialized = await rpcInternals().serializeProperties("", state);
            monitor.resources.set(urn, { urn, id: id || null, state: serialized });
            const response = new (resproto().RegisterResourceResponse)();
            response.setUrn(urn);
            response.setId(id);
            response.setObject(structproto().Struct.fromJavaScript(serialized));
            callback(null, response);
        } catch (err) {
            callback(err);
        }
    };
    sdk().runtime.setAllConfig(values, [...secretKeys, ...(options.secretKeys ?? [])]);
    clearProgramModules(programDir);

    const rawOutputs: Record<string, unknown> = {};
    const evaluation = sdk().runtime.runInPulumiStack(async () => {
        sdk().runtime.registerStackTransformation((args) => {
            const parentUrn = args.opts.parent ? urnOfResource.get(args.opts.parent) : undefined;
            const urn = engineUrn(stack, parentUrn, args.type, args.name);
            urnOfResource.set(args.resource, urn);
            const r = record(urn, args.type, args.name);
            r.resource = args.resource;
            r.secretOutputs = (args.opts as pulumi.CustomResourceOptions).additionalSecretOutputs ?? [];
            r.ignoreChanges = args.opts.ignoreChanges ?? [];
            r.parent = args.opts.parent ? describe(args.opts.parent) : undefined;
            const deps = args.opts.dependsOn;
            r.dependsOn = (Array.isArray(deps) ? deps : deps ? [deps] : [])
                .filter((d): d is pulumi.Resource => d instanceof sdk().Resource)
                .map(describe);
            return undefined;
        });
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        Object.assign(rawOutputs, require(path.join(programDir, "index.ts")));
        return rawOutputs;
    });
    // An error inside an apply surfaces as an unhandled rejection; the real language host
    // fails the update on it, so the harness fails the run the same way.
    const failed = new Promise<never>((_, reject) => (failCurrentRun = reject));
    let outputs: Record<string, unknown>;
    try {
        outputs = await Promise.race([
            (async () => {
                await evaluation;
                const resolved = (await resolveDeep(rawOutputs)) as Record<string, unknown>;
                await settings().waitForRPCs();
                if (registrationErrors.length > 0) throw registrationErrors[0];
                return resolved;
            })(),
            failed,
        ]);
    } catch (err) {
        // Let tests prove that nothing was registered before the failure.
        forgetAbandonedPromises();
        const registered = [...records.values()].filter((r) => r.custom).map((r) => key(r.type, r.name));
        throw Object.assign(err instanceof Error ? err : new Error(String(err)), { registered });
    } finally {
        failCurrentRun = undefined;
    }

    const resources = [...records.values()];
    return {
        stack,
        resources,
        invokes,
        outputs,
        rawOutputs,
        ofType: (type) => resources.filter((r) => r.type === type),
        one(type, name) {
            const matches = resources.filter(
                (r) => r.type === type && (name === undefined || (typeof name === "string" ? r.name === name : name.test(r.name))),
            );
            if (matches.length !== 1) {
                throw new Error(`expected one ${type}${name ? ` named ${name}` : ""}, found ${matches.length}`);
            }
            return matches[0];
        },
    };
}

/** Resolves an SDK output and tells whether it is marked secret. */
export async function secretness(value: unknown): Promise<boolean> {
    return sdk().isSecret(sdk().output(value as any));
}

/** The mock monitor hands secret inputs over wrapped in this signature. */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const SECRET_SIG_VALUE = "1b47061264138c4ac30d75fd1eb44270";

export function isSecretInput(value: unknown): boolean {
    return !!value && typeof value === "object" && (value as Record<string, unknown>)[SECRET_SIG] === SECRET_SIG_VALUE;
}

function secretInput(value: unknown): Record<string, unknown> {
    return { [SECRET_SIG]: SECRET_SIG_VALUE, value };
}

/** Unwraps a secret input (or returns a plain value unchanged). */
export function plain<T = any>(value: unknown): T {
    return (isSecretInput(value) ? (value as { value: unknown }).value : value) as T;
}
