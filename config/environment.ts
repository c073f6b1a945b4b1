/** `botfleet:environment`: the stages a stack can be. Declared once; everything else imports it. */
export const ENVIRONMENTS = ["dev", "staging", "prod", "local"] as const;
export type Environment = (typeof ENVIRONMENTS)[number];
