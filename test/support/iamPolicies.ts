// A small reader of the IAM policies a stack run records: which roles an identity policy lets
// perform an action on a resource. Enough of IAM's matching for the lake's questions (wildcards in
// actions and resources; Allow statements; Deny statements of identity policies), not a full
// evaluator: conditions are reported, not evaluated.
import type { RecordedResource, StackRun } from "../../scripts/mockEngine";

export interface Statement {
    Sid?: string;
    Effect: "Allow" | "Deny";
    Principal?: unknown;
    Action?: string | string[];
    Resource?: string | string[];
    Condition?: Record<string, Record<string, unknown>>;
}

export interface IdentityPolicy {
    /** The role's logical name in the stack. */
    role: string;
    /** Where the policy came from (resource type::name). */
    from: string;
    statements: Statement[];
}

const globRegex = (pattern: string, caseInsensitive: boolean) =>
    new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, caseInsensitive ? "i" : "");

/** IAM action names match case-insensitively, with `*` and `?` wildcards. */
export function actionMatches(pattern: string, action: string): boolean {
    return globRegex(pattern, true).test(action);
}

/** Resource ARNs match case-sensitively, with `*` and `?` wildcards. */
export function resourceMatches(pattern: string, resource: string): boolean {
    return globRegex(pattern, false).test(resource);
}

const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : [v].flat());

/** Does this statement (Allow or Deny) cover the action on the resource? */
export function statementCovers(statement: Statement, action: string, resource: string): boolean {
    return list(statement.Action).some((a) => actionMatches(a, action)) && list(statement.Resource).some((r) => resourceMatches(r, resource));
}

/** Every identity policy attached to a role in the run: inline RolePolicy, Role.inlinePolicies, attached Policy. */
export function identityPolicies(run: StackRun): IdentityPolicy[] {
    const roles = run.ofType("aws:iam/role:Role");
    const roleByName = (roleName: unknown): string => {
        const role = roles.find((r) => r.inputs.name === roleName || r.state.name === roleName);
        return role ? role.name : String(roleName);
    };
    const parse = (doc: unknown): Statement[] => {
        const parsed = typeof doc === "string" ? JSON.parse(doc) : doc;
        return [parsed?.Statement ?? []].flat();
    };
    const out: IdentityPolicy[] = [];
    for (const rp of run.ofType("aws:iam/rolePolicy:RolePolicy")) {
        out.push({ role: roleByName(rp.inputs.role), from: `RolePolicy::${rp.name}`, statements: parse(rp.inputs.policy) });
    }
    for (const role of roles) {
        for (const inline of role.inputs.inlinePolicies ?? []) {
            out.push({ role: role.name, from: `Role::${role.name} inline ${inline.name}`, statements: parse(inline.policy) });
        }
    }
    const policies = run.ofType("aws:iam/policy:Policy");
    for (const attachment of run.ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment")) {
        const policy = policies.find((p: RecordedResource) => p.state.arn === attachment.inputs.policyArn);
        out.push({
            role: roleByName(attachment.inputs.role),
            from: `RolePolicyAttachment::${attachment.name}`,
            statements: policy ? parse(policy.inputs.policy) : [{ Effect: "Allow", Action: "*", Resource: "*" }],
        });
    }
    return out;
}

/** Roles whose identity policies allow any of the actions on the resource (ignoring conditions). */
export function rolesAllowed(policies: readonly IdentityPolicy[], actions: readonly string[], resource: string): string[] {
    const roles = new Set<string>();
    for (const p of policies) {
        if (p.statements.some((s) => s.Effect === "Allow" && actions.some((a) => statementCovers(s, a, resource)))) roles.add(p.role);
    }
    return [...roles].sort();
}
