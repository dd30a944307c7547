// The production trust boundary as the engine would receive it, dev and prod under mocks:
// who may reach the database (publiclyAccessible, security groups), the PrivateLink chain from
// Confluent's egress gateway to the RDS instance, verified TLS, and the role bindings of every
// Confluent account.
import { strict as assert } from "assert";
import { coversInternet, prefixLength } from "../components/config";
import { StackRun, plain, runStack } from "./support/harness";

const T = {
    instance: "aws:rds/instance:Instance",
    securityGroup: "aws:ec2/securityGroup:SecurityGroup",
    egressRule: "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    network: "confluentcloud:index/network:Network",
    plAccess: "confluentcloud:index/privateLinkAccess:PrivateLinkAccess",
    cluster: "confluentcloud:index/kafkaCluster:KafkaCluster",
    accessPoint: "confluentcloud:index/accessPoint:AccessPoint",
    dnsRecord: "confluentcloud:index/dnsRecord:DnsRecord",
    lb: "aws:lb/loadBalancer:LoadBalancer",
    targetGroup: "aws:lb/targetGroup:TargetGroup",
    attachment: "aws:lb/targetGroupAttachment:TargetGroupAttachment",
    listener: "aws:lb/listener:Listener",
    endpointService: "aws:ec2/vpcEndpointService:VpcEndpointService",
    accepter: "aws:ec2/vpcEndpointConnectionAccepter:VpcEndpointConnectionAccepter",
    vpcEndpoint: "aws:ec2/vpcEndpoint:VpcEndpoint",
    zone: "aws:route53/zone:Zone",
    record: "aws:route53/record:Record",
    connector: "confluentcloud:index/connector:Connector",
    roleBinding: "confluentcloud:index/roleBinding:RoleBinding",
    serviceAccount: "confluentcloud:index/serviceAccount:ServiceAccount",
    ksql: "confluentcloud:index/ksqlCluster:KsqlCluster",
    dynamic: "pulumi-nodejs:dynamic:Resource",
};
const PROD_RUNNER_SG = "sg-0a1b2c3d4e5f60718"; // Pulumi.prod.yaml mysql.deployerSecurityGroupIds
const GATEWAY_PRINCIPAL = "arn:aws:iam::210987654321:role/confluent-egress-mock"; // the mocks' getGateway answer

const runs: Record<string, StackRun> = {};
before(async function () {
    this.timeout(120_000);
    runs.dev = await runStack("dev");
    runs.prod = await runStack("prod");
});

const idOf = (r: { id?: string }) => r.id!;
const sgRules = (run: StackRun) => run.one(T.securityGroup, "mysql-sg").inputs.ingress as any[];

describe("trust boundary: who reaches the database", () => {
    it("prod: RDS is not publicly accessible; dev is (Standard cluster connectors arrive over the internet)", () => {
        assert.equal(runs.prod.one(T.instance).inputs.publiclyAccessible, false);
        assert.equal(runs.dev.one(T.instance).inputs.publiclyAccessible, true);
    });

    it("prod: 3306 is admitted from the PrivateLink NLB and the deploy runner by security group, and no Confluent egress CIDR", () => {
        const rules = sgRules(runs.prod);
        const nlbSg = runs.prod.one(T.securityGroup, "mysql-nlb-sg");
        const bySg = rules.find((r) => r.securityGroups);
        assert.deepEqual([...bySg.securityGroups].sort(), [idOf(nlbSg), PROD_RUNNER_SG].sort());
        const cidrs = rules.flatMap((r) => r.cidrBlocks ?? []);
        assert.deepEqual(cidrs, ["10.10.0.0/16"], "only the operators' network, no shared egress ranges");
        assert.ok(!runs.prod.invokes.some((i) => i.token === "confluentcloud:index/getIpAddresses:getIpAddresses"));
    });

    it("every stack: each CIDR admitted to 3306 is at most a /16 and together they never cover the internet", () => {
        for (const run of Object.values(runs)) {
            const cidrs = sgRules(run).flatMap((r) => r.cidrBlocks ?? []);
            for (const c of cidrs) assert.ok(prefixLength(c)! >= 16, `${run.stack}: ${c}`);
            assert.equal(coversInternet(cidrs), false);
        }
    });

    it("a Confluent answer that would open the database wider than /16 stops the deployment", async () => {
        const answer = (prefixes: string[]) => ({
            "confluentcloud:index/getIpAddresses:getIpAddresses": () => ({
                id: "x",
                ipAddresses: prefixes.map((ipPrefix) => ({ ipPrefix, addressType: "EGRESS", cloud: "AWS", region: "eu-central-1", services: ["CONNECT"] })),
            }),
        });
        await assert.rejects(runStack("dev", { invokes: answer(["0.0.0.0/1", "128.0.0.0/1"]) }), /together cover the whole internet/);
        await assert.rejects(runStack("dev", { invokes: answer(["3.0.0.0/8"]) }), /3\.0\.0\.0\/8 is broader than \/16/);
    });
});

describe("trust boundary: the PrivateLink chain (prod)", () => {
    const run = () => runs.prod;

    it("dev has none of it", () => {
        for (const type of [T.network, T.accessPoint, T.dnsRecord, T.lb, T.endpointService, T.vpcEndpoint]) assert.deepEqual(runs.dev.ofType(type), [], type);
    });

    it("the dedicated cluster lives in a PRIVATELINK network with private DNS, zones from the RDS subnets, reachable from our account", () => {
        const network = run().one(T.network);
        assert.deepEqual(network.inputs.connectionTypes, ["PRIVATELINK"]);
        assert.deepEqual(network.inputs.dnsConfig, { resolution: "PRIVATE" });
        assert.deepEqual([...network.inputs.zones].sort(), ["euc1-az1", "euc1-az2", "euc1-az3"]);
        const cluster = run().one(T.cluster);
        assert.deepEqual(cluster.inputs.network, { id: idOf(network) });
        assert.ok(cluster.inputs.dedicated, "dedicated cluster");
        const access = run().one(T.plAccess);
        assert.deepEqual([access.inputs.aws.account, access.inputs.network.id], ["123456789012", idOf(network)]);
    });

    it("NLB -> target group -> the RDS instance's private address, TCP 3306, internal, cross-zone", () => {
        const lb = run().one(T.lb);
        assert.deepEqual([lb.inputs.internal, lb.inputs.loadBalancerType, lb.inputs.enableCrossZoneLoadBalancing], [true, "network", true]);
        assert.deepEqual(lb.inputs.securityGroups, [idOf(run().one(T.securityGroup, "mysql-nlb-sg"))]);
        const tg = run().one(T.targetGroup);
        assert.deepEqual([tg.inputs.port, tg.inputs.protocol, tg.inputs.targetType], [3306, "TCP", "ip"]);
        const target = run().one(T.attachment);
        assert.equal(target.inputs.targetGroupArn, tg.state.arn);
        assert.equal(target.inputs.targetId, "172.31.20.17", "the primary's ENI address");
        // Found by the database's own security group, after the instance exists.
        const eni = run().invokes.find((i) => i.token === "aws:ec2/getNetworkInterfaces:getNetworkInterfaces")!;
        assert.deepEqual(eni.inputs.filters, [
            { name: "group-id", values: [idOf(run().one(T.securityGroup, "mysql-sg"))] },
            { name: "description", values: ["RDSNetworkInterface"] },
        ]);
        const listener = run().one(T.listener);
        assert.deepEqual([listener.inputs.loadBalancerArn, listener.inputs.port, listener.inputs.defaultActions[0].targetGroupArn], [lb.state.arn, 3306, tg.state.arn]);
        // The NLB may only forward to the database's security group on 3306.
        const egress = run().one(T.egressRule, /^mysql-/);
        assert.deepEqual(
            [egress.inputs.securityGroupId, egress.inputs.referencedSecurityGroupId, egress.inputs.fromPort, egress.inputs.toPort],
            [idOf(run().one(T.securityGroup, "mysql-nlb-sg")), idOf(run().one(T.securityGroup, "mysql-sg")), 3306, 3306],
        );
        assert.equal(run().one(T.securityGroup, "mysql-nlb-sg").inputs.ingress, undefined, "nothing may connect to the NLB except through the endpoint service");
    });

    it("the endpoint service admits only the Confluent gateway's principal, and every connection is accepted explicitly", () => {
        const service = run().one(T.endpointService);
        assert.deepEqual(service.inputs.networkLoadBalancerArns, [run().one(T.lb).state.arn]);
        assert.equal(service.inputs.acceptanceRequired, true);
        assert.deepEqual(service.inputs.allowedPrincipals, [GATEWAY_PRINCIPAL]);
        const gatewayLookup = run().invokes.find((i) => i.token === "confluentcloud:index/getGateway:getGateway")!;
        assert.equal(gatewayLookup.inputs.id, run().one(T.network).state.gateways[0].id);
        const ap = run().one(T.accessPoint);
        assert.equal(ap.inputs.gateway.id, gatewayLookup.inputs.id);
        assert.deepEqual(ap.inputs.awsEgressPrivateLinkEndpoint, { vpcEndpointServiceName: service.state.serviceName, enableHighAvailability: true });
        const accept = run().one(T.accepter);
        assert.deepEqual([accept.inputs.vpcEndpointServiceId, accept.inputs.vpcEndpointId], [idOf(service), ap.state.awsEgressPrivateLinkEndpoint.vpcEndpointId]);
    });

    it("the DNS record maps the RDS host name to the access point, and the connectors wait for it", () => {
        const dns = run().one(T.dnsRecord);
        const db = run().one(T.instance);
        assert.equal(dns.inputs.domain, db.state.address);
        assert.deepEqual([dns.inputs.gateway.id, dns.inputs.privateLinkAccessPoint.id], [run().one(T.accessPoint).inputs.gateway.id, idOf(run().one(T.accessPoint))]);
        for (const c of run().ofType(T.connector).filter((x) => x.inputs.configNonsensitive?.["connector.class"] === "MySqlCdcSourceV2")) {
            assert.equal(c.inputs.configNonsensitive["database.hostname"], db.state.address, "the connector uses the RDS name, so verify_identity checks RDS's certificate");
            assert.ok(c.dependsOn.includes(`${T.dnsRecord}::${dns.name}`), `${c.name} waits for the DNS record`);
        }
    });

    it("the deploy runner reaches the private Kafka REST and ksqlDB endpoints through an interface endpoint and a private zone", () => {
        const network = run().one(T.network);
        const endpoint = run().one(T.vpcEndpoint, /^streaming-.*-endpoint$/);
        assert.deepEqual([endpoint.inputs.vpcEndpointType, endpoint.inputs.serviceName, endpoint.inputs.privateDnsEnabled], ["Interface", network.state.aws[0].privateLinkEndpointService, false]);
        const sg = run().one(T.securityGroup, "streaming-private-endpoint-sg");
        // The deploy runners, and the Kafka Streams tasks (by their own security group): nothing else.
        const streamsSg = idOf(run().one(T.securityGroup, "streams-batch-release-sg"));
        assert.deepEqual(sg.inputs.ingress.map((r: any) => [r.fromPort, r.securityGroups]), [[443, [PROD_RUNNER_SG]], [9092, [PROD_RUNNER_SG]], [443, [streamsSg]], [9092, [streamsSg]]]);
        const zone = run().one(T.zone);
        assert.equal(zone.inputs.name, network.state.dnsDomain);
        const wildcard = run().one(T.record);
        assert.deepEqual([wildcard.inputs.name, wildcard.inputs.type, wildcard.inputs.records], ["*", "CNAME", [endpoint.state.dnsEntries[0].dnsName]]);
    });
});

describe("trust boundary: verified TLS", () => {
    for (const [stack, mode] of [["dev", "verify_ca"], ["prod", "verify_identity"]] as const) {
        it(`${stack}: CDC connectors use database.ssl.mode=${mode}; the bootstrap verifies the certificate and the host name`, () => {
            const run = runs[stack];
            const cdc = run.ofType(T.connector).filter((c) => c.inputs.configNonsensitive?.["connector.class"] === "MySqlCdcSourceV2");
            assert.equal(cdc.length, 4);
            for (const c of cdc) assert.equal(c.inputs.configNonsensitive["database.ssl.mode"], mode, c.name);
            assert.equal(run.one(T.dynamic, "mysql-bootstrap").inputs.tls, "verify_identity");
        });
    }

    it("a configured trust store reaches the connectors as secrets, never in the plain config", async () => {
        const run = await runStack("dev", {
            set: { "lifesci-streaming:cdcTruststore": "TUlJS1RSVVNUU1RPUkU=", "lifesci-streaming:cdcTruststorePassword": "store-pw-generated" },
            secretKeys: ["lifesci-streaming:cdcTruststore", "lifesci-streaming:cdcTruststorePassword"],
        });
        for (const c of run.ofType(T.connector).filter((x) => x.inputs.configNonsensitive?.["connector.class"] === "MySqlCdcSourceV2")) {
            const sensitive = plain<Record<string, string>>(c.inputs.configSensitive);
            assert.deepEqual([sensitive["database.ssl.truststore"], sensitive["database.ssl.truststore.password"]], ["TUlJS1RSVVNUU1RPUkU=", "store-pw-generated"]);
            assert.ok(!JSON.stringify(c.inputs.configNonsensitive).includes("store-pw-generated"));
        }
        await assert.rejects(
            runStack("dev", { set: { "lifesci-streaming:cdcTruststore": "TUlJSw==" }, secretKeys: ["lifesci-streaming:cdcTruststore"] }),
            /cdcTruststore and lifesci-streaming:cdcTruststorePassword: set both/,
        );
    });
});

describe("trust boundary: role bindings per account", () => {
    const ADMIN_ROLES = ["OrganizationAdmin", "EnvironmentAdmin", "CloudClusterAdmin", "AccountAdmin"];
    for (const stack of ["dev", "prod"]) {
        it(`${stack}: no account holds an admin role, a whole-cluster wildcard, or another connector's consumer group`, () => {
            for (const b of runs[stack].ofType(T.roleBinding)) {
                assert.ok(!ADMIN_ROLES.includes(b.inputs.roleName), `${b.name}: ${b.inputs.roleName}`);
                assert.doesNotMatch(b.inputs.crnPattern, /\/(topic|group)=\*$|group=connect-lcc-\*$/, b.name);
            }
        });

        it(`${stack}: the topic manager may manage the platform's topic prefixes and nothing else`, () => {
            const manager = runs[stack].ofType(T.roleBinding).filter((b) => b.name.startsWith("streaming-topic-manager-"));
            assert.deepEqual(manager.map((b) => b.inputs.roleName), ["DeveloperManage", "DeveloperManage"]);
            assert.deepEqual(manager.map((b) => b.inputs.crnPattern.split("/").pop()).sort(), ["topic=dbhistory.lifesci.*", "topic=lifesci.*"]);
        });

        it(`${stack}: the ksqlDB runtime account cannot deploy statements; the deployer account can do nothing else`, () => {
            const ksql = runs[stack].one(T.ksql);
            const runtime = `User:${ksql.inputs.credentialIdentity.id}`;
            const bindings = runs[stack].ofType(T.roleBinding);
            assert.ok(!bindings.some((b) => b.inputs.principal === runtime && b.inputs.roleName === "KsqlAdmin"));
            const admins = bindings.filter((b) => b.inputs.roleName === "KsqlAdmin");
            assert.equal(admins.length, 1);
            assert.deepEqual(bindings.filter((b) => b.inputs.principal === admins[0].inputs.principal).map((b) => b.inputs.roleName), ["KsqlAdmin"]);
        });

        it(`${stack}: each sink reads only the consumer group of its own connector id`, () => {
            const run = runs[stack];
            const groups = run.ofType(T.roleBinding).filter((b) => /\/group=connect-/.test(b.inputs.crnPattern));
            const sinks = run.ofType(T.connector).filter((c) => c.inputs.configNonsensitive?.["connector.class"] !== "MySqlCdcSourceV2");
            assert.equal(groups.length, sinks.length);
            for (const sink of sinks) {
                const account = `User:${sink.inputs.configNonsensitive["kafka.service.account.id"]}`;
                const own = groups.filter((g) => g.inputs.principal === account);
                assert.deepEqual(own.map((g) => g.inputs.crnPattern.split("/").pop()), [`group=connect-${idOf(sink)}`], sink.name);
            }
        });
    }
});

describe("trust boundary: the Kafka Streams tasks", () => {
    const ecs = { service: "aws:ecs/service:Service", task: "aws:ecs/taskDefinition:TaskDefinition", apiKey: "confluentcloud:index/apiKey:ApiKey" };
    for (const stack of ["dev", "prod"]) {
        it(`${stack}: no task gets a public IP; tasks sit in the platform's subnets behind a security group without ingress`, () => {
            const run = runs[stack];
            const services = run.ofType(ecs.service);
            assert.ok(services.length > 0);
            for (const s of services) {
                assert.equal(s.inputs.networkConfiguration.assignPublicIp, false, s.name);
                for (const sgId of s.inputs.networkConfiguration.securityGroups) {
                    const sg = run.ofType(T.securityGroup).find((g) => g.id === sgId)!;
                    assert.equal(sg.inputs.ingress, undefined, `${sg.name} admits nothing`);
                }
            }
        });

        it(`${stack}: no Confluent key secret of a Streams app appears in a task definition or any plain input`, () => {
            const run = runs[stack];
            const secrets = run.ofType(ecs.apiKey).filter((k) => k.name.startsWith("streams-")).map((k) => String(plain(k.state.secret)));
            assert.equal(secrets.length, 2, "Kafka and Schema Registry keys");
            for (const r of run.resources.filter((x) => x.custom)) {
                // Secret-wrapped inputs (the Secrets Manager version) are the one place the keys may travel.
                const plainInputs = JSON.stringify(r.inputs, (_k, v) => (v && typeof v === "object" && "4dabf18193072939515e22adb298388d" in v ? "[secret]" : v));
                for (const secret of secrets) assert.ok(!plainInputs.includes(secret), `${r.type} ${r.name} carries a Streams API secret in plain text`);
            }
            for (const t of run.ofType(ecs.task)) {
                for (const c of JSON.parse(t.inputs.containerDefinitions)) {
                    for (const e of c.environment) assert.doesNotMatch(e.name, /PASSWORD|SECRET|USERNAME/, `${t.name}: ${e.name}`);
                }
            }
        });

        it(`${stack}: the Streams account's prefixes cover only what its application.id creates`, () => {
            const bindings = runs[stack].ofType(T.roleBinding).filter((b) => b.name.startsWith("streams-batch-release-identity-"));
            const prefixed = bindings.map((b) => String(b.inputs.crnPattern).split("/").pop()!).filter((p) => p.endsWith("*"));
            assert.deepEqual([...new Set(prefixed)].sort(), ["topic=lifesci.streams.batch-release-*", "transactional-id=lifesci.streams.batch-release-*"]);
            const topics = runs[stack].ofType("confluentcloud:index/kafkaTopic:KafkaTopic").map((t) => String(t.inputs.topicName));
            assert.deepEqual(topics.filter((t) => t.startsWith("lifesci.streams.batch-release-")), [], "no platform topic falls under the app's internal prefix");
            assert.ok(bindings.every((b) => ["DeveloperRead", "DeveloperWrite", "DeveloperManage"].includes(b.inputs.roleName)));
        });
    }
});

describe("trust boundary: inbound paths and the AWS API endpoints", () => {
    const ingressOf = (run: StackRun) => [
        ...run.ofType(T.securityGroup).flatMap((g) => ((g.inputs.ingress ?? []) as any[]).map((rule) => ({ where: g.name, rule }))),
        ...run.ofType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").map((r) => ({ where: r.name, rule: r.inputs })),
        ...run.ofType("aws:ec2/securityGroupRule:SecurityGroupRule").filter((r) => r.inputs.type === "ingress").map((r) => ({ where: r.name, rule: r.inputs })),
    ];
    for (const stack of ["dev", "prod"]) {
        it(`${stack}: no security group admits anything from 0.0.0.0/0 or ::/0`, () => {
            const all = ingressOf(runs[stack]);
            assert.ok(all.length > 0);
            for (const { where, rule } of all) {
                const cidrs = [...(rule.cidrBlocks ?? []), ...(rule.ipv6CidrBlocks ?? []), rule.cidrIpv4, rule.cidrIpv6].filter(Boolean);
                assert.ok(!cidrs.some((c: string) => c === "0.0.0.0/0" || c === "::/0"), `${where} admits ${cidrs.join(", ")}`);
            }
        });
    }

    it("prod: the AWS API endpoints' security group is entered only on 443 from the workloads' and the runner's groups, by reference", () => {
        const run = runs.prod;
        const sg = run.one(T.securityGroup, "aws-api-endpoints-sg");
        const into = ingressOf(run).filter(({ rule }) => rule.securityGroupId === sg.id);
        const workloadGroups = [idOf(run.one(T.securityGroup, "streams-batch-release-sg")), idOf(run.one(T.securityGroup, /retarget-sg$/)), PROD_RUNNER_SG];
        assert.deepEqual(into.map(({ rule }) => [rule.fromPort, rule.toPort, rule.referencedSecurityGroupId]).sort(), workloadGroups.map((g) => [443, 443, g]).sort());
        for (const e of run.ofType(T.vpcEndpoint).filter((x) => String(x.inputs.serviceName).startsWith("com.amazonaws.eu-central-1."))) {
            assert.ok(e.inputs.vpcEndpointType === "Gateway" || JSON.stringify(e.inputs.securityGroupIds) === JSON.stringify([sg.id]), e.name);
        }
    });
});
