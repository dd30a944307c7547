// Wiring of the failover re-targeting (issue 22, item 5): RDS events (failover, maintenance,
// availability: reboots) reach EventBridge, which invokes retargetLambda.ts in the VPC; a scheduled
// run every 15 minutes catches an event that was missed. An RDS event subscription also notifies
// operators by SNS. The function's role may describe this instance and change this target group's
// targets, nothing else (plus the documented VPC-Lambda network-interface and log actions).
//   EventBridge + Lambda: https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-run-lambda-schedule.html
//   Lambda in a VPC (its ENI actions): https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html#configuration-vpc-permissions
//   RDS event subscriptions: https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_Events.Subscribing.html
//   ELB actions and resource types: https://docs.aws.amazon.com/service-authorization/latest/reference/list_awselasticloadbalancingv2.html
import * as fs from "fs";
import * as path from "path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** The RDS event categories after which the primary may sit on another interface. */
export const RETARGET_EVENT_CATEGORIES = ["failover", "maintenance", "availability"] as const;

/** Modules the function may require: the Lambda Node.js runtime ships these (AWS SDK v3, node built-ins). */
export const LAMBDA_RUNTIME_MODULES = ["@aws-sdk/client-rds", "@aws-sdk/client-elastic-load-balancing-v2", "dns"] as const;

/** retargetLambda.ts as the function's index.js (CommonJS), checked to require only what the runtime has. */
export function retargetLambdaCode(): string {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const ts = require("typescript") as typeof import("typescript");
    const source = fs.readFileSync(path.join(__dirname, "retargetLambda.ts"), "utf8");
    const js = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true } }).outputText;
    const required = [...js.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]);
    const foreign = required.filter((m) => !(LAMBDA_RUNTIME_MODULES as readonly string[]).includes(m));
    if (foreign.length) throw new Error(`retargetLambda.ts requires ${foreign.join(", ")}, which the Lambda runtime does not provide`);
    return js;
}

/** EventBridge pattern: RDS instance events of this instance in the re-targeting categories. */
export function rdsRetargetEventPattern(dbInstanceId: string): Record<string, unknown> {
    return {
        source: ["aws.rds"],
        "detail-type": ["RDS DB Instance Event"],
        detail: { SourceIdentifier: [dbInstanceId], EventCategories: [...RETARGET_EVENT_CATEGORIES] },
    };
}

/** The function's own permissions, scoped to the instance, the target group and its log group. */
export function retargetPolicy(p: { dbInstanceArn: string; targetGroupArn: string; logGroupArn: string }): Record<string, unknown> {
    return {
        Version: "2012-10-17",
        Statement: [
            { Sid: "DescribeTheInstance", Effect: "Allow", Action: ["rds:DescribeDBInstances"], Resource: p.dbInstanceArn },
            // DescribeTargetHealth has no resource-level permissions.
            { Sid: "ReadTargetHealth", Effect: "Allow", Action: ["elasticloadbalancing:DescribeTargetHealth"], Resource: "*" },
            { Sid: "RetargetTheGroup", Effect: "Allow", Action: ["elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"], Resource: p.targetGroupArn },
            { Sid: "WriteItsLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `${p.logGroupArn}:*` },
            {
                Sid: "VpcNetworkInterfaces",
                Effect: "Allow",
                // What AWSLambdaVPCAccessExecutionRole grants; these actions take no narrower resource.
                Action: ["ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"],
                Resource: "*",
            },
        ],
    };
}

export interface PrivateLinkRetargetArgs {
    namePrefix: string;
    instance: aws.rds.Instance;
    targetGroup: aws.lb.TargetGroup;
    port: number;
    vpcId: pulumi.Input<string>;
    subnetIds: pulumi.Input<string[]>;
    logRetentionDays: number;
    tags: Record<string, string>;
}

export class PrivateLinkRetarget extends pulumi.ComponentResource {
    readonly function: aws.lambda.Function;
    readonly eventRule: aws.cloudwatch.EventRule;
    readonly eventSubscription: aws.rds.EventSubscription;
    /** The function's security group (the AWS API endpoints admit it by reference). */
    readonly securityGroup: aws.ec2.SecurityGroup;

    constructor(name: string, args: PrivateLinkRetargetArgs, opts?: pulumi.ComponentResourceOptions) {
        super("lifesci:source:PrivateLinkRetarget", name, {}, opts);
        const child = { parent: this };
        const { namePrefix, tags } = args;
        const functionName = `${namePrefix}-mysql-retarget`;

        const logGroup = new aws.cloudwatch.LogGroup(`${name}-logs`, { name: `/aws/lambda/${functionName}`, retentionInDays: args.logRetentionDays, tags }, child);
        const role = new aws.iam.Role(
            `${name}-role`,
            {
                name: functionName,
                description: "Re-targets the MySQL PrivateLink NLB at the RDS primary after a failover",
                assumeRolePolicy: JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
                }),
                tags,
            },
            child,
        );
        const policy = new aws.iam.RolePolicy(
            `${name}-policy`,
            {
                role: role.name,
                policy: pulumi
                    .all([args.instance.arn, args.targetGroup.arn, logGroup.arn])
                    .apply(([dbInstanceArn, targetGroupArn, logGroupArn]) => JSON.stringify(retargetPolicy({ dbInstanceArn, targetGroupArn, logGroupArn }))),
            },
            child,
        );
        // HTTPS to the RDS and ELB APIs only (the VPC's DNS resolver is not filtered by security groups).
        const securityGroup = (this.securityGroup = new aws.ec2.SecurityGroup(
            `${name}-sg`,
            {
                name: `${functionName}`,
                description: "MySQL PrivateLink re-targeting Lambda: HTTPS to the AWS APIs only",
                vpcId: args.vpcId,
                egress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"], description: "RDS and ELB APIs (NAT or interface endpoints)" }],
                tags,
            },
            child,
        ));
        this.function = new aws.lambda.Function(
            `${name}-function`,
            {
                name: functionName,
                description: "Keeps the MySQL PrivateLink NLB target on the RDS primary (RDS failover/maintenance/reboot events)",
                runtime: "nodejs20.x",
                handler: "index.handler",
                code: new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset(retargetLambdaCode()) }),
                role: role.arn,
                timeout: 30,
                memorySize: 128,
                // One run at a time: two concurrent re-targetings could deregister each other's target.
                reservedConcurrentExecutions: 1,
                vpcConfig: { subnetIds: args.subnetIds, securityGroupIds: [securityGroup.id] },
                environment: {
                    variables: { DB_INSTANCE_ID: args.instance.identifier, TARGET_GROUP_ARN: args.targetGroup.arn, DB_PORT: String(args.port) },
                },
                loggingConfig: { logFormat: "Text", logGroup: logGroup.name },
                tags,
            },
            { parent: this, dependsOn: [policy, logGroup] },
        );

        const invoke = (id: string, rule: aws.cloudwatch.EventRule) => {
            new aws.lambda.Permission(`${name}-${id}-permission`, { action: "lambda:InvokeFunction", function: this.function.name, principal: "events.amazonaws.com", sourceArn: rule.arn }, child);
            new aws.cloudwatch.EventTarget(`${name}-${id}-target`, { rule: rule.name, arn: this.function.arn }, child);
        };
        this.eventRule = new aws.cloudwatch.EventRule(
            `${name}-rds-events`,
            {
                name: `${functionName}-rds-events`,
                description: "RDS failover, maintenance and availability events of the CDC source instance",
                eventPattern: args.instance.identifier.apply((id) => JSON.stringify(rdsRetargetEventPattern(id))),
                tags,
            },
            child,
        );
        invoke("rds-events", this.eventRule);
        const schedule = new aws.cloudwatch.EventRule(
            `${name}-schedule`,
            { name: `${functionName}-schedule`, description: "Safety net: re-check the NLB target every 15 minutes", scheduleExpression: "rate(15 minutes)", tags },
            child,
        );
        invoke("schedule", schedule);

        // Operators hear of the same events (SNS; subscribe the on-call address).
        // Not encrypted with the AWS-managed SNS key: RDS cannot publish to such a topic (the events carry no data).
        const topic = new aws.sns.Topic(`${name}-rds-events-topic`, { name: `${functionName}-rds-events`, tags }, child);
        this.eventSubscription = new aws.rds.EventSubscription(
            `${name}-rds-subscription`,
            {
                name: `${functionName}`,
                snsTopic: topic.arn,
                sourceType: "db-instance",
                sourceIds: [args.instance.identifier],
                eventCategories: [...RETARGET_EVENT_CATEGORIES],
                tags,
            },
            child,
        );
        this.registerOutputs({ functionName: this.function.name });
    }
}
