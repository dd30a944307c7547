// The Lambda that keeps the PrivateLink NLB pointed at the RDS primary (issue 22, item 5). A
// Multi-AZ failover, host maintenance or reboot can move the primary to another network
// interface; RDS reports it to EventBridge, which invokes this function inside the VPC. It asks RDS
// for the instance's endpoint, resolves it with the VPC's DNS (the private IP of the current
// primary), and when the target group does not target exactly that IP, registers it and then
// deregisters the others. Idempotent: a repeated or unrelated event changes nothing.
//
// Self-contained on purpose: the program transpiles this file alone into the function's index.js
// (failover/retargetFunction.ts), and the Node.js Lambda runtime provides AWS SDK v3 and `dns`.
//   RDS events in EventBridge: https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-cloud-watch-events.html
//   RDS event categories/ids: https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_Events.Messages.html
//   DescribeDBInstances: https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeDBInstances.html
//   DescribeTargetHealth / RegisterTargets / DeregisterTargets:
//     https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_DescribeTargetHealth.html
//     https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_RegisterTargets.html
//   IP targets for RDS behind an NLB (the documented pattern this implements):
//     https://aws.amazon.com/blogs/database/access-amazon-rds-across-vpcs-using-aws-privatelink-and-network-load-balancer/
import { DescribeTargetHealthCommand, DeregisterTargetsCommand, ElasticLoadBalancingV2Client, RegisterTargetsCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { DescribeDBInstancesCommand, RDSClient } from "@aws-sdk/client-rds";
import { promises as dns } from "dns";

export interface RetargetSettings {
    dbInstanceId: string;
    targetGroupArn: string;
    port: number;
}

export interface RetargetDeps {
    rds: RDSClient;
    elb: ElasticLoadBalancingV2Client;
    /** Resolves a host name to its IPv4 address with the VPC's resolver. */
    resolve: (host: string) => Promise<string>;
}

export interface RetargetResult {
    action: "ignored" | "unchanged" | "retargeted";
    ip?: string;
    registered?: string[];
    deregistered?: string[];
    reason?: string;
}

/** The settings from the function's environment; a missing one is an error naming it. */
export function settingsFromEnv(env: Record<string, string | undefined>): RetargetSettings {
    const need = (k: string) => {
        const v = env[k];
        if (!v) throw new Error(`retarget: environment variable ${k} is not set`);
        return v;
    };
    const port = Number(need("DB_PORT"));
    if (!Number.isInteger(port) || port <= 0) throw new Error(`retarget: DB_PORT must be a port number, got ${env.DB_PORT}`);
    return { dbInstanceId: need("DB_INSTANCE_ID"), targetGroupArn: need("TARGET_GROUP_ARN"), port };
}

/** The RDS instance an EventBridge RDS event is about (`detail.SourceIdentifier`), if any. */
function eventInstance(event: any): string | undefined {
    const detail = event?.detail ?? {};
    if (event?.source !== "aws.rds") return undefined;
    return typeof detail.SourceIdentifier === "string" ? detail.SourceIdentifier : undefined;
}

export async function retarget(event: unknown, settings: RetargetSettings, deps: RetargetDeps): Promise<RetargetResult> {
    const source = eventInstance(event);
    // Scheduled checks (no source) and events of this instance are handled; others are ignored.
    if ((event as any)?.source === "aws.rds" && source !== settings.dbInstanceId) {
        return { action: "ignored", reason: `event for ${source ?? "no instance"}, not ${settings.dbInstanceId}` };
    }
    const described = await deps.rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: settings.dbInstanceId }));
    const address = described.DBInstances?.[0]?.Endpoint?.Address;
    if (!address) throw new Error(`retarget: RDS instance ${settings.dbInstanceId} has no endpoint address yet`);
    const ip = await deps.resolve(address);
    const health = await deps.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: settings.targetGroupArn }));
    const current = (health.TargetHealthDescriptions ?? []).map((d) => d.Target?.Id).filter((id): id is string => typeof id === "string");
    const stale = current.filter((id) => id !== ip);
    if (current.includes(ip) && stale.length === 0) return { action: "unchanged", ip };
    // Register first, then deregister: the listener never has zero targets on purpose.
    const registered = current.includes(ip) ? [] : [ip];
    if (registered.length) {
        await deps.elb.send(new RegisterTargetsCommand({ TargetGroupArn: settings.targetGroupArn, Targets: [{ Id: ip, Port: settings.port }] }));
    }
    if (stale.length) {
        await deps.elb.send(new DeregisterTargetsCommand({ TargetGroupArn: settings.targetGroupArn, Targets: stale.map((Id) => ({ Id, Port: settings.port })) }));
    }
    return { action: "retargeted", ip, registered, deregistered: stale };
}

/** The Lambda entry point. */
export async function handler(event: unknown): Promise<RetargetResult> {
    const result = await retarget(event, settingsFromEnv(process.env), {
        rds: new RDSClient({}),
        elb: new ElasticLoadBalancingV2Client({}),
        resolve: async (host) => (await dns.lookup(host, { family: 4 })).address,
    });
    console.log(JSON.stringify(result));
    return result;
}
