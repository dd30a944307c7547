// Schema Registry governance as resources: one compatibility level per CDC and ksqlDB subject,
// from config, set by an account that may manage exactly the platform's subjects.
//   SubjectConfig: https://www.pulumi.com/registry/packages/confluentcloud/api-docs/subjectconfig/
//   compatibility types: https://docs.confluent.io/platform/current/schema-registry/fundamentals/schema-evolution.html#compatibility-types
//   subject naming (TopicNameStrategy, <topic>-key / <topic>-value):
//     https://docs.confluent.io/platform/current/schema-registry/fundamentals/serdes-develop/index.html#subject-name-strategy
//   RBAC on subjects (ResourceOwner may change a subject's compatibility):
//     https://docs.confluent.io/cloud/current/security/access-control/rbac/predefined-rbac-roles.html
// Subject configs can be set before the connector registers the first schema, so the level is
// in force from the first version on.
import * as confluent from "@pulumi/confluentcloud";
import * as pulumi from "@pulumi/pulumi";
import { DERIVED_TOPICS, DOMAINS, derivedTopicName, topicName } from "../catalog";
import type { SchemaRegistryConfig } from "../config";
import type { CompatibilityMode } from "./schemaCompatibility";
import { WorkloadIdentity, crn } from "./identity";

export interface GovernedSubject {
    subject: string;
    kind: "cdc" | "ksql";
    compatibility: CompatibilityMode;
}

/**
 * Every subject the platform writes, with its level. CDC topics register a key and a value
 * schema; ksqlDB outputs are governed on their value (their keys are KAFKA-formatted or derived
 * from the GROUP BY and change only with the app).
 */
export function governedSubjects(basePrefix: string, cfg: SchemaRegistryConfig): GovernedSubject[] {
    const subjects: GovernedSubject[] = [];
    for (const domain of DOMAINS) {
        for (const table of domain.tables) {
            const topic = topicName(basePrefix, domain, table.name);
            for (const part of ["key", "value"]) subjects.push({ subject: `${topic}-${part}`, kind: "cdc", compatibility: cfg.cdcCompatibility });
        }
    }
    for (const derived of DERIVED_TOPICS) {
        subjects.push({ subject: `${derivedTopicName(basePrefix, derived.suffix)}-value`, kind: "ksql", compatibility: cfg.ksqlCompatibility });
    }
    const unknown = Object.keys(cfg.overrides).filter((s) => !subjects.some((g) => g.subject === s));
    if (unknown.length > 0) throw new Error(`lifesci-streaming:schemaRegistry.overrides: not a subject of this platform: ${unknown.join(", ")}`);
    return subjects.map((s) => ({ ...s, compatibility: cfg.overrides[s.subject] ?? s.compatibility }));
}

export interface SchemaGovernanceArgs {
    namePrefix: string;
    basePrefix: string;
    environmentId: pulumi.Input<string>;
    schemaRegistry: pulumi.Output<confluent.GetSchemaRegistryClusterResult>;
    compatibility: SchemaRegistryConfig;
    protect: boolean;
}

export class SchemaGovernance extends pulumi.ComponentResource {
    readonly governor: WorkloadIdentity;
    readonly subjectConfigs: Record<string, confluent.SubjectConfig>;

    constructor(name: string, args: SchemaGovernanceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("lifesci:streaming:SchemaGovernance", name, {}, opts);
        const subjects = governedSubjects(args.basePrefix, args.compatibility);

        this.governor = new WorkloadIdentity(
            `${name}-governor`,
            {
                displayName: `${args.namePrefix}-schema-governor`,
                description: "Sets compatibility on the platform's Schema Registry subjects (Pulumi)",
                grants: [{ label: "subjects-owner", role: "ResourceOwner", crnPattern: crn.subject(args.schemaRegistry.resourceName, `${args.basePrefix}.*`) }],
            },
            { parent: this },
        );
        const key = new confluent.ApiKey(
            `${name}-governor-key`,
            {
                displayName: `${args.namePrefix}-schema-governor`,
                description: "Schema Registry API key for subject compatibility",
                owner: {
                    id: this.governor.serviceAccount.id,
                    apiVersion: this.governor.serviceAccount.apiVersion,
                    kind: this.governor.serviceAccount.kind,
                },
                managedResource: {
                    id: args.schemaRegistry.id,
                    apiVersion: args.schemaRegistry.apiVersion,
                    kind: args.schemaRegistry.kind,
                    environment: { id: args.environmentId },
                },
            },
            { parent: this, dependsOn: this.governor.roleBindings },
        );

        this.subjectConfigs = {};
        for (const s of subjects) {
            this.subjectConfigs[s.subject] = new confluent.SubjectConfig(
                `${name}-${s.subject}`,
                {
                    subjectName: s.subject,
                    compatibilityLevel: s.compatibility,
                    schemaRegistryCluster: { id: args.schemaRegistry.id },
                    restEndpoint: args.schemaRegistry.restEndpoint,
                    credentials: { key: key.id, secret: key.secret },
                },
                // Protected in prod: deleting a subject config silently falls back to the registry default.
                { parent: this, protect: args.protect },
            );
        }
        this.registerOutputs({ subjects: subjects.map((s) => `${s.subject}=${s.compatibility}`) });
    }
}
