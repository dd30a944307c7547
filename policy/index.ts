// The compliance policy pack: `pulumi preview --policy-pack policy` (after `npm ci --prefix policy`).
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

new PolicyPack("lifesci-streaming", { policies });
