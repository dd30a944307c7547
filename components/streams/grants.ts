// What a Kafka Streams app may do in Confluent Cloud, as role bindings: exactly what Kafka Streams
// needs and nothing more. Pure: the CRNs come from the catalog's names for the app.
//
// What Kafka Streams needs on a secured cluster (input topics READ, output topics WRITE, internal
// topics under the application.id prefix CREATE/READ/WRITE/DELETE/DESCRIBE_CONFIGS, the consumer
// group = application.id READ, transactional ids under the application.id prefix for exactly_once_v2):
//   https://docs.confluent.io/platform/current/streams/developer-guide/security.html#required-acl-setting-for-secure-ak-clusters
// The roles that grant those operations on topics, groups, transactional ids and subjects:
//   https://docs.confluent.io/cloud/current/security/access-control/rbac/predefined-rbac-roles.html
//   (DeveloperRead: Read/Describe on topics and groups, Read on subjects; DeveloperWrite: Write/Describe
//   on topics and transactional ids; DeveloperManage: Create/Delete/AlterConfigs/DescribeConfigs on topics.)
// Prefixed patterns end in `*` (a CRN `topic=<prefix>*`):
//   https://docs.confluent.io/cloud/current/security/access-control/rbac/use-rbac-prefixes.html
import * as confluent from "@pulumi/confluentcloud";
import * as pulumi from "@pulumi/pulumi";
import { StreamsApp, streamsAppInputTopics, streamsAppOutputTopics, streamsApplicationId, streamsInternalPrefix } from "../catalog";
import { RoleGrant, crn } from "../streaming";

/** The app's access, by name, before it is turned into CRNs (also what the policy pack checks). */
export interface StreamsAccess {
    applicationId: string;
    /** Prefix of its internal topics and transactional ids: `<application.id>-`. */
    internalPrefix: string;
    inputs: string[];
    outputs: string[];
    /** Avro inputs: the app reads their key and value schemas by id. */
    readsSchemas: boolean;
}

export function streamsAccess(basePrefix: string, app: StreamsApp, valueFormat: "avro" | "json"): StreamsAccess {
    return {
        applicationId: streamsApplicationId(basePrefix, app),
        internalPrefix: streamsInternalPrefix(basePrefix, app),
        inputs: streamsAppInputTopics(basePrefix, app),
        outputs: streamsAppOutputTopics(basePrefix, app),
        readsSchemas: valueFormat === "avro",
    };
}

/** Role names a Streams app's bindings may use: no owner, admin or cluster-wide role. */
export const STREAMS_ALLOWED_ROLES = ["DeveloperRead", "DeveloperWrite", "DeveloperManage"] as const;

/**
 * Bindings: read each input (literal), write each output (literal), read/write/manage its internal
 * topics (prefix `<application.id>-`), read its own consumer group (literal `<application.id>`),
 * write its transactional ids (prefix `<application.id>-`), and, with Avro inputs, read the inputs'
 * key and value subjects. Nothing on the cluster, other groups or other topics.
 */
export function streamsAppGrants(cluster: confluent.KafkaCluster, schemaRegistryCrn: pulumi.Input<string>, access: StreamsAccess): RoleGrant[] {
    if (!access.internalPrefix.startsWith(access.applicationId) || access.internalPrefix === access.applicationId) {
        throw new Error(`Kafka Streams ${access.applicationId}: the internal prefix "${access.internalPrefix}" must extend the application.id`);
    }
    const grants: RoleGrant[] = [];
    for (const topic of access.inputs) {
        grants.push({ label: `read-${topic}`, role: "DeveloperRead", crnPattern: crn.topic(cluster, topic) });
        if (access.readsSchemas) {
            grants.push({ label: `read-key-subject-${topic}`, role: "DeveloperRead", crnPattern: crn.subject(schemaRegistryCrn, `${topic}-key`) });
            grants.push({ label: `read-value-subject-${topic}`, role: "DeveloperRead", crnPattern: crn.subject(schemaRegistryCrn, `${topic}-value`) });
        }
    }
    for (const topic of access.outputs) grants.push({ label: `write-${topic}`, role: "DeveloperWrite", crnPattern: crn.topic(cluster, topic) });
    const internal = `${access.internalPrefix}*`;
    grants.push(
        // Changelog and repartition topics: created at start, read back on restore, deleted by the reset tool.
        { label: "internal-topics-read", role: "DeveloperRead", crnPattern: crn.topic(cluster, internal) },
        { label: "internal-topics-write", role: "DeveloperWrite", crnPattern: crn.topic(cluster, internal) },
        { label: "internal-topics-manage", role: "DeveloperManage", crnPattern: crn.topic(cluster, internal) },
        { label: "consumer-group", role: "DeveloperRead", crnPattern: crn.group(cluster, access.applicationId) },
        // exactly_once_v2: one transactional producer per stream thread, ids `<application.id>-<process id>-<n>`.
        { label: "transactional-ids", role: "DeveloperWrite", crnPattern: crn.transactionalId(cluster, internal) },
    );
    return grants;
}
