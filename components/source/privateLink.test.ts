// The PrivateLink endpoint service admits exactly the Confluent egress gateway's IAM role: fed
// what it exists to refuse ("*", an account root, a user, a session), it throws naming the value.
import { strict as assert } from "assert";
import { endpointServicePrincipals } from "./privateLink";

describe("source/privateLink: endpoint service principals", () => {
    it("an IAM role ARN of a 12-digit account is the one principal, unchanged", () => {
        for (const arn of ["arn:aws:iam::123456789012:role/confluent-egress", "arn:aws:iam::000000000000:role/path/to/cc-gw-role", "arn:aws:iam::123456789012:role/x"]) {
            assert.deepEqual(endpointServicePrincipals(arn), [arn]);
        }
    });

    const REFUSED: [string, string][] = [
        ["*", "everyone: the load balancer would be public"],
        ["arn:aws:iam::123456789012:root", "an account root: every principal of that account"],
        ["arn:aws:iam::123456789012:user/alice", "a user"],
        ["arn:aws:sts::123456789012:assumed-role/confluent-egress/session", "a session, not the role"],
        ["123456789012", "a bare account id"],
        ["arn:aws:iam::12345678901:role/x", "an 11-digit account"],
        ["arn:aws:iam::1:role/x", "a 1-digit account"],
        ["arn:aws:iam::1234567890123:role/x", "a 13-digit account"],
        ["arn:aws:iam::abcdefghijkl:role/x", "letters for the account"],
        ["arn:aws:iam::123456789012:role/", "a role without a name"],
        ["arn:aws:iam::123456789012:role", "no role path at all"],
        ["xarn:aws:iam::123456789012:role/x", "text before the ARN"],
        [" arn:aws:iam::123456789012:role/x", "a leading space"],
        ["arn:aws:iam::123456789012:rolex/x", "another resource type"],
        ["", "nothing"],
    ];
    for (const [value, what] of REFUSED) {
        it(`refuses ${what}: ${JSON.stringify(value)}`, () => {
            assert.throws(() => endpointServicePrincipals(value), (err: Error) => err.message === `Confluent egress gateway principal must be an IAM role ARN, got "${value}"`);
        });
    }
});
