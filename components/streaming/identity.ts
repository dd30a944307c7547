// Workload identity: one service account per workload, with exactly the role bindings it needs,
// scoped by CRN patterns to the topics, groups and subjects it uses.
import * as confluent from "@pulumi/confluentcloud";
import * as pulumi from "@pulumi/pulumi";

/** RBAC resource patterns, scoped as narrowly as the workload allows. */
export const crn = {
    topic: (cluster: confluent.KafkaCluster, pattern: pulumi.Input<string>) =>
        pulumi.interpolate`${cluster.rbacCrn}/kafka=${cluster.id}/topic=${pattern}`,
    group: (cluster: confluent.KafkaCluster, pattern: pulumi.Input<string>) =>
        pulumi.interpolate`${cluster.rbacCrn}/kafka=${cluster.id}/group=${pattern}`,
    subject: (schemaRegistryCrn: pulumi.Input<string>, pattern: pulumi.Input<string>) =>
        pulumi.interpolate`${schemaRegistryCrn}/subject=${pattern}`,
    transactionalId: (cluster: confluent.KafkaCluster, pattern: pulumi.Input<string>) =>
        pulumi.interpolate`${cluster.rbacCrn}/kafka=${cluster.id}/transactional-id=${pattern}`,
};

export interface RoleGrant {
    /** Stable part of the binding's logical name, so reordering grants never replaces them. */
    label: string;
    role: string;
    crnPattern: pulumi.Input<string>;
}

export interface WorkloadIdentityArgs {
    displayName: string;
    description: string;
    grants: RoleGrant[];
}

/** One service account per workload with exactly the role bindings it needs. */
export class WorkloadIdentity extends pulumi.ComponentResource {
    readonly serviceAccount: confluent.ServiceAccount;
    readonly roleBindings: confluent.RoleBinding[];

    private readonly accountName: string;

    constructor(name: string, args: WorkloadIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
        super("lifesci:streaming:WorkloadIdentity", name, {}, opts);
        this.accountName = name;
        this.serviceAccount = new confluent.ServiceAccount(
            name,
            { displayName: args.displayName, description: args.description },
            { parent: this },
        );
        this.roleBindings = [];
        this.addGrants(args.grants);
        this.registerOutputs({ serviceAccountId: this.serviceAccount.id });
    }

    /**
     * Binds more roles to this account. For grants on resources that need the account first
     * (e.g. the ksqlDB cluster it runs as).
     */
    addGrants(grants: RoleGrant[]): confluent.RoleBinding[] {
        const added = grants.map(
            (grant) =>
                new confluent.RoleBinding(
                    `${this.accountName}-${grant.label}`,
                    {
                        principal: pulumi.interpolate`User:${this.serviceAccount.id}`,
                        roleName: grant.role,
                        crnPattern: grant.crnPattern,
                    },
                    { parent: this },
                ),
        );
        this.roleBindings.push(...added);
        return added;
    }
}
