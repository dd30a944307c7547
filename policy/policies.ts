// Adapts the pure rules (rules.ts) to @pulumi/policy policies. Type-only imports: this module
// loads without @pulumi/policy at run time, so the tests call the exact policy objects the
// pack registers with a fake `args` and a reportViolation spy.
import type { PolicyResource, ResourceValidationArgs, ResourceValidationPolicy, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";
import { POLICIES, PolicyRule, PolicySubject } from "./rules";

function fromResourceArgs(args: ResourceValidationArgs): PolicySubject {
    return { type: args.type, name: args.name, urn: args.urn, props: args.props ?? {}, protect: args.opts?.protect === true, propertyDependencies: {} };
}

function fromPolicyResource(resource: PolicyResource): PolicySubject {
    const propertyDependencies = Object.fromEntries(
        Object.entries(resource.propertyDependencies ?? {}).map(([prop, deps]) => [prop, deps.map((d) => d.urn)]),
    );
    return {
        type: resource.type,
        name: resource.name,
        urn: resource.urn,
        props: resource.props ?? {},
        protect: resource.opts?.protect === true,
        propertyDependencies,
    };
}

/** A rule with relations becomes a stack policy (which also runs its per-resource check); the rest are resource policies. */
export function toPulumiPolicy(rule: PolicyRule): ResourceValidationPolicy | StackValidationPolicy {
    const common = { name: rule.name, description: rule.description, enforcementLevel: rule.enforcementLevel };
    if (!rule.validateStack) {
        return {
            ...common,
            validateResource: (args: ResourceValidationArgs, reportViolation) => rule.validateResource?.(fromResourceArgs(args), reportViolation),
        };
    }
    return {
        ...common,
        validateStack: (args: StackValidationArgs, reportViolation) => {
            const subjects = args.resources.map(fromPolicyResource);
            for (const subject of subjects) rule.validateResource?.(subject, (message, urn) => reportViolation(message, urn ?? subject.urn));
            rule.validateStack?.(subjects, reportViolation);
        },
    };
}

export const policies = POLICIES.map(toPulumiPolicy);
