// Stack config: schema and resolved types, tier defaults, cross-field checks, and the loader.
export * from "./schema";
export * from "./tiers";
export { snowflakeRegionOf } from "./checks";
export * from "./loader";
export * from "./monitoring";
export * from "./cidr";
export * from "./network";
